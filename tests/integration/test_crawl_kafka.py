"""Every spider type end to end into the real Kafka, from the demo site, with the shipped sources file.

Each test has its own topic prefix (under the session's), created by the crawl's own preflight and deleted
afterwards. What reaches `posts.raw` is read back with a consumer assigned to every partition.
"""

from __future__ import annotations

import asyncio
import json
import socket
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from crawl_site import run_crawl

from devtools.demo import content
from devtools.demo.server import make_server
from yuqing.kafka import delete_prefixed_topics, describe_topics
from yuqing.schema import TOPIC_RAW, Post
from yuqing.settings import REPO_ROOT, KafkaSettings, Settings

SHIPPED = (REPO_ROOT / "config" / "sources.yaml").read_text(encoding="utf-8")


@pytest.fixture
def kafka(settings: Settings, request: pytest.FixtureRequest) -> Iterator[KafkaSettings]:
    """This test's own topic prefix on the real Kafka (deleted afterwards)."""
    from devtools.services.kafka import api_versions_ok

    host, _, port = settings.kafka.bootstrap_servers.split(",")[0].rpartition(":")
    ok, note = api_versions_ok(int(port), host=host or "127.0.0.1", timeout=5)
    if not ok:
        pytest.fail(f"Kafka at {host}:{port}: {note} — run `yuqing services up`", pytrace=False)
    name = request.node.name.replace("test_", "")[:20].replace("_", "-")
    kafka = KafkaSettings(
        **{**settings.kafka.model_dump(), "topic_prefix": f"{settings.kafka.topic_prefix}{name}."}
    )
    yield kafka
    asyncio.run(delete_prefixed_topics(kafka))


