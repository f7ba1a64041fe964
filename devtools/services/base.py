"""What every local service shares: its status line, its pid file, starting and stopping its process group."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from devtools.services.layout import Layout, Port
from yuqing.errors import ServiceError
from yuqing.settings import ServicesSettings

log = logging.getLogger(__name__)

STOP_GRACE_S = 45.0
POLL_S = 0.5
PROGRESS_EVERY_S = 10.0  # how often a long wait says what it waits for


@dataclass
class ServiceStatus:
    """One service as `yuqing services` reports it."""

    name: str
    state: str  # healthy, started, stopped, unhealthy
    healthy: bool
    port: int
    pid: int | None
    version: str
    data_dir: Path
    note: str = ""

    def line(self) -> str:
        pid = f"pid {self.pid}" if self.pid else "pid -"
        text = (
            f"{self.name:<16} {self.state:<10} 127.0.0.1:{self.port:<6} {pid:<11} {self.version:<8} "
            f"{self.data_dir}"
        )
        return f"{text}  ({self.note})" if self.note else text


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether something accepts connections on host:port, or the port cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        if sock.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # Like the JVMs, reuse the address: connections in TIME_WAIT from a previous run are no owner.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


LOG_MODE = 0o640  # a service's output can hold what it indexes or serves: not for every local user


def open_log(path: Path):
    """A service's output file, opened to append, readable by its owner and group only (an older one too)."""
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, LOG_MODE)
    os.fchmod(fd, LOG_MODE)
    return os.fdopen(fd, "ab")


def pid_alive(pid: int) -> bool:
    """Whether `pid` runs (a zombie child is reaped and counts as gone)."""
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            return False
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


class Service:
    """One node of a JVM service run in its own session, known by a pid file and a marker in its command line.

    `kind` is the service (`kafka`, `elasticsearch`); `name` the node (`kafka`, or `kafka-2` in a cluster),
    which names its pid file, its output file and its folder under the layout's state dir.
    """

    kind = ""

    def __init__(self, settings: ServicesSettings, layout: Layout, name: str) -> None:
        self.settings = settings
        self.layout = layout
        self.name = name
        self.run_dir = layout.state_dir / "run"
        self.logs_dir = layout.state_dir / "logs"
        self._proc: subprocess.Popen | None = None
        self._spawned_at = 0.0

    # -- what subclasses provide -------------------------------------------------------------------
    @property
    def port(self) -> int:
        raise NotImplementedError

    @property
    def bound(self) -> tuple[Port, ...]:
        """Every port the node binds, with the setting that chooses it."""
        raise NotImplementedError

    @property
    def version(self) -> str:
        raise NotImplementedError

    @property
    def data_dir(self) -> Path:
        raise NotImplementedError

    @property
    def marker(self) -> str:
        """A string only this service's command line (for this state dir) contains."""
        raise NotImplementedError

    def fetch(self) -> None:
        """Download what is missing into the cache (idempotent)."""

    def prepare(self) -> None:
        """Write config and create data folders (idempotent)."""

    def launch(self, stdout) -> subprocess.Popen:
        raise NotImplementedError

    def probe(self) -> tuple[bool, str]:
        """(healthy, note) from the service's own protocol."""
        raise NotImplementedError

    # -- shared behaviour --------------------------------------------------------------------------
    @property
    def pid_file(self) -> Path:
        return self.run_dir / f"{self.name}.pid"

    @property
    def out_file(self) -> Path:
        return self.logs_dir / f"{self.name}.out"

    def pid(self) -> int | None:
        """The pid of this service if it runs (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if pid_alive(pid) and self.marker in cmdline(pid):
            return pid
        self.pid_file.unlink(missing_ok=True)
        return None

    def status(self) -> ServiceStatus:
        pid = self.pid()
        if pid is None:
            return self._status("stopped", False, None)
        healthy, note = self.probe()
        return self._status("healthy" if healthy else "unhealthy", healthy, pid, note)

    def _status(self, state: str, healthy: bool, pid: int | None, note: str = "") -> ServiceStatus:
        return ServiceStatus(self.name, state, healthy, self.port, pid, self.version, self.data_dir, note)

    def check_ports_free(self) -> None:
        for port in self.bound:
            if port_in_use(port.number):
                message = f"port {port.number} is already taken by another process (set {port.setting})"
                raise ServiceError(self.name, message)

    def spawn(self) -> None:
        """Write the config and start the process, without waiting for it (cluster nodes must all be up
        before any of them answers: a controller needs a quorum)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        self.prepare()
        self._spawned_at = time.monotonic()
        with open_log(self.out_file) as out:
            out.write(f"\n=== {time.strftime('%Y-%m-%d %H:%M:%S')} starting {self.name}\n".encode())
            out.flush()
            self._proc = self.launch(out)
        self.pid_file.write_text(str(self._proc.pid))

    @property
    def spawned(self) -> bool:
        """Whether this object started the process (rather than found it running)."""
        return self._proc is not None

    def check(self) -> tuple[bool, str]:
        """(healthy, note) now; a process that exited while starting raises ServiceError."""
        if self._proc is not None and (code := self._proc.poll()) is not None:
            raise ServiceError(self.name, f"exited with code {code} while starting; see {self.out_file}")
        if self._proc is None and self.pid() is None:
            raise ServiceError(self.name, f"exited while starting; see {self.out_file}")
        return self.probe()

    def stop(self) -> str:
        """SIGTERM the process group, wait, then SIGKILL. Data is kept."""
        return stop_all([self])[0]

    def _term(self) -> int | None:
        """Ask the process to stop (SIGTERM); its pid, or None when it does not run."""
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return None
        # SIGTERM to the leader only: Elasticsearch's launcher then shuts its server JVM down in order
        # (signalling the whole group makes the launcher report the server's exit as unexpected).
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        return pid

    def _await_exit(self, pid: int, began: float) -> str:
        how = "stopped"
        # The whole session goes: the ES server JVM runs under its launcher, both in the group.
        while self._group_alive(pid) and time.monotonic() - began < STOP_GRACE_S:
            time.sleep(0.2)
        if self._group_alive(pid):
            self._signal(pid, signal.SIGKILL)
            how = f"killed (did not stop within {STOP_GRACE_S:.0f}s)"
            while self._group_alive(pid) and time.monotonic() - began < STOP_GRACE_S + 10:
                time.sleep(0.2)
        self.pid_file.unlink(missing_ok=True)
        return f"{self.name}: {how} (pid {pid}, {time.monotonic() - began:.1f}s)"

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        if pid_alive(pgid):
            return True
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return False
        # Only zombies may be left (reaped by whoever started them): count them as gone.
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
                except (OSError, IndexError):
                    continue
                if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                    return True
        return False

    @staticmethod
    def _signal(pid: int, sig: int) -> None:
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, sig)


