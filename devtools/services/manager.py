"""`yuqing services up|down|status`: the local services as one unit, all or nothing."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from devtools.services.base import Service, ServiceStatus
from devtools.services.elasticsearch import ElasticsearchService
from devtools.services.fetch import find_java
from devtools.services.kafka import KafkaService
from yuqing.errors import ServiceError
from yuqing.settings import Settings

log = logging.getLogger(__name__)

# Start order; `down` goes the other way.
SERVICES: dict[str, type[Service]] = {"kafka": KafkaService, "elasticsearch": ElasticsearchService}
ALIASES = {"es": "elasticsearch"}


def select(settings: Settings, only: Sequence[str] | None = None) -> list[Service]:
    """The services named in `only` (all by default), in start order."""
    names = [ALIASES.get(n.lower(), n.lower()) for n in only or SERVICES]
    unknown = [n for n in names if n not in SERVICES]
    if unknown:
        raise ServiceError("services", f"unknown service {unknown[0]!r}; known: {', '.join(SERVICES)}")
    return [cls(settings.services) for name, cls in SERVICES.items() if name in names]


@contextmanager
def _locked(settings: Settings) -> Iterator[None]:
    """Serialise `up` and `down` on one state dir (two shells, or parallel test sessions)."""
    run = settings.services.state_dir / "run"
    run.mkdir(parents=True, exist_ok=True)
    with (run / "services.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def up(settings: Settings, only: Sequence[str] | None = None) -> list[ServiceStatus]:
    """Fetch, start and wait for each service; a failure stops what this call started, then raises."""
    services = select(settings, only)
    with _locked(settings):
        statuses: dict[str, ServiceStatus] = {}
        to_start: list[Service] = []
        for service in services:
            current = service.status()
            if current.healthy:
                current.note = "already running"
                statuses[service.name] = current
            else:
                # Stopped, or ours but not answering yet (still starting, or wedged): handled below.
                to_start.append(service)
        if to_start:
            # Cheap checks first, so a taken port or a missing JDK fails before a long download.
            find_java(settings.services.java_home)
            for service in to_start:
                if service.pid() is None:
                    service.check_ports_free()
            for service in to_start:
                service.fetch()
        started: list[Service] = []
        try:
            for service in to_start:
                if service.pid() is not None:
                    statuses[service.name] = _wait_existing(service)
                    continue
                statuses[service.name] = service.start()
                started.append(service)
        except BaseException:
            for service in reversed(started):
                log.warning("stopping %s: another service failed to start", service.name)
                service.stop()
            raise
        return [statuses[s.name] for s in services]


def _wait_existing(service: Service) -> ServiceStatus:
    """A process of ours that is not healthy yet: wait for it like a fresh start, stop it if it never is."""
    deadline = time.monotonic() + service.settings.start_timeout_s
    note = ""
    while time.monotonic() < deadline:
        status = service.status()
        if status.healthy or status.pid is None:
            break
        note = status.note
        time.sleep(0.5)
    else:
        service.stop()
        raise ServiceError(service.name, f"was running but never became healthy ({note}); stopped it")
    if status.pid is None:
        raise ServiceError(service.name, f"exited while starting; see {service.out_file}")
    return status


def down(settings: Settings, only: Sequence[str] | None = None) -> list[str]:
    """Stop the services (reverse order), keeping their data."""
    services = select(settings, only)
    with _locked(settings):
        return [service.stop() for service in reversed(services)]


def status(settings: Settings) -> list[ServiceStatus]:
    """Health, port, pid, version and data folder of each service."""
    return [service.status() for service in select(settings)]
