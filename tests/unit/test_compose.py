"""docker-compose.yml and the Dockerfile stay true to the code.

The file follows the Compose spec; every command is a real one that answers `--help`; environment names are
settings; ports, versions and the order of start match; named volumes are folders the image gives its user;
enabled sources point at hosts the stack has. Whether the long-running commands stay up with the stack's
environment is tests/integration/test_compose_stack.py.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml

from crawlers.sources import load_sources
from yuqing import cli
from yuqing.settings import (
    REPO_ROOT,
    ElasticsearchSettings,
    KafkaSettings,
    ServicesSettings,
    WebSettings,
    env_variables,
)

COMPOSE = REPO_ROOT / "docker-compose.yml"
DOCKERFILE = REPO_ROOT / "Dockerfile"
SOURCES = REPO_ROOT / "config" / "sources.yaml"
# Read by the code outside the settings groups (yuqing/settings.py): the config folder and the cache.
OTHER_VARIABLES = {"YUQING_CONFIG_DIR", "YUQING_HOME"}
# `${NAME}` references in the sources file are environment too (the demo site's address is DEMO_BASE).
SOURCE_VARIABLES = set(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)", SOURCES.read_text(encoding="utf-8")))
LONG_RUNNING = ("kibana", "demo", "mailbox", "web")  # and every Kafka and Elasticsearch node
IMAGE_ENTRYPOINT = ["tini", "--", "yuqing"]


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the project's own image."""
    found = {n: s for n, s in compose["services"].items() if s.get("build") or "yuqing" in s.get("image", "")}
    assert {"init", "demo", "crawler", "worker", "mailbox", "web"} <= set(found)
    return found


def argv(service: dict[str, Any]) -> list[str]:
    """What the container runs: its entrypoint (the image's unless overridden) and its command."""
    return [*service.get("entrypoint", IMAGE_ENTRYPOINT), *service.get("command", [])]


def yuqing_args(service: dict[str, Any]) -> list[str] | None:
    """The arguments of `yuqing` when the service runs the CLI, else None."""
    run = argv(service)
    return run[3:] if run[:3] == IMAGE_ENTRYPOINT else None


def resolved_env(service: dict[str, Any]) -> dict[str, str]:
    """The service's environment with `${VAR:?...}` / `${VAR:-default}` filled as `docker compose` would."""
    given = {"WEB_SECRET_KEY": "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}

    def fill(match: re.Match[str]) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name in given:
            return given[name]
        assert op == ":-", f"${{{name}}} has no default and the test gives it no value"
        return rest

    pattern = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(:[?-])?([^}]*)\}")
    return {k: pattern.sub(fill, str(v)) for k, v in (service.get("environment") or {}).items()}


def option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _subcommands(command: Any) -> dict[str, Any] | None:
    """A group's sub-commands (Typer ships its own Click, so no isinstance on click's classes)."""
    return getattr(command, "commands", None)


@pytest.fixture(scope="module")
def commands() -> Any:
    cli._register_stage_commands()
    group = typer.main.get_command(cli.app)
    assert {"services", "init"} <= set(_subcommands(group) or {})
    return group


def _resolve(group: Any, args: list[str]) -> tuple[Any, list[str]]:
    """Walk sub-commands (`services up`) and return the command with the arguments left for it."""
    command = group
    while _subcommands(command) is not None and args and not args[0].startswith("-"):
        name, args = args[0], args[1:]
        sub = command.commands.get(name)
        assert sub is not None, f"`yuqing {name}` does not exist (or its stage fails to load)"
        command = sub
    return command, args


def test_compose_file_follows_the_compose_spec() -> None:
    """Validated by the compose_spec library (a Rust implementation of the Compose specification).

    YAML merge keys (`<<: *yuqing`) are resolved first, as `docker compose` does.
    """
    from compose_spec import PyCompose

    data = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    parsed = PyCompose.from_yaml(yaml.safe_dump(data))
    assert set(parsed.service_names()) == set(data["services"])
    broken = {
        **data,
        "services": {**data["services"], "web": {**data["services"]["web"], "restart": "often"}},
    }
    with pytest.raises(ValueError, match="restart"):
        PyCompose.from_yaml(yaml.safe_dump(broken))