def stop_all(services: list[Service]) -> list[str]:
    """Stop nodes together: SIGTERM to each, then wait for each. Kafka nodes must go at once: a broker's
    controlled shutdown needs a quorum of controllers, which the last node alone no longer has."""
    began = time.monotonic()
    pids = [service._term() for service in services]
    return [
        f"{service.name}: not running" if pid is None else service._await_exit(pid, began)
        for service, pid in zip(services, pids, strict=True)
    ]


def wait_healthy(
    services: list[Service], timeout_s: float, progress: Callable[[str], None] | None = None
) -> list[ServiceStatus]:
    """Wait until every node answers healthy; a node that exits, or any still unhealthy after `timeout_s`,
    raises ServiceError naming them with what each last said. `progress` hears what is awaited every 10 s."""
    began = last_said = time.monotonic()
    pending = list(services)
    notes: dict[str, str] = {}
    ready: dict[str, ServiceStatus] = {}
    while True:
        for service in list(pending):
            healthy, notes[service.name] = service.check()
            if healthy:
                pending.remove(service)
                if service.spawned:
                    took = time.monotonic() - service._spawned_at
                    ready[service.name] = service._status(
                        "started", True, service.pid(), f"ready in {took:.1f}s"
                    )
                else:
                    ready[service.name] = service._status("healthy", True, service.pid(), notes[service.name])
        if not pending:
            return [ready[s.name] for s in services]
        now = time.monotonic()
        if now - began >= timeout_s:
            raise _not_healthy(pending, notes, timeout_s)
        if progress and now - last_said >= PROGRESS_EVERY_S:
            last_said = now
            waiting = "; ".join(f"{s.name} ({notes[s.name]})" for s in pending)
            progress(f"waiting {now - began:.0f}s of {timeout_s:.0f}s for {waiting}")
        time.sleep(POLL_S)


def _not_healthy(pending: list[Service], notes: dict[str, str], timeout_s: float) -> ServiceError:
    # The nodes that do not answer at all first: the others are usually waiting for them.
    pending = sorted(pending, key=lambda s: not notes[s.name].startswith("no answer"))
    if len(pending) == 1:
        (service,) = pending
        return ServiceError(
            service.name,
            f"not healthy after {timeout_s:.0f}s ({notes[service.name]}); see {service.out_file}",
        )
    which = "; ".join(f"{s.name}: {notes[s.name]}" for s in pending)
    return ServiceError(
        ", ".join(s.name for s in pending),
        f"not healthy after {timeout_s:.0f}s ({which}); see {pending[0].logs_dir}",
    )