@pytest.fixture
def demo() -> Iterator:
    server = make_server("127.0.0.1", 0, frozen=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()


def env_for(kafka: KafkaSettings, demo) -> dict[str, str]:
    return {
        "KAFKA_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": kafka.topic_prefix,
        "DEMO_BASE": f"http://127.0.0.1:{demo.server_address[1]}",
    }


async def _read_all(kafka: KafkaSettings) -> list[tuple[str, dict]]:
    """Every record of posts.raw, in partition order, up to the end offsets at the time of the call."""
    topic = kafka.topic(TOPIC_RAW)
    counts = await describe_topics(kafka, [topic])
    if topic not in counts:
        return []
    consumer = AIOKafkaConsumer(bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False)
    await consumer.start()
    try:
        parts = [TopicPartition(topic, p) for p in range(counts[topic])]
        consumer.assign(parts)
        await consumer.seek_to_beginning(*parts)
        end = await consumer.end_offsets(parts)
        found: list[tuple[str, dict]] = []
        while [p for p in parts if await consumer.position(p) < end[p]]:
            batch = await consumer.getmany(timeout_ms=2000)
            for records in batch.values():
                found += [(r.key.decode(), json.loads(r.value)) for r in records]
        return found
    finally:
        await consumer.stop()


def _as_set(records: list[tuple[str, dict]]) -> set[str]:
    return {json.dumps(r, sort_keys=True) for r in records}


def read_all(kafka: KafkaSettings) -> list[tuple[str, dict]]:
    return asyncio.run(_read_all(kafka))


def test_every_source_type_reaches_kafka(kafka: KafkaSettings, demo, tmp_path: Path) -> None:
    run = run_crawl(tmp_path, SHIPPED, env=env_for(kafka, demo), jsonl=False)
    assert run.rc == 0, run.stderr[-3000:]
    records = read_all(kafka)
    posts = {key: Post.parse(value) for key, value in records}
    assert len(posts) == len(records), "no post twice"
    assert all(key == post.id for key, post in posts.items()), "keyed by the post id"
    by_source = {
        name: [p for p in posts.values() if p.source == name]
        for name in ("demo_rss", "demo_news", "demo_weibo", "demo_tieba")
    }
    assert all(by_source.values()), {k: len(v) for k, v in by_source.items()}
    for name, summary_posts in ((s["source"], s["posts"]) for s in run.summary):
        assert len(by_source[name]) == summary_posts

    # social_api: the Weibo card shape, nested card_group included, HTML text made plain, counts kept.
    child = posts["demo_weibo:4951000000000002"]
    assert "小孩掉水里" in child.text and "[哭]" in child.text and "<img" not in child.text
    assert (child.engagement.reposts, child.engagement.comments, child.engagement.likes) == (120, 260, 400)
    repost = posts["demo_weibo:4951000000000011"]
    assert "谨防网络购票诈骗" in repost.text  # the reposted original travels with the repost
    assert all(p.published_at is not None for p in by_source["demo_weibo"])
    # news: pagination to the last list page, GBK pages (declared in the header, or only in a meta tag).
    titles = {p.title for p in by_source["demo_news"]}
    assert "锦屏山景区进入森林防火紧要期 严禁携带火种进山" in titles  # GBK, Content-Type header
    assert "太平湖森林公园一游客走失 民警连夜搜寻安全找回" in titles  # GBK, meta only
    assert "东风韵景区附近发生一起两车相撞事故 致2人受伤" in titles  # list page 2
    # forum: thread list pages → threads → reply pages; the opening post carries the reply count.
    opening = posts["demo_tieba:t8801002"]
    assert opening.engagement.comments == 5 and opening.title == "五一去弥勒玩三天，求攻略"
    assert "demo_tieba:p8801002006" in posts  # floor 6 is on the thread's second page
    assert "demo_tieba:t8801003" in posts  # a thread on the list's second page
    # Conversation links survive the pipeline: a repost chain (embedded original, text-only chain), a thread.
    root = "demo_weibo:4951000000000015"
    assert root in posts
    for repost in ("demo_weibo:4951000000000016", "demo_weibo:4951000000000017"):
        assert posts[repost].links() == {"parent": root, "root": root}
        assert posts[repost].parent_text == posts[root].text
    text_only = posts["demo_weibo:4951000000000018"]
    assert text_only.extras["repost_chain"] == ["锦屏山下", "弥勒身边事"] and text_only.parent_text
    thread = {"thread": "demo_tieba:t8801002", "parent": "demo_tieba:t8801002"}
    assert posts["demo_tieba:p8801002002"].links() == thread
    assert posts["demo_tieba:p8801002002"].parent_text == content.FORUM[1]["replies"][0][2]
    page_two = posts["demo_tieba:p8801002006"]
    assert page_two.links() == thread and page_two.parent_text is None  # no opening post beside it
    # rss
    assert any("暴雨黄色预警" in (p.title or "") for p in by_source["demo_rss"])
    # The gate kept the traps out of the stream.
    assert "demo_weibo:4951000000000013" not in posts  # 弥勒佛保佑
    assert "demo_tieba:t8801004" not in posts  # 弥勒佛壁纸
    assert not any("元阳" in (p.title or "") or "弥勒佛像" in (p.title or "") for p in by_source["demo_news"])
    assert not any("蒙自" in (p.title or "") for p in by_source["demo_rss"])
    assert run.source("demo_news")["skipped"]["irrelevant"] == 2
    # What was delivered is what the state remembers.
    for name, delivered in by_source.items():
        with sqlite3.connect(tmp_path / "state" / f"{name}.sqlite") as db:
            assert db.execute("SELECT count(*) FROM seen").fetchone()[0] == len(delivered)


def test_reruns_emit_nothing_new_then_updates_when_counts_change(
    kafka: KafkaSettings, demo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = env_for(kafka, demo)
    first = run_crawl(tmp_path, SHIPPED, "demo_weibo", "demo_tieba", env=env, jsonl=False)
    assert first.rc == 0, first.stderr[-3000:]
    after_first = read_all(kafka)

    second = run_crawl(tmp_path, SHIPPED, "demo_weibo", "demo_tieba", env=env, jsonl=False)
    assert second.rc == 0, second.stderr[-3000:]
    assert _as_set(read_all(kafka)) == _as_set(after_first), "an unchanged site emits nothing"
    assert len(read_all(kafka)) == len(after_first)
    assert second.source("demo_weibo")["posts"] == 0 and second.stat("demo_weibo", "skipped/seen") > 0
    # Threads whose reply count has not moved are not even fetched again.
    assert second.stat("demo_tieba", "incremental/not_fetched") == 3

    # Ten minutes later: Weibo counts have grown, three live posts appeared, a thread got a new reply.
    demo.site.frozen = False
    demo.site.started -= 600
    thread = content.FORUM[1]
    monkeypatch.setitem(
        thread, "replies", [*thread["replies"], ("新网友", "刚刚", "湖泉生态园晚上的喷泉几点开始？")]
    )
    third = run_crawl(tmp_path, SHIPPED, "demo_weibo", "demo_tieba", env=env, jsonl=False)
    assert third.rc == 0, third.stderr[-3000:]
    # Records come back partition by partition: what is new is what the first read did not have.
    new_records = [r for r in read_all(kafka) if json.dumps(r, sort_keys=True) not in _as_set(after_first)]
    first_ids = {key for key, _ in after_first}
    updates = {key: value for key, value in new_records if key in first_ids}
    fresh = {key for key, _ in new_records} - first_ids
    growing = {f"demo_weibo:{w['id']}" for w in content.WEIBO if w["growth"] and w.get("relevant", True)}
    assert growing & first_ids <= set(updates), "every post whose counts grew comes again, same id"
    assert all(value["extras"]["update"] is True for value in updates.values())
    child = updates["demo_weibo:4951000000000002"]
    assert child["engagement"]["comments"] >= 260 + 6 * 10  # 6 a minute; the clock runs on meanwhile
    assert "demo_tieba:t8801002" in updates and updates["demo_tieba:t8801002"]["engagement"]["comments"] == 6
    assert "demo_tieba:p8801002007" in fresh  # the new reply
    assert {f"demo_weibo:49519000000000{i:02d}" for i in range(3)} <= fresh  # the live posts
    assert third.source("demo_weibo")["updated"] == len([k for k in updates if k.startswith("demo_weibo")])


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_kafka_down_fails_loudly_and_marks_nothing(kafka: KafkaSettings, demo, tmp_path: Path) -> None:
    env = {**env_for(kafka, demo), "KAFKA_BOOTSTRAP_SERVERS": f"127.0.0.1:{_closed_port()}"}
    run = run_crawl(tmp_path, SHIPPED, "demo_rss", "demo_news", env=env, jsonl=False, timeout=90)
    assert run.rc == 3, (run.rc, run.stderr[-2000:])
    assert "service error: kafka" in run.stderr and "cannot reach" in run.stderr
    assert sum(demo.hits.values()) == 0, "nothing is fetched for a pipeline that cannot deliver"
    assert not list((tmp_path / "state").glob("*.sqlite"))


def test_failed_delivery_stops_the_crawl_and_marks_nothing(
    kafka: KafkaSettings, demo, tmp_path: Path
) -> None:
    # The broker refuses every post (the topic takes only tiny messages): delivery is never confirmed.
    topic = kafka.topic(TOPIC_RAW)

    async def tiny_topic() -> None:
        admin = AIOKafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
        await admin.start()
        try:
            await admin.create_topics(
                [NewTopic(topic, kafka.partitions, 1, topic_configs={"max.message.bytes": "120"})]
            )
        finally:
            await admin.close()

    asyncio.run(tiny_topic())
    env = env_for(kafka, demo)
    run = run_crawl(tmp_path, SHIPPED, "demo_rss", env=env, jsonl=False, timeout=120)
    assert run.rc == 3, (run.rc, run.stderr[-2000:])
    assert run.source("demo_rss")["reason"] == "kafka_failed" and run.source("demo_rss")["kafka_error"]
    assert "Kafka delivery to" in run.stderr and "not marked as seen" in run.stderr
    with sqlite3.connect(tmp_path / "state" / "demo_rss.sqlite") as db:
        assert db.execute("SELECT count(*) FROM seen").fetchone()[0] == 0

    # Once Kafka takes them, the same state sends every post: nothing was lost by the failure.
    asyncio.run(delete_prefixed_topics(kafka))
    again = run_crawl(tmp_path, SHIPPED, "demo_rss", env=env, jsonl=False)
    assert again.rc == 0, again.stderr[-2000:]
    assert again.source("demo_rss")["posts"] == len([r for r in content.RSS if r.get("relevant", True)])
