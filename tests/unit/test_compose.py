"""docker-compose.yml and the Dockerfile stay true to the code: commands, environment, ports, versions."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import typer
import yaml

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
# Read by the code outside the settings groups (yuqing/settings.py): the config folder and the cache.
OTHER_VARIABLES = {"YUQING_CONFIG_DIR", "YUQING_HOME"}
MAILPIT_SMTP_PORT = 1025  # the image's SMTP port; its web UI is 8025
LONG_RUNNING_INFRA = ("kafka", "elasticsearch", "kibana", "mailpit")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The services that run the project's own image."""
    found = {n: s for n, s in compose["services"].items() if s.get("build") or "yuqing" in s.get("image", "")}
    assert {"init", "crawler", "worker", "web"} <= set(found)
    return found


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


def test_every_command_exists_with_its_options(ours, commands) -> None:
    for name, service in ours.items():
        args = list(service["command"])
        command, rest = _resolve(commands, args)
        runnable = _subcommands(command) is None or getattr(command, "invoke_without_command", False)
        assert runnable, f"{name}: `yuqing {' '.join(args)}` names a group that does nothing by itself"
        options = {opt for p in command.params for opt in p.opts}
        for word in rest:
            if word.startswith("-"):
                assert word.split("=")[0] in options, f"{name}: `yuqing {args[0]}` has no option {word}"


def test_entrypoint_runs_the_cli() -> None:
    text = DOCKERFILE.read_text(encoding="utf-8")
    assert re.search(r'^ENTRYPOINT \[.*"yuqing"\]', text, re.M)
    assert "FROM python:3.11" in text  # pyproject: requires-python >=3.11


def test_environment_names_are_settings(ours) -> None:
    known = set(env_variables()) | OTHER_VARIABLES
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


def test_ports_match_the_defaults(compose, ours) -> None:
    services = compose["services"]
    kafka_port = _default(ServicesSettings, "kafka_port")
    es_port = _default(ServicesSettings, "es_port")
    assert urlsplit(f"//{_default(KafkaSettings, 'bootstrap_servers')}").port == kafka_port
    assert urlsplit(_default(ElasticsearchSettings, "url")).port == es_port

    for name, service in ours.items():
        env = _env(service)
        assert urlsplit(f"//{env['KAFKA_BOOTSTRAP_SERVERS']}").port == kafka_port, name
        assert urlsplit(env["ES_URL"]).port == es_port, name
        assert urlsplit(env["ES_URL"]).hostname in services, name
        assert env["KAFKA_BOOTSTRAP_SERVERS"].split(":")[0] in services, name
        assert int(env["SMTP_PORT"]) == MAILPIT_SMTP_PORT and env["SMTP_HOST"] in services, name

    kafka_env = _env(services["kafka"])
    assert f"PLAINTEXT://:{kafka_port}" in kafka_env["KAFKA_LISTENERS"]
    assert kafka_env["KAFKA_ADVERTISED_LISTENERS"] == f"PLAINTEXT://kafka:{kafka_port}"
    controller_port = _default(ServicesSettings, "kafka_controller_port")
    assert kafka_env["KAFKA_CONTROLLER_QUORUM_VOTERS"] == f"1@kafka:{controller_port}"
    assert _published(services["elasticsearch"]) == {es_port: es_port}

    web_port = _default(WebSettings, "port")
    assert int(_env(ours["web"])["WEB_PORT"]) == web_port
    assert _published(ours["web"]) == {web_port: web_port}


def test_versions_match_the_local_services(compose) -> None:
    services = compose["services"]
    assert services["kafka"]["image"] == f"apache/kafka:{_default(ServicesSettings, 'kafka_version')}"
    es_version = _default(ServicesSettings, "es_version")
    assert services["elasticsearch"]["image"].endswith(f"/elasticsearch:{es_version}")
    assert services["kibana"]["image"].endswith(f"/kibana:{es_version}")


def test_health_checks_volumes_and_order(compose, ours) -> None:
    services = compose["services"]
    for name in (*LONG_RUNNING_INFRA, "web"):
        assert "healthcheck" in services[name], f"{name} has no health check"
    assert services["init"]["depends_on"] == {
        "kafka": {"condition": "service_healthy"},
        "elasticsearch": {"condition": "service_healthy"},
    }
    for name in ("crawler", "worker", "web"):
        assert ours[name]["depends_on"] == {"init": {"condition": "service_completed_successfully"}}
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
