"""Kafka setup and the small helpers every stage builds on: topics, a confirmed producer, a consumer.

Topics are the project's (`yuqing.schema.TOPICS`: the four public ones and the stream's own hops), prefixed
by `KAFKA_TOPIC_PREFIX`. Producing waits for
the broker's acknowledgement from all in-sync replicas, with idempotence on, so a retry never duplicates.
Messages are keyed by the post's stable id: the same post always lands in the same partition, in order.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewPartitions, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError
from aiokafka.structs import ConsumerRecord, RecordMetadata

from yuqing.errors import ConfigError, ServiceError
from yuqing.schema import TOPIC_RAW, TOPICS
from yuqing.settings import KafkaSettings, Settings


def topic_names(kafka: KafkaSettings) -> list[str]:
    """The full names of the project's topics."""
    return [kafka.topic(t) for t in TOPICS]


def _unreachable(kafka: KafkaSettings, exc: Exception) -> ServiceError:
    return ServiceError(
        "kafka", f"cannot reach {kafka.bootstrap_servers}: {exc} (is `yuqing services up` done?)"
    )


async def _start(client: Any, kafka: KafkaSettings, release: Callable[[], Awaitable[Any]]) -> None:
    """Start an aiokafka client within the timeout; on failure release it and say Kafka is unreachable."""
    try:
        await asyncio.wait_for(client.start(), kafka.request_timeout_s)
    except (KafkaError, OSError, TimeoutError) as exc:
        await release()
        raise _unreachable(kafka, exc) from exc


@asynccontextmanager
async def admin(kafka: KafkaSettings) -> AsyncIterator[AIOKafkaAdminClient]:
    client = AIOKafkaAdminClient(
        bootstrap_servers=kafka.bootstrap_servers, request_timeout_ms=int(kafka.request_timeout_s * 1000)
    )
    await _start(client, kafka, client.close)
    try:
        yield client
    finally:
        await client.close()


async def describe_topics(kafka: KafkaSettings, names: Iterable[str]) -> dict[str, int]:
    """Partition counts of the topics among `names` that exist."""
    async with admin(kafka) as client:
        existing = set(await client.list_topics())
        wanted = [n for n in names if n in existing]
        if not wanted:
            return {}
        described = await client.describe_topics(wanted)
    return {d["topic"]: len(d["partitions"]) for d in described if d["error_code"] == 0}


def topic_configs(kafka: KafkaSettings, name: str) -> dict[str, str]:
    """A project topic's configuration at creation.

    Every topic says how many replicas must have a write before the producer (acks=all) hears it is done,
    so a confirmed post survives the loss of a broker whatever the broker's own default. posts.raw is the
    record of everything crawled: kept long enough to replay it through a new model.
    """
    configs = {"min.insync.replicas": str(kafka.min_insync_replicas)}
    if name == kafka.topic(TOPIC_RAW):
        configs["retention.ms"] = str(kafka.raw_retention_days * 86_400_000)
    return configs


PARTITIONS_FIXED = (
    "is keyed: adding partitions moves keys to other partitions and breaks the co-partitioning of the "
    "stream's tables with their changelogs (a spot's state would be read on one partition and written on "
    "another). To scale out, create a new deployment with KAFKA_PARTITIONS set (new KAFKA_TOPIC_PREFIX and "
    "STREAM_APP_ID) and `yuqing replay` into it; or pass --grow-partitions knowing that state is lost"
)


async def ensure_topics_async(kafka: KafkaSettings, grow_partitions: bool = False) -> list[str]:
    """Create missing topics; one line per topic. A topic with fewer partitions than configured is refused
    (ConfigError) unless `grow_partitions`: partitions of keyed topics are fixed once created."""
    names = topic_names(kafka)
    lines: list[str] = []
    async with admin(kafka) as client:
        existing = set(await client.list_topics())
        described = await client.describe_topics([n for n in names if n in existing]) if existing else []
        counts = {d["topic"]: len(d["partitions"]) for d in described if d["error_code"] == 0}
        for name in names:
            have = counts.get(name)
            if have is None:
                try:
                    await client.create_topics(
                        [
                            NewTopic(
                                name,
                                kafka.partitions,
                                kafka.replication_factor,
                                topic_configs=topic_configs(kafka, name),
                            )
                        ],
                        timeout_ms=int(kafka.request_timeout_s * 1000),
                    )
                    lines.append(
                        f"topic {name}: created ({kafka.partitions} partitions, "
                        f"{kafka.replication_factor} replicas, min in-sync {kafka.min_insync_replicas})"
                    )
                except TopicAlreadyExistsError:  # created meanwhile by another `init`
                    lines.append(f"topic {name}: exists")
            elif have < kafka.partitions and not grow_partitions:
                raise ConfigError(
                    "KAFKA_PARTITIONS",
                    "partitions",
                    f"topic {name} has {have} partitions, {kafka.partitions} configured; "
                    f"it {PARTITIONS_FIXED}",
                )
            elif have < kafka.partitions:
                await client.create_partitions({name: NewPartitions(kafka.partitions)})
                lines.append(
                    f"topic {name}: grown from {have} to {kafka.partitions} partitions (state reset)"
                )
            else:
                # Kafka cannot shrink a topic; more partitions than configured is kept as it is.
                lines.append(f"topic {name}: exists ({have} partitions)")
    return lines