def test_every_command_exists_with_its_options(ours, commands) -> None:
    for name, service in ours.items():
        args = yuqing_args(service)
        if args is None:
            continue  # not the CLI (the demo site): test_every_command_answers_help runs it
        command, rest = _resolve(commands, args)
        runnable = _subcommands(command) is None or getattr(command, "invoke_without_command", False)
        assert runnable, f"{name}: `yuqing {' '.join(args)}` names a group that does nothing by itself"
        options = {opt for p in command.params for opt in p.opts}
        for word in rest:
            if word.startswith("-"):
                assert word.split("=")[0] in options, f"{name}: `yuqing {args[0]}` has no option {word}"


def test_every_command_answers_help(ours) -> None:
    """Each service's program, run the way the container runs it (without tini), answers `--help`."""
    procs = {}
    for name, service in ours.items():
        run = argv(service)[2:]  # after `tini --`
        if run[0] == "yuqing":  # the sub-command's words (`services up`), then --help
            words = [sys.executable, "-m", "yuqing.cli", *[w for w in run[1:3] if not w.startswith("-")]]
        else:
            assert run[:2] == ["python", "-m"], f"{name}: runs {run[0]}, neither yuqing nor a python module"
            words = [sys.executable, "-m", run[2]]
        env = {**os.environ, **resolved_env(service)}
        procs[name] = subprocess.Popen(
            [*words, "--help"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=120)
        assert proc.returncode == 0, f"{name}: {' '.join(argv(ours[name]))} --help failed:\n{out[-1500:]}"
        assert "usage" in out.lower(), f"{name}: no usage text"


def test_entrypoint_runs_the_cli() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r'^ENTRYPOINT \[.*"yuqing"\]', text, re.M)
    assert "FROM python:3.11" in text  # pyproject: requires-python >=3.11


def test_environment_names_are_settings(ours) -> None:
    known = set(env_variables()) | OTHER_VARIABLES | SOURCE_VARIABLES
    for name, service in ours.items():
        unknown = set(service.get("environment") or {}) - known
        assert not unknown, f"{name}: not a setting: {sorted(unknown)}"


def _default(group: type, field: str) -> Any:
    """The declared default, whatever this machine's environment overrides (CI runs on other ports)."""
    return group.model_fields[field].default


def _env(service: dict[str, Any]) -> dict[str, str]:
    return {k: str(v) for k, v in (service.get("environment") or {}).items()}


def _published(service: dict[str, Any]) -> dict[int, int]:
    """container port → host port."""
    out = {}
    for spec in service.get("ports", []):
        *_, host, container = str(spec).split(":")
        out[int(container)] = int(host)
    return out


def _kafka_nodes(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in compose["services"].items() if s.get("image", "").startswith("apache/kafka:")}


def _es_nodes(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        n: s for n, s in compose["services"].items() if "/elasticsearch/elasticsearch:" in s.get("image", "")
    }


def _hosts(value: str) -> list[tuple[str, int | None]]:
    """Host and port of each entry of a comma-separated list of `host:port` or URLs."""
    parts = [urlsplit(v if "//" in v else f"//{v}") for v in value.split(",")]
    return [(p.hostname or "", p.port) for p in parts]


def test_ports_match_the_defaults(compose, ours) -> None:
    kafka_port = _default(ServicesSettings, "kafka_port")
    es_port = _default(ServicesSettings, "es_port")
    assert urlsplit(f"//{_default(KafkaSettings, 'bootstrap_servers')}").port == kafka_port
    assert urlsplit(_default(ElasticsearchSettings, "url")).port == es_port

    for name, service in ours.items():
        env = _env(service)
        assert {port for _, port in _hosts(env["KAFKA_BOOTSTRAP_SERVERS"])} == {kafka_port}, name
        assert {port for _, port in _hosts(env["ES_URL"])} == {es_port}, name
        assert env["SMTP_HOST"] == "mailbox", name
        assert int(env["SMTP_PORT"]) == int(option(ours["mailbox"]["command"], "--port")), name

    controller_port = _default(ServicesSettings, "kafka_controller_port")
    for name, node in _kafka_nodes(compose).items():
        kafka_env = _env(node)
        assert f"PLAINTEXT://:{kafka_port}" in kafka_env["KAFKA_LISTENERS"]
        assert f"CONTROLLER://:{controller_port}" in kafka_env["KAFKA_LISTENERS"]
        assert kafka_env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://{name}:{kafka_port}"
    assert _published(compose["services"]["elasticsearch-1"]) == {es_port: es_port}

    web_port = _default(WebSettings, "port")
    assert int(_env(ours["web"])["WEB_PORT"]) == web_port
    assert _published(ours["web"]) == {web_port: web_port}


