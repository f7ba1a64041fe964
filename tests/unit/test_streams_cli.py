"""`yuqing worker` refuses to start on a broken configuration or without Kafka: one line, an exit code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from yuqing.settings import DEFAULT_CONFIG_DIR

WORKER = [sys.executable, "-m", "yuqing.cli", "worker"]


def _run(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(WORKER, env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def test_a_bad_rules_file_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    text = (config / "rules.yaml").read_text(encoding="utf-8").replace("window: 30m", "window: soon", 1)
    (config / "rules.yaml").write_text(text, encoding="utf-8")
    out = _run({"YUQING_CONFIG_DIR": str(config)})
    assert out.returncode == 2
    assert "rules.yaml" in out.stderr and "window" in out.stderr and "not a duration" in out.stderr


def test_kafka_unreachable_is_exit_3() -> None:
    out = _run({"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:9", "KAFKA_REQUEST_TIMEOUT_S": "2"})
    assert out.returncode == 3 and "kafka" in out.stderr.lower()


def test_faust_keeps_its_data_beside_the_services_state_not_in_the_working_directory(
    tmp_path: Path, monkeypatch
) -> None:
    from streams.app import app_config
    from yuqing.settings import Settings

    monkeypatch.setenv("SERVICES_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("STREAM_APP_ID", "datadir-test")
    config = app_config(Settings())
    datadir = Path(config["datadir"].format(conf=type("Conf", (), {"name": config["id"]})))
    assert datadir.parent == tmp_path / "state" / "stream" and datadir.name == config["id"]
    assert datadir.parent.is_dir()  # Faust itself makes only the last level
    monkeypatch.setenv("STREAM_DATA_DIR", str(tmp_path / "faust"))
    assert Path(app_config(Settings())["datadir"]).parent == tmp_path / "faust"


def test_a_bad_lexicon_is_exit_2_naming_the_key(tmp_path: Path) -> None:
    config = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, config)
    text = (config / "lexicon.yaml").read_text(encoding="utf-8").replace("  harm: [", "  harms: [", 1)
    (config / "lexicon.yaml").write_text(text, encoding="utf-8")
    out = _run({"YUQING_CONFIG_DIR": str(config)})
    assert out.returncode == 2
    assert "lexicon.yaml" in out.stderr and "reports.harm" in out.stderr
