"""How far the stream's consumer group is behind, per topic: what a worker still has to do."""

from __future__ import annotations

from aiokafka import TopicPartition

from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_ALERTS, TOPIC_PLACED, TOPIC_RAW, TOPIC_URGENT
from yuqing.settings import Settings

CONSUMED = (TOPIC_RAW, TOPIC_PLACED, TOPIC_URGENT, TOPIC_ALERTS)


async def lag(settings: Settings) -> dict[str, int]:
    """Messages not yet committed by the workers, per consumed topic (end offset − committed offset)."""
    k = settings.kafka
    group = k.topic(settings.stream.app_id)
    async with kafka_setup.admin(k) as admin:
        committed = await admin.list_consumer_group_offsets(group)
    counts = await kafka_setup.describe_topics(k, [k.topic(t) for t in CONSUMED])
    partitions = [TopicPartition(name, p) for name, n in counts.items() for p in range(n)]
    async with kafka_setup.consumer(k, group_id=None) as consumer:
        ends = await consumer.end_offsets(partitions) if partitions else {}
    out: dict[str, int] = {}
    for tp, end in ends.items():
        meta = committed.get(tp)
        done = meta.offset if meta is not None and meta.offset >= 0 else 0
        name = tp.topic.removeprefix(k.topic_prefix)
        out[name] = out.get(name, 0) + max(0, end - done)
    return out
