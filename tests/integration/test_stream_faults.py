"""Faults lose nothing and send nothing twice: a worker killed mid-stream, Elasticsearch or SMTP down for a
while, a Kafka restart. After recovery every post is indexed exactly once and every alert e-mailed once.

The worker is a real `yuqing worker` process, the SMTP server a real aiosmtpd; the Elasticsearch and Kafka
restarts use a private pair of services (so the shared ones other tests use are never disturbed).
"""

from __future__ import annotations

import asyncio
import collections
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition

from bench.rig import (
    Mailbox,
    Worker,
    consume_all,
    corpus,
    es_count,
    es_docs,
    expected_documents,
    free_port,
    own_prefix,
    post_record,
    produce,
    wait_idle,
    wait_until,
    worker_env,
)
from devtools.services import manager
from streams.notify.delivery import BATCH_CONCURRENCY
from streams.stats import read_all
from yuqing.bootstrap import initialize
from yuqing.schema import TOPIC_DLQ, TOPIC_PLACED, TOPIC_RAW, TOPIC_URGENT, Post
from yuqing.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def check_exactly_once(
    settings: Settings, mailbox: Mailbox, expected_posts: int, kills: int = 0, timeout: float = 240
) -> None:
    """Every post indexed once, every alert owed an e-mail has exactly one in the mailbox, none filed twice;
    at most the messages in flight re-offered per killed worker (a crash between the relay's 250 and
    recording it), one per alert being sent at once."""
    try:
        wait_until(
            f"{expected_posts} posts indexed", lambda: es_count(settings) == expected_posts or None, timeout
        )
    except AssertionError as exc:
        raise AssertionError(f"{exc}: {es_count(settings)} are") from None

    wait_idle(settings, timeout)
    # An update claimed by a killed worker and accepted by the relay before its record is sent again (same
    # Message-ID) by the restarted worker's timer: recovery ends when no claim is left open.
    settled = lambda: not any(map(_open_claim, es_docs(settings, "alerts"))) or None  # noqa: E731
    wait_until("every claimed update recorded", settled, 90)
    time.sleep(3)  # anything sent twice would arrive now
    assert es_count(settings) == expected_posts  # and not one more
    # every e-mail the alerts record (first ones, escalation updates), and no other: agencies get drafts. An
    # update the 15-second timer sends is recorded just after the relay accepted it: the mailbox and the
    # records are read again (the mailbox first) until they agree, for a few seconds at most
    ids, owed, alerts = _mailed_and_recorded(settings, mailbox)
    assert owed and all(a.get("notified_at") for a in owed)
    twice = [m for m, n in collections.Counter(ids).items() if n > 1]
    assert not twice, f"mailed twice: {twice}"
    assert len(mailbox.resent()) <= kills * BATCH_CONCURRENCY, mailbox.resent()
    recorded = {m for a in owed for m in a.get("delivered") or []}
    assert set(ids) == recorded, _unrecorded(mailbox, set(ids) - recorded, recorded - set(ids), alerts)
    assert {a["message_id"] for a in owed} <= set(ids)
    # Every relevant event whose peak is high has its high alert.
    high_events = {
        e["id"] for e in es_docs(settings, "events") if e["relevant"] and e["peak_level"] == "high"
    }
    alerted = {a["event_id"] for a in alerts if a["level"] == "high"}
    assert high_events and high_events <= alerted


def _mailed_and_recorded(settings: Settings, mailbox: Mailbox, within_s: float = 20.0):
    """The mailbox's Message-IDs, the alerts owed an e-mail, and all alerts, read until every e-mail is
    recorded and every record mailed, or `within_s` passed (then as last read)."""
    deadline = time.monotonic() + within_s
    while True:
        ids = mailbox.message_ids()  # before the records: a record always follows its e-mail
        alerts = es_docs(settings, "alerts")
        owed = [a for a in alerts if a["level"] != "low"]
        if set(ids) == {m for a in owed for m in a.get("delivered") or []} or time.monotonic() > deadline:
            return ids, owed, alerts
        time.sleep(1)


