"""The one settings object: environment variables over `config/settings.yaml` over defaults.

Each group has its own environment prefix (`KAFKA_`, `ES_`, `SMTP_`, `MODEL_`, `STREAM_`, `SERVICES_`,
`WEB_`, `REPORT_`), and the same keys may stand in `config/settings.yaml` under the group's name (`kafka:`,
`es:` ...).
The folder holding the YAML files is `YUQING_CONFIG_DIR` (default: `config/` of the checkout).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar, Literal

import yaml
from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from yuqing.errors import ConfigError

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CONFIG_DIR = REPO_ROOT / "config"
SETTINGS_FILE = "settings.yaml"


def config_dir() -> Path:
    """The folder of YAML files a deployment edits."""
    return Path(os.environ.get("YUQING_CONFIG_DIR", DEFAULT_CONFIG_DIR)).expanduser()


def read_yaml(path: Path) -> Any:
    """Parse one YAML file; a syntax error names the file and the line."""
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(str(path), "", "file not found") from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark else ""
        raise ConfigError(str(path), where, f"invalid YAML: {getattr(exc, 'problem', exc)}") from exc


class _YamlGroupSource(PydanticBaseSettingsSource):
    """Reads one group (`kafka:`, `es:` ...) of `settings.yaml`; environment variables still win."""

    def __init__(self, settings_cls: type[BaseSettings], group: str) -> None:
        super().__init__(settings_cls)
        path = config_dir() / SETTINGS_FILE
        data = read_yaml(path) if path.exists() else {}
        section = (data or {}).get(group) or {}
        if not isinstance(section, dict):
            raise ConfigError(str(path), group, "must be a mapping of settings")
        self._values = section

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self._values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self._values)


class _Group(BaseSettings):
    """A settings group; subclasses set `yaml_group` to their YAML section name."""

    yaml_group: ClassVar[str] = ""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, _YamlGroupSource(settings_cls, cls.yaml_group)


class KafkaSettings(_Group):
    """Where Kafka is and how the project's topics are laid out."""

    model_config = SettingsConfigDict(env_prefix="KAFKA_", extra="forbid")
    yaml_group: ClassVar[str] = "kafka"

    bootstrap_servers: str = Field("127.0.0.1:9092", description="host:port[,host:port...] of the brokers")
    partitions: int = Field(3, ge=1, description="partitions of each project topic (the unit of scale)")
    replication_factor: int = Field(
        1, ge=1, description="replicas of each topic, the stream's own included (3 on the local cluster)"
    )
    min_insync_replicas: int = Field(
        1,
        ge=1,
        description="replicas that must have a write before it is confirmed (at most the replication factor)",
    )
    topic_prefix: str = Field("", description="prefix for every topic name (isolates tests and tenants)")
    request_timeout_s: float = Field(15.0, gt=0, description="admin and produce timeout")
    raw_retention_days: int = Field(
        365,
        ge=1,
        description="how long posts.raw is kept (how far back `yuqing replay` reaches); set at creation",
    )

    @model_validator(mode="after")
    def _isr_within_replicas(self) -> KafkaSettings:
        # Kafka accepts a larger min.insync.replicas, then refuses every acks=all write to the topic.
        if self.min_insync_replicas > self.replication_factor:
            raise ValueError(
                f"KAFKA_MIN_INSYNC_REPLICAS ({self.min_insync_replicas}) exceeds KAFKA_REPLICATION_FACTOR "
                f"({self.replication_factor}): no write could ever be confirmed"
            )
        return self

    def topic(self, name: str) -> str:
        """The full name of a project topic."""
        return f"{self.topic_prefix}{name}"


class ElasticsearchSettings(_Group):
    """Where Elasticsearch is and how indices are named."""

    model_config = SettingsConfigDict(env_prefix="ES_", extra="forbid")
    yaml_group: ClassVar[str] = "es"

    url: str = Field(
        "http://127.0.0.1:9200",
        description="base URL of the cluster; several nodes comma-separated (requests move on from one down)",
    )
    username: str | None = Field(None, description="basic-auth user, if security is on")
    password: SecretStr | None = Field(None, description="basic-auth password")
    index_prefix: str = Field("", description="prefix for every index, template and alias name")
    request_timeout_s: float = Field(30.0, gt=0, description="per-request timeout")
    shards: int = Field(1, ge=1, description="primary shards of each posts index")
    replicas: int = Field(0, ge=0, description="replicas of each index (0 on a single node)")

    @property
    def urls(self) -> list[str]:
        """Each node's base URL (ES_URL may list several)."""
        return [u.strip() for u in self.url.split(",") if u.strip()]

    def name(self, base: str) -> str:
        """The full name of an index, alias or template."""
        return f"{self.index_prefix}{base}"


