"""The stack's own services, run outside a container the way docker-compose.yml runs them: they must stay up.

Docker is not available here, so each service of the project's image runs as a process with the same
command and environment (the image's ENV, then the service's), its container paths mapped to folders of the
test (`/data` → a fresh state folder, `/app/config` → config/), its hosts mapped to the local services
(the brokers `kafka-N:9092` → the test's Kafka, `elasticsearch-N` → its Elasticsearch, `mailbox` and `demo`
→ the processes this test starts, on free ports) and its topics and indices under a prefix of its own.
`init` must finish; the long-running ones must still run after a while (not exit at once and restart
forever), the crawler must have crawled the demo site through DEMO_BASE, the mailbox and the web app must
answer.

Started by root, the processes drop every capability (`setpriv`): still uid 0, but without the power to write
where the image's user could not. The working directory is the image's WORKDIR: a folder they cannot write,
unless it is /data.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from yuqing.settings import REPO_ROOT, Settings

pytestmark = pytest.mark.slow

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
IMAGE_ENTRYPOINT = ["tini", "--", "yuqing"]
UP_FOR_S = 20.0  # long enough for a restart loop to show, and for the crawler's first round
SECRET = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def image_env() -> dict[str, str]:
    """The Dockerfile's ENV lines (`ENV A=1 \\ B=2` and `ENV A=1`)."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    found: dict[str, str] = {}
    for line in re.findall(r"^ENV (.+)$", text, re.M):
        found.update(dict(re.findall(r"([A-Z_][A-Z0-9_]*)=(\S+)", line)))
    return found


def workdir() -> str:
    return re.findall(r"^WORKDIR (\S+)", DOCKERFILE.read_text(encoding="utf-8"), re.M)[-1]