def test_every_broker_and_search_node_is_known_to_the_clients(compose, ours) -> None:
    """A client given one node only stops when that node does: each lists them all, and nothing else."""
    brokers, es_nodes = set(_kafka_nodes(compose)), set(_es_nodes(compose))
    assert len(brokers) == 3 and len(es_nodes) == 2
    for name, service in ours.items():
        env = _env(service)
        assert sorted(h for h, _ in _hosts(env["KAFKA_BOOTSTRAP_SERVERS"])) == sorted(brokers), name
        assert sorted(h for h, _ in _hosts(env["ES_URL"])) == sorted(es_nodes), name
        assert ElasticsearchSettings(url=env["ES_URL"]).urls == env["ES_URL"].split(","), name
    kibana_hosts = yaml.safe_load(_env(compose["services"]["kibana"])["ELASTICSEARCH_HOSTS"])
    assert {urlsplit(u).hostname for u in kibana_hosts} == es_nodes
    assert set(compose["services"]["kibana"]["depends_on"]) == es_nodes


def test_kafka_nodes_form_one_three_voter_quorum(compose) -> None:
    nodes = {name: _env(node) for name, node in _kafka_nodes(compose).items()}
    controller_port = _default(ServicesSettings, "kafka_controller_port")
    ids = {name: env["KAFKA_NODE_ID"] for name, env in nodes.items()}
    assert sorted(ids.values()) == ["1", "2", "3"]
    voters = ",".join(f"{ids[n]}@{n}:{controller_port}" for n in sorted(nodes))
    for name, env in nodes.items():
        assert env["KAFKA_PROCESS_ROLES"] == "broker,controller", name
        assert env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == voters, name
    assert len({env["CLUSTER_ID"] for env in nodes.values()}) == 1, "one cluster id on every node"
    volumes = [node["volumes"][0].split(":")[0] for node in _kafka_nodes(compose).values()]
    assert len(set(volumes)) == 3, "each node keeps its own log"


def test_topics_are_replicated_on_three_brokers_with_two_in_sync(compose, ours) -> None:
    brokers = len(_kafka_nodes(compose))
    for name, service in ours.items():
        env = _env(service)
        kafka = KafkaSettings(
            replication_factor=env["KAFKA_REPLICATION_FACTOR"],
            min_insync_replicas=env["KAFKA_MIN_INSYNC_REPLICAS"],
        )
        assert (kafka.replication_factor, kafka.min_insync_replicas) == (brokers, brokers - 1), name
        assert int(env["ES_REPLICAS"]) == len(_es_nodes(compose)) - 1, name
    # The brokers' own topics (consumer offsets: where the workers' progress is kept) likewise.
    for name, node in _kafka_nodes(compose).items():
        env = _env(node)
        for key in (
            "KAFKA_DEFAULT_REPLICATION_FACTOR",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR",
        ):
            assert env[key] == str(brokers), f"{name}: {key}"
        for key in ("KAFKA_MIN_INSYNC_REPLICAS", "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR"):
            assert env[key] == str(brokers - 1), f"{name}: {key}"


def test_elasticsearch_nodes_discover_each_other(compose) -> None:
    nodes = {name: _env(node) for name, node in _es_nodes(compose).items()}
    for name, env in nodes.items():
        assert env["node.name"] == name
        assert set(env["discovery.seed_hosts"].split(",")) == set(nodes), name
        assert set(env["cluster.initial_master_nodes"].split(",")) == set(nodes), name
        assert "discovery.type" not in env, f"{name}: a single-node cluster never joins the other"
    assert len({env["cluster.name"] for env in nodes.values()}) == 1


def test_versions_match_the_local_services(compose) -> None:
    services = compose["services"]
    for node in _kafka_nodes(compose).values():
        assert node["image"] == f"apache/kafka:{_default(ServicesSettings, 'kafka_version')}"
    es_version = _default(ServicesSettings, "es_version")
    for node in _es_nodes(compose).values():
        assert node["image"].endswith(f"/elasticsearch:{es_version}")
    assert services["kibana"]["image"].endswith(f"/kibana:{es_version}")


