"""The one settings object: YAML under config/, environment over YAML, clear errors."""

from pathlib import Path

import pytest

from yuqing.errors import ConfigError
from yuqing.settings import load_settings


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(tmp_path))
    for name in ("KAFKA_PARTITIONS", "ES_URL", "WEB_ENVIRONMENT", "WEB_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_yaml_sets_values_and_environment_wins(config_dir: Path, monkeypatch) -> None:
    (config_dir / "settings.yaml").write_text("kafka:\n  partitions: 6\nes:\n  url: http://es:9200\n")
    assert load_settings().kafka.partitions == 6
    monkeypatch.setenv("KAFKA_PARTITIONS", "12")
    settings = load_settings()
    assert settings.kafka.partitions == 12 and settings.es.url == "http://es:9200"


def test_bad_value_names_the_key(config_dir: Path) -> None:
    (config_dir / "settings.yaml").write_text("kafka:\n  partitions: many\n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.key == "partitions" and "integer" in info.value.message


def test_unknown_key_is_refused(config_dir: Path) -> None:
    (config_dir / "settings.yaml").write_text("es:\n  ulr: http://typo\n")
    with pytest.raises(ConfigError, match="ulr"):
        load_settings()


def test_broken_yaml_names_file_and_line(config_dir: Path) -> None:
    (config_dir / "settings.yaml").write_text("kafka:\n  partitions: [1\n")
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.file.endswith("settings.yaml") and info.value.key.startswith("line")


def test_default_secret_refused_in_production(config_dir: Path, monkeypatch) -> None:
    assert load_settings().web.secret_key.get_secret_value() == "change-me"  # development keeps working
    monkeypatch.setenv("WEB_ENVIRONMENT", "production")
    with pytest.raises(ConfigError, match="WEB_SECRET_KEY"):
        load_settings()
    monkeypatch.setenv("WEB_SECRET_KEY", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08")
    assert load_settings().web.environment == "production"


@pytest.mark.parametrize(
    "key",
    ["", "   ", "change-me", "a-real-secret-from-the-vault", "a" * 64, "ab" * 32, "12345678" * 4 + " "],
)
def test_trivial_secret_refused_in_production(key: str, config_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("WEB_ENVIRONMENT", "production")
    monkeypatch.setenv("WEB_SECRET_KEY", key)
    with pytest.raises(ConfigError, match="at least 32 characters"):
        load_settings()
    monkeypatch.setenv("WEB_ENVIRONMENT", "development")
    assert load_settings().web.environment == "development"  # any key will do in development


def test_topic_and_index_prefixes(config_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAFKA_TOPIC_PREFIX", "t1.")
    monkeypatch.setenv("ES_INDEX_PREFIX", "t1-")
    settings = load_settings()
    assert settings.kafka.topic("posts.raw") == "t1.posts.raw"
    assert settings.es.name("posts") == "t1-posts"