class Stack:
    """Maps the compose file's container world onto this machine."""

    def __init__(self, settings: Settings, state: Path, readonly: Path) -> None:
        self.compose = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
        self.services = self.compose["services"]
        self.state, self.readonly = state, readonly
        self.ports = {"demo": free_port(), "mailbox": free_port(), "web": free_port()}
        self.settings = settings
        self.logs = Path(tempfile.mkdtemp(prefix="yuqing-stack-logs-"))

    def path(self, value: str) -> str:
        value = value.replace("/app/config", str(REPO_ROOT / "config"))
        return re.sub(r"(?<![\w/])/data(?=/|$)", str(self.state), value)

    def hosts(self, value: str) -> str:
        k, es = self.settings.kafka.bootstrap_servers, self.settings.es.url.rstrip("/")
        # The stack lists its three brokers and two search nodes; here they are the test's services.
        value = re.sub(r"\bkafka-\d:9092(,kafka-\d:9092)*", k, value)
        value = re.sub(r"http://elasticsearch-\d:9200(,http://elasticsearch-\d:9200)*", es, value)
        value = re.sub(r"http://demo:8765", f"http://127.0.0.1:{self.ports['demo']}", value)
        return value

    def env(self, name: str) -> dict[str, str]:
        service = self.services[name]
        given = {"WEB_SECRET_KEY": SECRET}

        def fill(m: re.Match[str]) -> str:
            return given.get(m.group(1), m.group(3) if m.group(2) == ":-" else "")

        pattern = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:[?-])?([^}]*)\}")
        env = {
            **image_env(),
            **{k: pattern.sub(fill, str(v)) for k, v in service.get("environment", {}).items()},
        }
        env = {k: self.hosts(self.path(v)) for k, v in env.items()}
        if env.get("SMTP_HOST") == "mailbox":
            env["SMTP_HOST"], env["SMTP_PORT"] = "127.0.0.1", str(self.ports["mailbox"])
        if "WEB_PORT" in env:
            env["WEB_HOST"], env["WEB_PORT"] = "127.0.0.1", str(self.ports["web"])
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.state),
            "LANG": "C.UTF-8",
            **env,
            "KAFKA_TOPIC_PREFIX": self.settings.kafka.topic_prefix,
            "ES_INDEX_PREFIX": self.settings.es.index_prefix,
            # The stack replicates over its nodes; the test's services may be one node.
            "KAFKA_REPLICATION_FACTOR": str(self.settings.kafka.replication_factor),
            "KAFKA_MIN_INSYNC_REPLICAS": str(self.settings.kafka.min_insync_replicas),
            "ES_REPLICAS": str(self.settings.es.replicas),
        }

    def argv(self, name: str) -> list[str]:
        service = self.services[name]
        run = [*service.get("entrypoint", IMAGE_ENTRYPOINT), *service.get("command", [])][2:]  # after tini --
        args = [self.path(a) for a in run]
        if name in self.ports and "--port" in args:
            args[args.index("--port") + 1] = str(self.ports[name])
        args = ["127.0.0.1" if a == "0.0.0.0" else a for a in args]
        if args[0] == "yuqing":
            return [sys.executable, "-m", "yuqing.cli", *args[1:]]
        assert args[0] == "python", f"{name}: runs {args[0]}"
        return [sys.executable, *args[1:]]

    def start(self, name: str) -> subprocess.Popen:
        cmd = self.argv(name)
        if os.geteuid() == 0 and shutil.which("setpriv"):
            cmd = ["setpriv", "--inh-caps=-all", "--ambient-caps=-all", "--bounding-set=-all", "--", *cmd]
        cwd = self.state if workdir() == "/data" else self.readonly
        out = (self.logs / f"{name}.log").open("wb")
        return subprocess.Popen(
            cmd, env=self.env(name), cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


@pytest.fixture
def stack(live_services: Settings, session_id: str) -> Iterator[Stack]:
    from yuqing import es as es_setup
    from yuqing.kafka import delete_prefixed_topics
    from yuqing.settings import ElasticsearchSettings, KafkaSettings

    base = live_services
    prefix = f"{session_id}stack"
    kafka = KafkaSettings(**{**base.kafka.model_dump(), "topic_prefix": f"{prefix}."})
    es = ElasticsearchSettings(**{**base.es.model_dump(), "index_prefix": f"{prefix}-"})
    settings = base.model_copy(update={"kafka": kafka, "es": es})
    state = Path(tempfile.mkdtemp(prefix="yuqing-stack-data-"))
    state.chmod(0o750)
    readonly = Path(tempfile.mkdtemp(prefix="yuqing-stack-app-"))
    readonly.chmod(0o755)
    if os.geteuid() == 0:
        os.chown(readonly, 65534, 65534)  # nobody's: uid 0 without capabilities cannot write here
    stack = Stack(settings, state, readonly)
    yield stack
    client = es_setup.client(settings.es)
    try:
        es_setup.delete_prefixed(client, settings.es)
    finally:
        client.close()
    asyncio.run(delete_prefixed_topics(settings.kafka))
    for folder in (state, readonly, stack.logs):
        shutil.rmtree(folder, ignore_errors=True)


def _answers_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status < 500
    except OSError as exc:
        return getattr(exc, "code", 500) < 500


def _accepts(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), 3) as sock:
            return sock.recv(64).startswith(b"220")
    except OSError:
        return False


def test_the_stacks_services_stay_up_with_the_stacks_environment(stack: Stack) -> None:
    ours = [n for n, s in stack.services.items() if s.get("build") or "yuqing" in str(s.get("image", ""))]
    assert "init" in ours
    init = stack.start("init")
    assert init.wait(timeout=180) == 0, f"init failed:\n{stack.log('init')[-3000:]}"
    long_running = [n for n in ours if n != "init"]
    procs: dict[str, Any] = {name: stack.start(name) for name in long_running}
    try:
        deadline = time.monotonic() + UP_FOR_S
        crawled = False
        while time.monotonic() < deadline or not crawled:
            for name, proc in procs.items():
                assert proc.poll() is None, (
                    f"{name} exited with {proc.returncode} (compose would restart it forever):\n"
                    f"{' '.join(stack.argv(name))}\n{stack.log(name)[-3000:]}"
                )
            crawled = bool(re.search(r"^demo_\w+ +finished", stack.log("crawler"), re.M))
            if time.monotonic() > deadline + 60:
                break
            time.sleep(1.0)
        assert crawled, f"the crawler crawled no demo source:\n{stack.log('crawler')[-3000:]}"
        assert _answers_http(f"http://127.0.0.1:{stack.ports['demo']}/robots.txt")
        assert _accepts(stack.ports["mailbox"]), stack.log("mailbox")[-2000:]
        assert _answers_http(f"http://127.0.0.1:{stack.ports['web']}/"), stack.log("web")[-2000:]
        assert list((stack.state / "crawl").glob("demo_*.sqlite")), "no crawl state under /data/crawl"
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, 15)
        for proc in procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
                proc.wait(timeout=10)
