"""A deployment's YAML or environment mistake names the file (or variable), the key, and what is wrong."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from yuqing.config import load_gazetteer, load_stations
from yuqing.errors import ConfigError
from yuqing.settings import DEFAULT_CONFIG_DIR, load_settings


@pytest.fixture
def conf(tmp_path: Path) -> Path:
    """A copy of the shipped config folder to break."""
    for name in ("gazetteer.yaml", "stations.yaml"):
        shutil.copy(DEFAULT_CONFIG_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_files_load(conf: Path) -> None:
    assert load_stations(conf).station_for("可邑小镇") == "西三派出所"


def test_yaml_syntax_error_names_file_and_line(conf: Path) -> None:
    _edit(conf / "gazetteer.yaml", "spots:\n", "spots: [\n")
    with pytest.raises(ConfigError) as info:
        load_gazetteer(conf)
    assert info.value.file == str(conf / "gazetteer.yaml")
    assert info.value.key.startswith("line ") and "invalid YAML" in info.value.message


def test_missing_required_key(conf: Path) -> None:
    (conf / "gazetteer.yaml").write_text("spots:\n  - name: 可邑小镇\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_gazetteer(conf)
    assert (info.value.key, info.value.message) == ("city", "Field required")


def test_misspelt_key_in_a_spot(conf: Path) -> None:
    _edit(conf / "gazetteer.yaml", "    aliases: [可邑,", "    alias: [可邑,")
    with pytest.raises(ConfigError) as info:
        load_gazetteer(conf)
    assert info.value.key == "spots.3.alias" and "Extra inputs" in info.value.message


def test_alias_claimed_by_two_spots(conf: Path) -> None:
    _edit(conf / "gazetteer.yaml", "aliases: [白龙洞景区, 白龍洞]", "aliases: [白龙洞景区, 白龍洞, 可邑]")
    with pytest.raises(ConfigError, match="'可邑' belongs to both 可邑小镇 and 白龙洞"):
        load_gazetteer(conf)


def test_bad_duty_officer_email_names_the_path(conf: Path) -> None:
    _edit(conf / "stations.yaml", "xisan-duty@police.example", "xisan-duty at police")
    with pytest.raises(ConfigError) as info:
        load_stations(conf)
    assert info.value.file == str(conf / "stations.yaml")
    assert info.value.key == "stations.1.duty_officers.0.email"


def test_station_claims_an_unknown_spot(conf: Path) -> None:
    _edit(conf / "stations.yaml", "spots: [东风韵]", "spots: [东风韵, 石林]")
    with pytest.raises(ConfigError) as info:
        load_stations(conf)
    assert info.value.key == "stations.2.spots" and "unknown spot '石林'" in info.value.message


def test_empty_file(conf: Path) -> None:
    (conf / "stations.yaml").write_text("# nothing yet\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"stations\.yaml: file is empty"):
        load_stations(conf)


@pytest.mark.parametrize(
    ("variable", "value", "key", "fragment"),
    [
        ("KAFKA_PARTITIONS", "three", "partitions", "valid integer"),
        ("SERVICES_ES_PORT", "99999", "es_port", "less than or equal to 65535"),
        ("MODEL_RUNTIME", "tensorflow", "runtime", "'onnx' or 'torch'"),
        ("SMTP_STARTTLS", "perhaps", "starttls", "valid boolean"),
    ],
)
def test_bad_environment_value_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, variable: str, value: str, key: str, fragment: str
) -> None:
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(tmp_path))
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.file == f"environment variable {variable}"
    assert info.value.key == key and fragment in info.value.message


def test_bad_yaml_value_names_the_section(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(tmp_path))
    monkeypatch.delenv("SERVICES_ES_HEAP", raising=False)
    monkeypatch.delenv("SERVICES_START_TIMEOUT_S", raising=False)
    (tmp_path / "settings.yaml").write_text("services:\n  start_timeout_s: -5\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(tmp_path / "settings.yaml") in info.value.file and "section services:" in info.value.file
    assert info.value.key == "start_timeout_s" and "greater than 0" in info.value.message
