"""A Post produced to posts.raw comes back identical, keyed by its stable id."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing.kafka import consume, consumer, producer, send, send_many
from yuqing.schema import TOPIC_RAW, Post
from yuqing.settings import Settings


def _post(n: int) -> Post:
    return Post.parse(
        {
            "source": "weibo",
            "source_id": f"rt-{n}",
            "url": f"https://weibo.example/status/{n}",
            "author": "游客小王",
            "title": "可邑小镇一日游",
            "text": f"第{n}次来可邑小镇，阿细跳月很热闹，门票不贵。",
            "published_at": "2025-03-08 10:15:00",
            "crawled_at": datetime(2025, 3, 8, 3, 0, tzinfo=UTC).isoformat(),
            "engagement": {"reposts": 3, "comments": 5, "likes": 40},
            "extras": {"tags": ["弥勒", "旅游"], "geo": None},
        }
    )


async def test_post_round_trips_through_posts_raw(initialized: Settings, session_id: str) -> None:
    topic = initialized.kafka.topic(TOPIC_RAW)
    posts = [_post(n) for n in range(5)]
    async with producer(initialized.kafka) as client:
        first = await send(client, topic, posts[0].to_json(), key=posts[0].id)
        rest = await send_many(client, topic, [(p.id, p.to_json()) for p in posts[1:]])
    assert first.topic == topic and all(m.offset >= 0 for m in rest)

    async with consumer(initialized.kafka, topic, group_id=f"{session_id}-roundtrip") as client:
        records = await consume(client, limit=len(posts), timeout_s=30)
    assert len(records) == len(posts)
    by_id = {r.key.decode(): Post.parse(r.value) for r in records}
    assert by_id == {p.id: p for p in posts}
    # The extras, time zones and counts survive byte-for-byte, not just equality after parsing.
    back = by_id[posts[0].id]
    assert back.model_dump() == posts[0].model_dump()
    assert back.published_at.utcoffset() == posts[0].published_at.utcoffset()


async def test_same_key_lands_in_the_same_partition(initialized: Settings) -> None:
    topic = initialized.kafka.topic(TOPIC_RAW)
    post = _post(99)
    async with producer(initialized.kafka) as client:
        a = await send(client, topic, post.to_json(), key=post.id)
        b = await send(client, topic, post.to_json(), key=post.id)
    assert a.partition == b.partition and b.offset == a.offset + 1