def test_health_checks_volumes_and_order(compose, ours) -> None:
    services = compose["services"]
    nodes = [*_kafka_nodes(compose), *_es_nodes(compose)]
    for name in [*LONG_RUNNING, *nodes]:
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert services["init"]["depends_on"] == {n: {"condition": "service_healthy"} for n in nodes}
    after_init = {"init": {"condition": "service_completed_successfully"}}
    assert ours["web"]["depends_on"] == after_init
    assert ours["worker"]["depends_on"] == {**after_init, "mailbox": {"condition": "service_healthy"}}
    assert ours["crawler"]["depends_on"] == {**after_init, "demo": {"condition": "service_healthy"}}
    assert "depends_on" not in ours["demo"] and "depends_on" not in ours["mailbox"]
    declared = set(compose.get("volumes") or {})
    for name, service in services.items():
        for spec in service.get("volumes", []):
            source = str(spec).split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name}: volume {source} is not declared"


def test_init_command_is_the_bootstrap(ours) -> None:
    assert ours["init"]["command"] == ["init"] and ours["init"]["restart"] == "no"


def test_dockerignore_keeps_state_out() -> None:
    ignored = Path(REPO_ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".venv", "var", ".git"} <= set(ignored)


def _image_folders() -> tuple[set[str], set[str], str]:
    """Folders the Dockerfile creates, folders it gives to its user (chown -R), and the user."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    user = re.findall(r"^USER (\S+)", text, re.M)[-1]
    made = {p for m in re.findall(r"mkdir -p ((?:/\S+ ?)+)", text) for p in m.split()}
    owned = {
        p for m in re.findall(rf"chown -R {re.escape(user)}(?::\S+)? ((?:/\S+ ?)+)", text) for p in m.split()
    }
    return made, owned, user


def test_named_volumes_are_folders_the_image_gives_its_user(compose, ours) -> None:
    """A new named volume copies the image's folder at its mount point, owner and mode; a folder the image
    lacks becomes a root-owned empty volume the `yuqing` user cannot write."""
    made, owned, user = _image_folders()
    assert user == "yuqing"
    declared = set(compose.get("volumes") or {})
    for name, service in ours.items():
        for spec in service.get("volumes", []):
            source, target, *mode = str(spec).split(":")
            if source in declared and "ro" not in mode:
                path = PurePosixPath(target)
                assert str(path) in made, f"{name}: the image does not create {target}"
                assert any(path == PurePosixPath(o) or PurePosixPath(o) in path.parents for o in owned), (
                    f"{name}: {target} is not given to {user} in the image"
                )


def test_state_lives_in_the_folder_the_image_gives_its_user(ours) -> None:
    """Settings' state dir, the crawler's --state-dir, the mailbox's --dir and the working directory (Faust's
    data folder) all lie under /data, which the image owns as its user."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    _, owned, _ = _image_folders()
    assert "/data" in owned
    assert re.search(r"^ENV SERVICES_STATE_DIR=/data$", text, re.M)
    assert re.findall(r"^WORKDIR (\S+)", text, re.M)[-1] == "/data"
    for name, service in ours.items():
        assert resolved_env(service)["SERVICES_STATE_DIR"] == "/data", name
    assert option(ours["crawler"]["command"], "--state-dir").startswith("/data/")
    assert option(ours["mailbox"]["command"], "--dir").startswith("/data/")


def test_enabled_sources_reach_a_service_of_the_stack(compose, ours) -> None:
    """Inside a container 127.0.0.1 is the container itself: an enabled source must name a host the stack
    has (a service the crawler waits for, on the port it serves) or a host outside it."""
    crawler = ours["crawler"]
    catalogue = load_sources(SOURCES, environ=resolved_env(crawler))
    enabled = [s for s in catalogue.sources if s.enabled]
    assert enabled, "no source is enabled: the stack's crawler would crawl nothing"
    for source in enabled:
        for url in source.start_urls:
            parts = urlsplit(url.replace("{keyword}", "x").replace("{page}", "1"))
            host = parts.hostname or ""
            assert host not in ("127.0.0.1", "localhost", "::1"), (
                f"{source.name}: {url} is the container itself"
            )
            if host in compose["services"]:
                assert host in crawler["depends_on"], f"{source.name}: the crawler does not wait for {host}"
                served = argv(compose["services"][host])
                assert str(parts.port or 80) == option(served, "--port"), f"{source.name}: {host} port"