def ensure_topics(settings: Settings, grow_partitions: bool = False) -> list[str]:
    """Blocking form of `ensure_topics_async` for the CLI."""
    try:
        return asyncio.run(ensure_topics_async(settings.kafka, grow_partitions))
    except KafkaConnectionError as exc:
        raise _unreachable(settings.kafka, exc) from exc


async def delete_topics(kafka: KafkaSettings, names: Iterable[str]) -> None:
    """Delete topics that exist (tests clean up their own prefix with this)."""
    async with admin(kafka) as client:
        existing = set(await client.list_topics())
        doomed = [n for n in names if n in existing]
        if doomed:
            await client.delete_topics(doomed, timeout_ms=int(kafka.request_timeout_s * 1000))


async def delete_prefixed_topics(kafka: KafkaSettings) -> list[str]:
    """Delete every topic under the prefix, the project's and any other (tests clean up with this)."""
    if not kafka.topic_prefix:
        raise ValueError("refusing to delete unprefixed topics")
    async with admin(kafka) as client:
        doomed = [t for t in await client.list_topics() if t.startswith(kafka.topic_prefix)]
        if doomed:
            await client.delete_topics(doomed, timeout_ms=int(kafka.request_timeout_s * 1000))
    return doomed


@asynccontextmanager
async def producer(kafka: KafkaSettings, **overrides: Any) -> AsyncIterator[AIOKafkaProducer]:
    """A started producer that waits for all in-sync replicas, idempotent (no duplicates on retry)."""
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "acks": "all",
        "enable_idempotence": True,
        "request_timeout_ms": int(kafka.request_timeout_s * 1000),
        "linger_ms": 5,
    }
    options.update(overrides)
    client = AIOKafkaProducer(**options)
    await _start(client, kafka, client.stop)
    try:
        yield client
    finally:
        await client.stop()


async def send(
    client: AIOKafkaProducer, topic: str, value: bytes, key: str | bytes | None = None
) -> RecordMetadata:
    """Send one message and wait for the broker to confirm it."""
    raw_key = key.encode() if isinstance(key, str) else key
    return await client.send_and_wait(topic, value=value, key=raw_key)


async def send_many(
    client: AIOKafkaProducer, topic: str, records: Iterable[tuple[str | bytes | None, bytes]]
) -> list[RecordMetadata]:
    """Send a batch (pipelined) and wait until every message is confirmed; the first failure raises."""
    futures = []
    for key, value in records:
        raw_key = key.encode() if isinstance(key, str) else key
        futures.append(await client.send(topic, value=value, key=raw_key))
    return list(await asyncio.gather(*futures))


@asynccontextmanager
async def consumer(
    kafka: KafkaSettings, *topics: str, group_id: str | None, **overrides: Any
) -> AsyncIterator[AIOKafkaConsumer]:
    """A started consumer on full topic names, reading from the earliest offset when the group is new."""
    options: dict[str, Any] = {
        "bootstrap_servers": kafka.bootstrap_servers,
        "group_id": group_id,
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        "request_timeout_ms": int(kafka.request_timeout_s * 1000),
    }
    options.update(overrides)
    client = AIOKafkaConsumer(*topics, **options)
    await _start(client, kafka, client.stop)
    try:
        yield client
    finally:
        await client.stop()


async def consume(client: AIOKafkaConsumer, limit: int, timeout_s: float) -> list[ConsumerRecord]:
    """Up to `limit` messages, waiting at most `timeout_s` in all (fewer if they do not come)."""
    records: list[ConsumerRecord] = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while len(records) < limit and (left := deadline - loop.time()) > 0:
        batch = await client.getmany(timeout_ms=int(min(left, 1.0) * 1000), max_records=limit - len(records))
        for messages in batch.values():
            records.extend(messages)
    return records