class SmtpSettings(_Group):
    """The mail relay that carries alert e-mails."""

    model_config = SettingsConfigDict(env_prefix="SMTP_", extra="forbid")
    yaml_group: ClassVar[str] = "smtp"

    host: str = Field("127.0.0.1", description="SMTP relay host")
    port: int = Field(8025, ge=1, le=65535, description="SMTP relay port")
    username: str | None = Field(None, description="login user, if the relay needs one")
    password: SecretStr | None = Field(None, description="login password")
    starttls: bool = Field(False, description="upgrade the connection with STARTTLS")
    sender: str = Field("yuqing-alerts@localhost", description="From: address of alert e-mails")
    timeout_s: float = Field(10.0, gt=0, description="connect and send timeout")


class ModelSettings(_Group):
    """Which checkpoint scores posts, and how."""

    model_config = SettingsConfigDict(env_prefix="MODEL_", extra="forbid", protected_namespaces=())
    yaml_group: ClassVar[str] = "model"

    path: Path = Field(REPO_ROOT / "models" / "shipped", description="Hugging Face format checkpoint folder")
    runtime: Literal["onnx", "torch"] = Field("onnx", description="inference engine")
    batch_size: int = Field(32, ge=1, description="micro-batch size for scoring")
    max_length: int = Field(256, ge=16, description="encoder window in tokens (longer: overlapping windows)")
    threads: int = Field(2, ge=1, description="intra-op threads (the machine's cores)")


class StreamSettings(_Group):
    """The Faust stream workers: batching, events, alerting."""

    model_config = SettingsConfigDict(env_prefix="STREAM_", extra="forbid")
    yaml_group: ClassVar[str] = "stream"

    app_id: str = Field(
        "yuqing-stream", description="Faust app id (consumer group; prefixes changelog topics)"
    )
    batch_size: int = Field(64, ge=1, description="posts scored (and indexed) together at most")
    batch_within_s: float = Field(0.2, gt=0, description="longest wait to fill a batch")
    event_window_h: float = Field(
        48.0, gt=0, description="a near-duplicate joins an event seen this recently"
    )
    simhash_distance: int = Field(10, ge=0, le=20, description="max Hamming distance of near-duplicates")
    incident_window_min: float = Field(
        30.0, gt=0, description="a post about the same happening at the same place joins an event this recent"
    )
    members_keep_h: float = Field(
        72.0, gt=0, description="how long the stream remembers a post id (re-crawls within it are not new)"
    )
    update_every_min: float = Field(
        5.0, ge=0, description="at most one update e-mail per alert this often (escalations go at once)"
    )
    alert_refresh_s: float = Field(
        1.0, ge=0, description="at most one refresh of an alert's counts this often (per alert)"
    )
    fast_lane_per_min: int = Field(
        12, ge=0, description="urgent candidates of one place sent to the fast lane per minute (0: no lane)"
    )
    retry_max_s: float = Field(30.0, gt=0, description="longest pause between retries of ES or SMTP")
    digest_every_min: float = Field(
        15.0, gt=0, description="how often low-severity alerts go out as a digest"
    )
    stats_every_s: float = Field(5.0, gt=0, description="how often a worker writes its counters")
    silence_check_s: float = Field(60.0, gt=0, description="how often the silence rule looks at sources")
    session_timeout_s: float = Field(
        10.0,
        ge=6,
        le=60,
        description="a worker silent this long loses its partitions to the others (failover)",
    )
    data_dir: Path | None = Field(
        None,
        description="the workers' local Faust data, a folder per app id",
        json_schema_extra={"doc_default": "$SERVICES_STATE_DIR/stream"},
    )


