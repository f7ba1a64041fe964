"""`yuqing services up|down|status [--cluster]`: the local services as one unit, all or nothing."""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from devtools.services import layout as layouts
from devtools.services.base import Service, ServiceStatus, stop_all, wait_healthy
from devtools.services.elasticsearch import ElasticsearchService
from devtools.services.fetch import find_java
from devtools.services.kafka import KafkaService
from devtools.services.layout import Layout
from yuqing.errors import ServiceError
from yuqing.settings import Settings

log = logging.getLogger(__name__)

# Start order; `down` goes the other way.
KINDS = ("kafka", "elasticsearch")
ALIASES = {"es": "elasticsearch"}
Progress = Callable[[str], None]


def services_of(settings: Settings, layout: Layout) -> list[Service]:
    """Every node of the layout, Kafka's first."""
    s = settings.services
    kafka: list[Service] = [KafkaService(s, layout, node) for node in layout.kafka]
    return kafka + [ElasticsearchService(s, layout, node) for node in layout.es]


def select(settings: Settings, only: Sequence[str] | None = None, cluster: bool = False) -> list[Service]:
    """The nodes of the services named in `only` (all by default), in start order."""
    kinds = [ALIASES.get(n.lower(), n.lower()) for n in only or KINDS]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ServiceError("services", f"unknown service {unknown[0]!r}; known: {', '.join(KINDS)}")
    layout = layouts.of(settings.services, cluster)
    return [service for service in services_of(settings, layout) if service.kind in kinds]


@contextmanager
def _locked(state_dir: Path) -> Iterator[None]:
    """Serialise `up` and `down` on one state dir (two shells, or parallel test sessions)."""
    run = state_dir / "run"
    run.mkdir(parents=True, exist_ok=True)
    with (run / "services.lock").open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def up(
    settings: Settings,
    only: Sequence[str] | None = None,
    cluster: bool = False,
    progress: Progress | None = None,
) -> list[ServiceStatus]:
    """Fetch, start and wait for each node; a failure stops what this call started, then raises.

    A node already running is left as it is (`up` after a node died restarts that one).
    """
    services = select(settings, only, cluster)
    timeout_s = settings.services.start_timeout_s
    with _locked(services[0].layout.state_dir):
        statuses: dict[str, ServiceStatus] = {}
        to_start: list[Service] = []
        for service in services:
            current = service.status()
            if current.healthy:
                current.note = "already running"
                statuses[service.name] = current
            else:
                # Stopped, or ours but not answering yet (still starting, wedged, or a cluster node waiting
                # for a missing peer): handled below.
                to_start.append(service)
        if to_start:
            # Cheap checks first, so a taken port or a missing JDK fails before a long download.
            find_java(settings.services.java_home)
            for service in to_start:
                if service.pid() is None:
                    service.check_ports_free()
            for kind in KINDS:  # the nodes of one kind share one download
                first = next((s for s in to_start if s.kind == kind), None)
                if first is not None:
                    first.fetch()
        started: list[Service] = []
        try:
            # Every node starts at once, then all are waited for together: a cluster's controllers answer
            # only once a quorum of them runs, and Kafka and Elasticsearch start in parallel.
            for service in to_start:
                if service.pid() is None:
                    service.spawn()
                    started.append(service)
            for status in wait_healthy(to_start, timeout_s, progress):
                statuses[status.name] = status
        except BaseException:
            if started:
                log.warning("stopping %s: a node failed to start", ", ".join(s.name for s in started))
                stop_all(started)
            if not cluster:
                # The single node: a process of ours that never became healthy is wedged; stop it too. A
                # cluster's running nodes are kept: they serve again once the missing node is back.
                stop_all([s for s in to_start if s not in started])
            raise
        return [statuses[s.name] for s in services]


def down(settings: Settings, only: Sequence[str] | None = None, cluster: bool = False) -> list[str]:
    """Stop the nodes (reverse order), keeping their data."""
    services = select(settings, only, cluster)
    with _locked(services[0].layout.state_dir):
        lines: list[str] = []
        for kind in reversed(KINDS):
            lines += stop_all([s for s in reversed(services) if s.kind == kind])
        return lines


def status(settings: Settings, cluster: bool = False) -> list[ServiceStatus]:
    """Health, port, pid, version and data folder of each node."""
    return [service.status() for service in select(settings, cluster=cluster)]


def client_env(settings: Settings, cluster: bool = False) -> dict[str, str]:
    """The settings that point the project's commands at these services."""
    return layouts.of(settings.services, cluster).client_env()
