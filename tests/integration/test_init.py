"""`yuqing init` makes topics, the posts template and alias, the alerts index; twice changes nothing."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import UTC, datetime

from yuqing import es as es_setup
from yuqing.bootstrap import initialize
from yuqing.kafka import describe_topics, topic_names
from yuqing.settings import Settings

INIT = [sys.executable, "-m", "yuqing.cli", "init"]


def _snapshot(settings: Settings) -> dict:
    """Everything `init` is responsible for, as the servers report it."""
    topics = asyncio.run(describe_topics(settings.kafka, topic_names(settings.kafka)))
    client = es_setup.client(settings.es)
    try:
        prefix = settings.es.index_prefix
        templates = client.indices.get_index_template(name=settings.es.name("posts"))["index_templates"]
        indices = client.indices.get(index=f"{prefix}*")
        return {
            "topics": topics,
            "templates": [t["index_template"] for t in templates],
            "indices": {name: {k: v[k] for k in ("aliases", "mappings")} for name, v in indices.items()},
        }
    finally:
        client.close()


def test_init_twice_leaves_the_same_state(initialized: Settings) -> None:
    # `initialized` already ran init once for this session's prefixes.
    first = _snapshot(initialized)
    assert first["topics"] == {name: initialized.kafka.partitions for name in topic_names(initialized.kafka)}
    (template,) = first["templates"]
    assert template["index_patterns"] == [initialized.es.name("posts-*")]
    assert initialized.es.name("posts") in template["template"]["aliases"]
    current = es_setup.posts_index(initialized.es, datetime.now(UTC))
    assert initialized.es.name("posts") in first["indices"][current]["aliases"]
    assert first["indices"][current]["mappings"]["properties"]["text_seg"]["analyzer"] == "whitespace"
    assert initialized.es.name("alerts") in first["indices"]

    lines = initialize(initialized)
    assert not [line for line in lines if "created" in line or "grown" in line], lines
    assert _snapshot(initialized) == first


def test_init_command_line(live_services: Settings, session_id: str) -> None:
    """The CLI runs the same setup under the environment's prefixes, and cleans nothing it should not."""
    prefix_env = {"KAFKA_TOPIC_PREFIX": f"{session_id}cli.", "ES_INDEX_PREFIX": f"{session_id}cli-"}
    env = {**os.environ, **prefix_env}
    try:
        for expect in ("created", "exists"):
            proc = subprocess.run(INIT, env=env, capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, proc.stderr
            assert f"topic {session_id}cli.posts.raw: {expect}" in proc.stdout
            assert f"index {session_id}cli-alerts: {expect}" in proc.stdout
    finally:
        from yuqing.kafka import delete_prefixed_topics

        kafka = live_services.kafka.model_copy(update={"topic_prefix": prefix_env["KAFKA_TOPIC_PREFIX"]})
        es = live_services.es.model_copy(update={"index_prefix": prefix_env["ES_INDEX_PREFIX"]})
        asyncio.run(delete_prefixed_topics(kafka))
        client = es_setup.client(es)
        es_setup.delete_prefixed(client, es)
        client.close()


def test_init_fails_clearly_when_kafka_is_unreachable(live_services: Settings) -> None:
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "KAFKA_REQUEST_TIMEOUT_S": "3"}
    proc = subprocess.run(INIT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 3
    assert "kafka: cannot reach 127.0.0.1:1" in proc.stderr


def test_init_refuses_to_add_partitions_unless_told(live_services: Settings) -> None:
    import uuid

    import pytest

    from yuqing.errors import ConfigError
    from yuqing.kafka import delete_prefixed_topics, ensure_topics

    prefix = f"{live_services.kafka.topic_prefix}grow{uuid.uuid4().hex[:4]}."
    small = live_services.model_copy(
        update={"kafka": live_services.kafka.model_copy(update={"topic_prefix": prefix, "partitions": 1})}
    )
    large = small.model_copy(update={"kafka": small.kafka.model_copy(update={"partitions": 2})})
    try:
        ensure_topics(small)
        with pytest.raises(ConfigError) as err:
            ensure_topics(large)
        assert "co-partitioning" in str(err.value) and "--grow-partitions" in str(err.value)
        assert set(asyncio.run(describe_topics(small.kafka, topic_names(small.kafka))).values()) == {1}
        lines = ensure_topics(large, grow_partitions=True)
        assert any("grown from 1 to 2" in line for line in lines)
        out = subprocess.run(
            INIT,
            env={
                **os.environ,
                "KAFKA_TOPIC_PREFIX": prefix,
                "KAFKA_PARTITIONS": "3",
                "ES_INDEX_PREFIX": live_services.es.index_prefix,
            },
            capture_output=True,
            text=True,
        )
        assert out.returncode == 2 and "KAFKA_PARTITIONS" in out.stderr
    finally:
        asyncio.run(delete_prefixed_topics(small.kafka))