class ServicesSettings(_Group):
    """Local Kafka and Elasticsearch without Docker: versions, where they are cached and kept."""

    model_config = SettingsConfigDict(env_prefix="SERVICES_", extra="forbid")
    yaml_group: ClassVar[str] = "services"

    home: Path = Field(
        Path(os.environ.get("YUQING_HOME", "~/.cache/yuqing")).expanduser(),
        description="download cache shared by every checkout (YUQING_HOME)",
        json_schema_extra={"doc_default": "$YUQING_HOME or ~/.cache/yuqing"},
    )
    state_dir: Path = Field(REPO_ROOT / "var", description="data and logs of the local services")
    kafka_version: str = Field("4.1.1", description="Apache Kafka version (Maven Central jars)")
    kafka_port: int = Field(9092, ge=1, le=65535, description="Kafka broker port on 127.0.0.1")
    kafka_controller_port: int = Field(9093, ge=1, le=65535, description="KRaft controller port")
    kafka_heap: str = Field("512m", description="Kafka JVM heap")
    es_version: str = Field("8.19.4", description="Elasticsearch version (integ-test-zip)")
    es_port: int = Field(9200, ge=1, le=65535, description="Elasticsearch HTTP port on 127.0.0.1")
    es_heap: str = Field("1g", description="Elasticsearch JVM heap")
    es_user: str = Field("yuqing-es", description="non-root user that runs Elasticsearch")
    java_home: Path | None = Field(None, description="JDK for both services (default: the one on PATH)")
    maven_repo: str = Field("https://repo1.maven.org/maven2", description="Maven repository to fetch from")
    start_timeout_s: float = Field(120.0, gt=0, description="how long to wait for a service to be healthy")
    # The local cluster (`yuqing services up --cluster`): its own ports and state, so it runs beside the
    # single node. Node n (from 1) listens on the first port + n - 1.
    cluster_state_dir: Path | None = Field(
        None,
        description="data and logs of the local cluster",
        json_schema_extra={"doc_default": "$SERVICES_STATE_DIR/cluster"},
    )
    cluster_kafka_nodes: int = Field(
        3, ge=1, le=9, description="Kafka nodes of the cluster, each a broker and a voting controller"
    )
    cluster_kafka_port: int = Field(19092, ge=1, le=65526, description="broker port of the first Kafka node")
    cluster_kafka_controller_port: int = Field(
        19192, ge=1, le=65526, description="controller port of the first Kafka node"
    )
    cluster_kafka_heap: str = Field("384m", description="JVM heap of each cluster Kafka node")
    cluster_es_nodes: int = Field(2, ge=1, le=9, description="Elasticsearch nodes of the cluster")
    cluster_es_port: int = Field(
        19200, ge=1, le=65526, description="HTTP port of the first Elasticsearch node"
    )
    cluster_es_transport_port: int = Field(
        19300, ge=1, le=65526, description="transport (node-to-node) port of the first Elasticsearch node"
    )
    cluster_es_heap: str = Field("768m", description="JVM heap of each cluster Elasticsearch node")

    @property
    def cluster_dir(self) -> Path:
        """Where the local cluster keeps its data and logs."""
        return self.cluster_state_dir or self.state_dir / "cluster"


class WebSettings(_Group):
    """The dashboard web app."""

    model_config = SettingsConfigDict(env_prefix="WEB_", extra="forbid")
    yaml_group: ClassVar[str] = "web"

    environment: Literal["development", "production"] = Field("development", description="deployment kind")
    host: str = Field("127.0.0.1", description="bind address")
    port: int = Field(8000, ge=1, le=65535, description="bind port")
    secret_key: SecretStr = Field(SecretStr("change-me"), description="session signing key")
    public_url: str = Field("http://127.0.0.1:8000", description="base URL used in alert e-mail links")
    session_ttl_min: int = Field(480, ge=1, description="minutes a login stays valid (a duty shift)")
    idle_timeout_min: float = Field(
        30.0, ge=0, description="minutes without a request after which a session ends (0: never)"
    )
    cookie_secure: bool = Field(
        False, description="send cookies over HTTPS only (always so when WEB_PUBLIC_URL is https)"
    )
    login_max_failures: int = Field(
        5, ge=1, description="wrong passwords for one name from one address before that pair must wait"
    )
    login_max_failures_per_address: int = Field(
        20, ge=1, description="failed logins from one address (any names) before the address must wait"
    )
    login_lockout_s: int = Field(300, ge=1, description="the window failed logins are counted over (seconds)")
    max_body_bytes: int = Field(1_048_576, ge=1024, description="largest request body accepted (else 413)")
    json_max_depth: int = Field(32, ge=2, description="deepest nesting of a JSON body accepted (else 400)")
    query_max_chars: int = Field(200, ge=10, description="longest search query accepted")
    export_max_rows: int = Field(5000, ge=1, le=10000, description="most rows one CSV export writes")
    screen_refresh_s: float = Field(
        1.0, gt=0, description="how often the screen's and the console's streams look for new data (seconds)"
    )
    screen_heartbeat_s: float = Field(
        15.0, gt=0, description="the screen's stream sends at least this often, even when nothing changed"
    )
    screen_stale_s: float = Field(
        60.0, gt=0, description="seconds without a server message before the screen shows 'N 分钟未更新'"
    )
    kibana_url: str = Field("http://127.0.0.1:5601", description="Kibana that `yuqing kibana import` loads")
    chromium: str = Field("/usr/bin/chromium", description="the browser that prints 公安提示函 as PDF")

    @property
    def secure_cookies(self) -> bool:
        """Cookies carry the Secure flag when asked to, and whenever the site is served over HTTPS."""
        return self.cookie_secure or self.public_url.strip().lower().startswith("https://")

    @model_validator(mode="after")
    def _refuse_weak_secret(self) -> WebSettings:
        # Development keeps the default; production signs sessions with a key nobody can guess.
        if self.environment == "production" and _weak_secret(self.secret_key.get_secret_value()):
            raise ValueError(
                "WEB_SECRET_KEY must be set in production: a random string of at least "
                f"{MIN_SECRET_CHARS} characters (e.g. `openssl rand -hex 32`), not the default"
            )
        return self