def _unrecorded(mailbox: Mailbox, mailed: set[str], not_mailed: set[str], alerts: list[dict]) -> str:
    """What a failure must say: each e-mail no alert records (its subject and alert), and that alert's
    record of what it mailed, so an intermittent CI failure can be understood from its log."""
    lines = [f"mailed, recorded by no alert: {sorted(mailed)}; recorded, not mailed: {sorted(not_mailed)}"]
    by_id = {a.get("id"): a for a in alerts}
    for msg in mailbox.messages():
        if str(msg["Message-ID"]) in mailed:
            alert = by_id.get(str(msg.get("X-Yuqing-Alert-Id")), {})
            lines.append(f"  {msg['Message-ID']} {msg['Subject']!s} alert={msg.get('X-Yuqing-Alert-Id')}")
            keys = ("level", "delivered", "message_id", "mailed", "update_due_at")
            lines.append(f"    alert: { ({k: alert.get(k) for k in keys}) }")
            lines.append(f"    history: {[h.get('what') for h in alert.get('history') or []]}")
    return "\n".join(lines)


def _where_posts_went(settings: Settings, posts: list[dict], state_dir: Path, at_kill: dict) -> str:
    """For a failure: the posts not indexed and where each sits in the input topics (beside the offsets
    committed at the kill), the dead letters, and the worker's grouping and DLQ counters."""
    expected = {Post.parse(json.dumps(p, ensure_ascii=False)).id: p for p in posts}
    indexed = {d["id"] for d in es_docs(settings, "posts", source_includes=["id"])}
    lost = {post_id: expected[post_id] for post_id in sorted(set(expected) - indexed)[:10]}
    dead = [str(r)[:400] for r in consume_all(settings, TOPIC_DLQ, 5)]
    services = settings.services.model_copy(update={"state_dir": state_dir})
    app_id = settings.kafka.topic(settings.stream.app_id)
    workers = read_all(settings.model_copy(update={"services": services}), app_id, fresh_s=1e9)
    counters = [
        {k: v for k, v in (w.get("counters") or w).items() if str(k).startswith(("group/", "dlq/", "index/"))}
        for w in workers
    ]
    return f"not indexed: {list(lost)}\ndead letters: {dead[:5]}\ncounters: {counters}\n" + _lost_in_topics(
        settings, lost, at_kill
    )


def _committed(settings: Settings) -> dict[tuple[str, int], int | None]:
    """The worker group's committed offsets of its input topics (taken at the kill, for a failure report)."""

    async def run() -> dict[tuple[str, int], int | None]:
        group = settings.kafka.topic(settings.stream.app_id)
        client = AIOKafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers, group_id=group)
        await client.start()
        try:
            found = {}
            for name in (TOPIC_RAW, TOPIC_PLACED, TOPIC_URGENT):
                topic = settings.kafka.topic(name)
                for part in client.partitions_for_topic(topic) or await _partitions(client, topic):
                    found[(name, part)] = await client.committed(TopicPartition(topic, part))
            return found
        finally:
            await client.stop()

    return asyncio.run(run())


async def _partitions(client: AIOKafkaConsumer, topic: str) -> set[int]:
    await client._client.force_metadata_update()
    return client._client.cluster.partitions_for_topic(topic) or set()


def _lost_in_topics(settings: Settings, lost: dict[str, dict], at_kill: dict) -> str:
    """Where each lost post (id → the post as produced) sits in the input topics, each topic read once."""
    lines = [f"committed at the kill: {at_kill}"]
    for name in (TOPIC_RAW, TOPIC_PLACED, TOPIC_URGENT):
        for r in consume_all(settings, name, 5):
            for post_id, post in lost.items():
                raw = name == TOPIC_RAW and all(
                    v.encode() in r.value for v in (json.dumps(post["source_id"]), post["source"])
                )
                if raw or post_id.encode() in r.value:
                    lines.append(f"  {post_id}: {name} partition {r.partition} offset {r.offset}")
    return "\n".join(lines)


def _open_claim(alert: dict) -> bool:
    """An update claimed and not recorded (a partial update keeps `sending` beside the count it reached)."""
    mailed = alert.get("mailed") or {}
    return int((mailed.get("sending") or {}).get("n") or 0) > int(mailed.get("updates") or 0)


