"""`yuqing services` fails fast with one clear line: a taken port, no Java, a failing download, a bad name;
its logs are readable by their owner and group only."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from devtools.services import manager
from devtools.services.base import ServiceStatus, open_log, port_in_use
from devtools.services.kafka import api_versions_ok
from yuqing.errors import ServiceError
from yuqing.settings import Settings, load_settings


@pytest.fixture
def listener() -> Iterator[int]:
    """A port held by something that is not ours."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settings(tmp_path: Path, **services: object) -> Settings:
    base = load_settings()
    values = {
        "state_dir": tmp_path / "state",
        "kafka_port": _free_port(),
        "kafka_controller_port": _free_port(),
        "es_port": _free_port(),
        **services,
    }
    return base.model_copy(update={"services": base.services.model_copy(update=values)})


def test_taken_port_is_named_with_its_setting(tmp_path: Path, listener: int) -> None:
    settings = _settings(tmp_path, es_port=listener)
    with pytest.raises(ServiceError) as info:
        manager.up(settings, only=["kafka", "es"])
    assert info.value.service == "elasticsearch"
    assert f"port {listener} is already taken" in str(info.value) and "SERVICES_ES_PORT" in str(info.value)
    # Checked before anything started or downloaded: Kafka did not start either.
    assert not list((tmp_path / "state" / "run").glob("*.pid"))
    assert not port_in_use(settings.services.kafka_port)


def test_missing_java_is_one_clear_error(tmp_path: Path) -> None:
    settings = _settings(tmp_path, java_home=tmp_path / "no-jdk")
    with pytest.raises(ServiceError) as info:
        manager.up(settings)
    assert info.value.service == "java"
    assert str(tmp_path / "no-jdk" / "bin" / "java") in str(info.value)


def test_failing_download_names_the_url_and_leaves_no_partial_file(tmp_path: Path) -> None:
    dead = f"http://127.0.0.1:{_free_port()}/maven2"
    settings = _settings(tmp_path, home=tmp_path / "cache", maven_repo=dead)
    with pytest.raises(ServiceError) as info:
        manager.up(settings, only=["elasticsearch"])
    assert info.value.service == "elasticsearch"
    assert f"download of {dead}/org/elasticsearch/" in str(info.value) and "failed" in str(info.value)
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]
    assert leftovers == []


def test_unknown_service_name(tmp_path: Path) -> None:
    with pytest.raises(ServiceError, match="unknown service 'zookeeper'"):
        manager.up(_settings(tmp_path), only=["zookeeper"])


def test_command_line_exit_code_and_single_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "SERVICES_JAVA_HOME": str(tmp_path / "no-jdk"),
        "SERVICES_STATE_DIR": str(tmp_path / "state"),
        "SERVICES_KAFKA_PORT": str(_free_port()),
        "SERVICES_KAFKA_CONTROLLER_PORT": str(_free_port()),
        "SERVICES_ES_PORT": str(_free_port()),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "services", "up"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 3
    errors = [line for line in proc.stderr.splitlines() if line.startswith("service error:")]
    assert errors == [
        f"service error: java: {tmp_path / 'no-jdk' / 'bin' / 'java'} does not exist "
        "(check SERVICES_JAVA_HOME / JAVA_HOME)"
    ]


def test_bad_setting_is_a_configuration_error(tmp_path: Path) -> None:
    env = {**os.environ, "SERVICES_ES_PORT": "99999"}
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing.cli", "services", "status"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "environment variable SERVICES_ES_PORT: es_port:" in proc.stderr


def test_health_probe_rejects_a_non_kafka_server() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]

        def answer() -> None:
            conn, _ = server.accept()
            with conn:
                conn.recv(100)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n")

        thread = threading.Thread(target=answer, daemon=True)
        thread.start()
        ok, note = api_versions_ok(port)
        thread.join(5)
    assert not ok and note
    assert api_versions_ok(_free_port())[0] is False


def test_status_line_shows_what_an_operator_needs() -> None:
    line = ServiceStatus("kafka", "healthy", True, 9092, 1234, "4.1.1", Path("/srv/var/kafka/data")).line()
    for part in ("kafka", "healthy", "127.0.0.1:9092", "pid 1234", "4.1.1", "/srv/var/kafka/data"):
        assert part in line


def test_service_logs_are_not_world_readable(tmp_path: Path) -> None:
    old = tmp_path / "kafka.out"
    old.write_text("before")
    old.chmod(0o644)
    for path in (old, tmp_path / "elasticsearch.out"):
        with open_log(path) as out:
            out.write(b"line\n")
        assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert old.read_text() == "beforeline\n"