HHMM = r"^([01]\d|2[0-3]):[0-5]\d$"


class ReportSettings(_Group):
    """Reports (日报, 周报): when `yuqing report send-due` mails them to `report_roster` (stations.yaml)."""

    model_config = SettingsConfigDict(env_prefix="REPORT_", extra="forbid")
    yaml_group: ClassVar[str] = "report"

    daily_at: str = Field(
        "08:00", pattern=HHMM, description="Mile time the daily report of the day before is due"
    )
    weekly_day: Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"] = Field(
        "mon", description="the day the weekly report of the week before is due"
    )
    weekly_at: str = Field(
        "08:00", pattern=HHMM, description="Mile time the weekly report is due on that day"
    )
    send_tries: int = Field(
        3, ge=1, le=10, description="SMTP attempts in one run before the next run retries"
    )


MIN_SECRET_CHARS = 32


def _weak_secret(key: str) -> bool:
    """Empty, the default, short, few distinct characters, or a short unit repeated (`12345678` * 4)."""
    key = key.strip()
    repeated = (key + key).find(key, 1) < len(key)
    return key in ("", "change-me") or len(key) < MIN_SECRET_CHARS or len(set(key)) < 8 or repeated


class Settings(BaseSettings):
    """All settings, grouped."""

    model_config = SettingsConfigDict(extra="forbid")

    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    es: ElasticsearchSettings = Field(default_factory=ElasticsearchSettings)
    smtp: SmtpSettings = Field(default_factory=SmtpSettings)
    model: ModelSettings = Field(default_factory=ModelSettings)
    stream: StreamSettings = Field(default_factory=StreamSettings)
    services: ServicesSettings = Field(default_factory=ServicesSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    report: ReportSettings = Field(default_factory=ReportSettings)

    @property
    def config_dir(self) -> Path:
        return config_dir()


# The groups by their attribute on Settings (kafka, es, ...): the configuration reference is built from them.
GROUPS: dict[str, type[_Group]] = {
    "kafka": KafkaSettings,
    "es": ElasticsearchSettings,
    "smtp": SmtpSettings,
    "model": ModelSettings,
    "stream": StreamSettings,
    "services": ServicesSettings,
    "web": WebSettings,
    "report": ReportSettings,
}


def env_variables() -> dict[str, tuple[type[_Group], str]]:
    """Every environment variable the settings read, with its group and field."""
    return {
        f"{group.model_config.get('env_prefix', '')}{field}".upper(): (group, field)
        for group in GROUPS.values()
        for field in group.model_fields
    }


def reference() -> str:
    """The configuration reference as Markdown (README.md carries it; `make docs` refreshes it)."""
    out: list[str] = []
    for key, group in GROUPS.items():
        prefix = group.model_config.get("env_prefix", "")
        out += [f"**{group.__doc__.strip()}** (`{prefix}*`, or `{key}:` in `config/settings.yaml`)", ""]
        out += ["| variable | default | meaning |", "| --- | --- | --- |"]
        for name, info in group.model_fields.items():
            extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
            default = extra.get("doc_default", info.default)
            if isinstance(default, SecretStr):
                default = default.get_secret_value()
            if default is None or default == "":
                shown = "(none)" if default is None else "(empty)"
            else:
                shown = "`" + str(default).replace(str(REPO_ROOT), "<repo>") + "`"
            out.append(f"| `{(prefix + name).upper()}` | {shown} | {info.description} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def load_settings() -> Settings:
    """Build the settings; a bad value raises ConfigError naming the file (or variable) and the key."""
    try:
        return Settings()
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"])
        raise ConfigError(_source_of(exc.title, err["loc"]), key, err["msg"]) from exc


def _source_of(group_title: str, loc: tuple[Any, ...]) -> str:
    """Where a bad value came from: the environment variable when it is set, else the YAML section."""
    yaml_path = config_dir() / SETTINGS_FILE
    group = next((g for g in GROUPS.values() if g.__name__ == group_title), None)
    if group is None or not loc:
        return f"{yaml_path} or environment ({group_title})"
    variable = f"{group.model_config.get('env_prefix', '')}{loc[0]}".upper()
    if any(name.upper() == variable for name in os.environ):
        return f"environment variable {variable}"
    return f"{yaml_path} (section {group.yaml_group}:, or environment variable {variable})"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call `get_settings.cache_clear()`)."""
    return load_settings()
