"""`yuqing services`: a private Kafka and Elasticsearch (own ports, own state dir) start from nothing, report
healthy, stop, and start again with their data kept. The shared services on the default ports are not touched.
"""

from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka.admin import NewTopic

from devtools.services import manager
from devtools.services.base import port_in_use
from yuqing import es as es_setup
from yuqing.errors import ServiceError
from yuqing.kafka import admin
from yuqing.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    try:
        for s in socks:
            s.bind(("127.0.0.1", 0))
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


def private_settings(base: Settings, state_dir: Path) -> Settings:
    kafka_port, controller_port, es_port = free_ports(3)
    services = base.services.model_copy(
        update={
            "state_dir": state_dir,
            "kafka_port": kafka_port,
            "kafka_controller_port": controller_port,
            "es_port": es_port,
            # Two more JVMs beside the shared ones on a small machine: keep them lean.
            "kafka_heap": "256m",
            "es_heap": "512m",
            "start_timeout_s": 240.0,
        }
    )
    kafka = base.kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{kafka_port}", "topic_prefix": ""})
    es = base.es.model_copy(update={"url": f"http://127.0.0.1:{es_port}", "index_prefix": ""})
    return base.model_copy(update={"services": services, "kafka": kafka, "es": es})


def cli_env(settings: Settings) -> dict[str, str]:
    s = settings.services
    return {
        **os.environ,
        "SERVICES_STATE_DIR": str(s.state_dir),
        "SERVICES_KAFKA_PORT": str(s.kafka_port),
        "SERVICES_KAFKA_CONTROLLER_PORT": str(s.kafka_controller_port),
        "SERVICES_ES_PORT": str(s.es_port),
    }


@pytest.fixture
def private(tmp_path: Path, settings: Settings) -> Iterator[Settings]:
    """Settings for services of this test alone; whatever it started is stopped and removed afterwards."""
    state = tmp_path / "state"
    private = private_settings(settings, state)
    yield private
    manager.down(private)
    for name in ("elasticsearch", "kafka"):
        link = state / name
        if link.is_symlink():  # out of the service user's reach: its files live in that user's home
            shutil.rmtree(link.resolve(), ignore_errors=True)


def _kafka_topics(settings: Settings) -> list[str]:
    async def run() -> list[str]:
        async with admin(settings.kafka) as client:
            return await client.list_topics()

    return asyncio.run(run())


def _create_topic(settings: Settings, name: str) -> None:
    async def run() -> None:
        async with admin(settings.kafka) as client:
            await client.create_topics([NewTopic(name, 2, 1)])

    asyncio.run(run())


def _uid(pid: int) -> int:
    line = next(x for x in Path(f"/proc/{pid}/status").read_text().splitlines() if x.startswith("Uid:"))
    return int(line.split()[1])


def test_start_from_nothing_stop_and_start_again_with_data_kept(private: Settings) -> None:
    s = private.services
    assert [st.state for st in manager.status(private)] == ["stopped", "stopped"]

    first = manager.up(private)
    assert [(st.name, st.healthy, st.port) for st in first] == [
        ("kafka", True, s.kafka_port),
        ("elasticsearch", True, s.es_port),
    ]
    assert all(st.pid for st in first)
    assert (s.state_dir / "logs" / "kafka" / "server.log").exists()
    # Least privilege: started by root, both run as the dedicated service user; data is theirs alone.
    service_uid = pwd.getpwnam(s.es_user).pw_uid if os.geteuid() == 0 else os.geteuid()
    for st in first:
        assert _uid(st.pid) == service_uid, f"{st.name} runs as uid {_uid(st.pid)}"
        data = st.data_dir.resolve()
        mode = data.stat().st_mode
        assert data.stat().st_uid == service_uid and mode & 0o077 == 0, f"{data} is not private: {mode:o}"
    assert (s.state_dir / "logs" / "elasticsearch.out").exists()

    # Idempotent: a second `up` finds them running and starts nothing.
    again = manager.up(private)
    assert [st.pid for st in again] == [st.pid for st in first]
    assert all(st.note == "already running" for st in again)
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "services", "status"],
        env=cli_env(private),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.count("healthy") == 2 and f"127.0.0.1:{s.es_port}" in proc.stdout

    # Some data in each.
    _create_topic(private, "keep.me")
    client = es_setup.client(private.es)
    client.index(index="keep-me", id="1", document={"text": "可邑小镇"}, refresh=True)
    client.close()

    lines = manager.down(private)
    assert [line.split(":")[0] for line in lines] == ["elasticsearch", "kafka"]
    assert all("stopped" in line for line in lines), lines
    assert [st.state for st in manager.status(private)] == ["stopped", "stopped"]
    assert not any(port_in_use(p) for p in (s.kafka_port, s.kafka_controller_port, s.es_port))
    assert not list((s.state_dir / "run").glob("*.pid"))
    es_out = (s.state_dir / "logs" / "elasticsearch.out").read_text(errors="replace")
    assert "exited unexpectedly" not in es_out and "closed" in es_out.splitlines()[-1]
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "services", "status"],
        env=cli_env(private),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 1 and proc.stdout.count("stopped") == 2

    second = manager.up(private)
    assert all(st.healthy and st.state == "started" for st in second)
    assert "keep.me" in _kafka_topics(private)
    client = es_setup.client(private.es)
    try:
        assert client.get(index="keep-me", id="1")["_source"] == {"text": "可邑小镇"}
    finally:
        client.close()
    assert "already: not running" not in " ".join(manager.down(private))


def test_a_failing_service_leaves_nothing_started(private: Settings) -> None:
    """Elasticsearch cannot start (a bad heap size): the Kafka this same `up` started is stopped again."""
    broken = private.model_copy(update={"services": private.services.model_copy(update={"es_heap": "lots"})})
    with pytest.raises(ServiceError) as info:
        manager.up(broken)
    assert info.value.service == "elasticsearch"
    assert [st.state for st in manager.status(broken)] == ["stopped", "stopped"]
    assert not port_in_use(broken.services.kafka_port)