@pytest.fixture
def fresh(live_services: Settings) -> Iterator[Settings]:
    """Topics, indices and a consumer group of this test alone (the mailbox count must be this test's)."""
    with own_prefix(live_services) as settings:
        yield settings


@pytest.fixture
def mailbox(tmp_path: Path) -> Iterator[Mailbox]:
    box = Mailbox(tmp_path / "mail").start()
    yield box
    box.stop()


def test_worker_killed_mid_stream_loses_and_repeats_nothing(fresh: Settings, mailbox, tmp_path) -> None:
    posts = corpus(5000, "kill")
    worker = Worker(worker_env(fresh, mailbox, tmp_path / "state"), tmp_path / "worker.log").start()
    try:
        produce(fresh, [post_record(p) for p in posts])
        wait_until("a third indexed", lambda: es_count(fresh) >= 1500 or None, 240)
        worker.kill()  # SIGKILL: no goodbye, offsets and tables as they were
        at_kill = _committed(fresh)
        worker.start()
        try:
            check_exactly_once(fresh, mailbox, expected_documents(posts), kills=1)
        except AssertionError as exc:  # where the posts went, and where the restarted worker's recovery stood
            found = _where_posts_went(fresh, posts, tmp_path / "state", at_kill)
            raise AssertionError(f"{exc}\n{found}\n--- worker log ---\n{worker.tail(40)}") from None
    finally:
        worker.stop()


def test_smtp_down_for_30s_delays_but_loses_no_alert(fresh: Settings, mailbox, tmp_path) -> None:
    posts = corpus(800, "smtp")
    mailbox.stop()
    worker = Worker(worker_env(fresh, mailbox, tmp_path / "state"), tmp_path / "worker.log").start()
    try:
        produce(fresh, [post_record(p) for p in posts])
        wait_until("alerts recorded while SMTP is down", lambda: es_docs(fresh, "alerts") or None, 120)
        time.sleep(30)
        assert not mailbox.message_ids()
        mailbox.start()
        check_exactly_once(fresh, mailbox, expected_documents(posts))
    finally:
        worker.stop()


@pytest.fixture
def private(tmp_path: Path, settings: Settings) -> Iterator[Settings]:
    """A Kafka and an Elasticsearch of this test alone, to stop and restart at will."""
    kafka_port, controller_port, es_port = free_port(), free_port(), free_port()
    services = settings.services.model_copy(
        update={
            "state_dir": tmp_path / "services",
            "kafka_port": kafka_port,
            "kafka_controller_port": controller_port,
            "es_port": es_port,
            "kafka_heap": "256m",
            "es_heap": "512m",
            "start_timeout_s": 240.0,
        }
    )
    kafka = settings.kafka.model_copy(update={"bootstrap_servers": f"127.0.0.1:{kafka_port}"})
    es = settings.es.model_copy(update={"url": f"http://127.0.0.1:{es_port}"})
    private = settings.model_copy(update={"services": services, "kafka": kafka, "es": es})
    manager.up(private)
    initialize(private)
    yield private
    manager.down(private)
    link = services.state_dir / "elasticsearch"
    if link.is_symlink():
        shutil.rmtree(link.resolve(), ignore_errors=True)


def test_elasticsearch_down_then_kafka_restarted(private: Settings, mailbox, tmp_path) -> None:
    worker = Worker(worker_env(private, mailbox, tmp_path / "state"), tmp_path / "worker.log").start()
    try:
        first = corpus(1200, "es")
        produce(private, [post_record(p) for p in first[:600]])
        wait_until("posts indexed", lambda: es_count(private) > 100 or None, 180)
        manager.down(private, only=["elasticsearch"])
        produce(private, [post_record(p) for p in first[600:]])
        time.sleep(30)
        manager.up(private, only=["elasticsearch"])
        check_exactly_once(private, mailbox, expected_documents(first))

        second = corpus(1800, "kafka")[1200:]
        produce(private, [post_record(p) for p in second[:300]])
        manager.down(private, only=["kafka"])
        time.sleep(5)
        manager.up(private, only=["kafka"])
        produce(private, [post_record(p) for p in second[300:]])
        check_exactly_once(private, mailbox, expected_documents(first + second))
    finally:
        worker.stop()
