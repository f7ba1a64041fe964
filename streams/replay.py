"""`yuqing replay`: re-run stored `posts.raw` through the current model and rules into the same ids.

The raw messages published in [since, until) are produced again to `posts.raw` with a replay header; the
worker
re-scores them and overwrites their documents (same ids, same monthly indices) and their events, and raises no
alerts for history. How far back this reaches is `posts.raw`'s retention (KAFKA_RAW_RETENTION_DAYS).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from aiokafka import TopicPartition

from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_RAW
from yuqing.settings import Settings

REPLAY_HEADER = "yuqing-replay"


async def replay(
    settings: Settings,
    since: datetime,
    until: datetime | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Produce again every raw message published in [since, until); returns how many."""
    topic = settings.kafka.topic(TOPIC_RAW)
    sent = 0
    async with (
        kafka_setup.consumer(settings.kafka, group_id=None) as consumer,
        kafka_setup.producer(settings.kafka) as producer,
    ):
        counts = await kafka_setup.describe_topics(settings.kafka, [topic])
        partitions = [TopicPartition(topic, p) for p in range(counts.get(topic, 0))]
        if not partitions:
            return 0
        consumer.assign(partitions)
        ends = await consumer.end_offsets(partitions)  # what existed when the replay started
        starts = await consumer.offsets_for_times({tp: int(since.timestamp() * 1000) for tp in partitions})
        todo = {}
        for tp in partitions:
            found = starts.get(tp)
            if found is not None and found.offset < ends[tp]:
                consumer.seek(tp, found.offset)
                todo[tp] = ends[tp]
        stop_ms = int(until.timestamp() * 1000) if until else None
        while todo:
            batch = await consumer.getmany(*todo, timeout_ms=1000)
            for tp, records in batch.items():
                for record in records:
                    if record.offset >= todo.get(tp, -1):
                        continue
                    if stop_ms is None or record.timestamp < stop_ms:
                        await producer.send(
                            topic, value=record.value, key=record.key, headers=[(REPLAY_HEADER, b"1")]
                        )
                        sent += 1
                if records and records[-1].offset + 1 >= todo.get(tp, 0):
                    todo.pop(tp, None)
            if progress:
                progress(sent)
        await producer.flush()
    return sent
