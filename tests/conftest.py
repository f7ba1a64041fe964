"""Shared fixtures: settings isolated per test session, and the real services (never skipped silently).

Integration tests run against the Kafka and Elasticsearch that `make test` (or `yuqing services up`) started;
when they are not reachable the tests fail with one line saying so, because CI always starts them.
Every session gets its own topic and index prefix, so parallel sessions, other helpers' work and the demo
data never see each other; the session deletes its own topics and indices at the end.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from yuqing.settings import ElasticsearchSettings, KafkaSettings, Settings, load_settings

INTEGRATION_DIR = Path(__file__).parent / "integration"
E2E_DIR = Path(__file__).parent / "e2e"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests under tests/integration need the real services: mark them so `-m "not integration"` works.

    Tests marked `cluster` need the local cluster and take minutes: they run only when `-m` names them
    (`make test-cluster`), so `make test` and `pytest -m integration` stay on the single node."""
    for item in items:
        path = Path(str(item.fspath))
        if INTEGRATION_DIR in path.parents and not item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.integration)
        if E2E_DIR in path.parents and not item.get_closest_marker("e2e"):
            item.add_marker(pytest.mark.e2e)
    if "cluster" not in (config.getoption("markexpr") or ""):
        left_out = [item for item in items if item.get_closest_marker("cluster")]
        if left_out:
            config.hook.pytest_deselected(items=left_out)
            items[:] = [item for item in items if not item.get_closest_marker("cluster")]


@pytest.fixture(scope="session")
def session_id() -> str:
    """Unique to this test session (and this xdist worker, if any)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"t{uuid.uuid4().hex[:8]}{worker}"


@pytest.fixture(scope="session")
def settings(session_id: str) -> Settings:
    """The environment's settings, with this session's own topic and index prefixes."""
    base = load_settings()
    kafka = KafkaSettings(**{**base.kafka.model_dump(), "topic_prefix": f"{session_id}."})
    es = ElasticsearchSettings(**{**base.es.model_dump(), "index_prefix": f"{session_id}-"})
    return base.model_copy(update={"kafka": kafka, "es": es})


def _kafka_problem(kafka: KafkaSettings) -> str | None:
    from devtools.services.kafka import api_versions_ok

    first = kafka.bootstrap_servers.split(",")[0]
    host, _, port = first.rpartition(":")
    ok, note = api_versions_ok(int(port), host=host or "127.0.0.1", timeout=5)
    return None if ok else f"Kafka at {first}: {note}"


def _es_problem(es: ElasticsearchSettings) -> str | None:
    from yuqing import es as es_setup

    client = es_setup.client(es)
    try:
        health = client.cluster.health(timeout="5s")
    except Exception as exc:  # any failure here means the same thing to the reader: not reachable
        return f"Elasticsearch at {urlsplit(es.url).netloc}: {exc}"
    finally:
        client.close()
    return None if health["status"] in ("green", "yellow") else f"Elasticsearch is {health['status']}"


@pytest.fixture(scope="session")
def live_services(settings: Settings) -> Settings:
    """Kafka and Elasticsearch answer; otherwise fail (not skip) with what to do."""
    problems = [p for p in (_kafka_problem(settings.kafka), _es_problem(settings.es)) if p]
    if problems:
        pytest.fail(
            "integration tests need the real services: "
            + "; ".join(problems)
            + " — run `make up` (or `yuqing services up && yuqing init`); `make test` starts them itself",
            pytrace=False,
        )
    return settings


@pytest.fixture(scope="session")
def initialized(live_services: Settings) -> Iterator[Settings]:
    """This session's topics, templates and indices exist (`yuqing init` under the session prefixes)."""
    from yuqing import es as es_setup
    from yuqing.bootstrap import initialize
    from yuqing.kafka import delete_prefixed_topics

    settings = live_services
    initialize(settings)
    yield settings
    client = es_setup.client(settings.es)
    try:
        es_setup.delete_prefixed(client, settings.es)
    finally:
        client.close()
    asyncio.run(delete_prefixed_topics(settings.kafka))


@pytest.fixture
def es_client(initialized: Settings) -> Iterator:
    from yuqing import es as es_setup

    client = es_setup.client(initialized.es)
    yield client
    client.close()
