"""The least a stream must do, as a baseline for `yuqing bench stream`: a plain aiokafka consumer that reads
posts.raw, parses each post, scores batches of 64 in an executor (as the worker does), bulk-indexes the scored
documents into Elasticsearch and commits the offsets. No events, no rules, no alerts, no other topics.

One batch is indexed while the next is scored (the worker keeps two batches in flight too). Run it as
`python -m bench.minimal_consumer` with the KAFKA_* and ES_* variables of the prefix it should read; it prints
`READY` once it holds its partitions and stops on SIGTERM. `MinimalConsumer` starts it as a child process.
"""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime
from typing import Any

from aiokafka import TopicPartition

from bench.rig import Worker, wait_until
from streams.indexing import bulk_until_done, post_actions
from yuqing import es as es_setup
from yuqing import kafka as kafka_setup
from yuqing.errors import InvalidPost
from yuqing.schema import TOPIC_RAW, Post, ScoredPost
from yuqing.segment import segment
from yuqing.settings import Settings

READY = "minimal consumer: READY"
BATCH = 64
GROUP = "bench-minimal"
log = logging.getLogger("bench.minimal_consumer")


def consumer_env(settings: Settings) -> dict[str, str]:
    """The environment that points a child process at `settings`' Kafka topics and Elasticsearch indices."""
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "KAFKA_PARTITIONS": str(settings.kafka.partitions),
        "ES_URL": settings.es.url,
        "ES_INDEX_PREFIX": settings.es.index_prefix,
        "PYTHONUNBUFFERED": "1",
    }


class MinimalConsumer(Worker):
    """`python -m bench.minimal_consumer` as a child process (stop, kill and tail as for the worker)."""

    def start(self, ready_timeout: float = 120.0) -> MinimalConsumer:
        offset = self.log.stat().st_size if self.log.exists() else 0
        out = self.log.open("ab")
        command = [sys.executable, "-m", "bench.minimal_consumer"]
        self.proc = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        wait_until("the minimal consumer to be ready", lambda: self._ready(offset), ready_timeout)
        return self

    def _ready(self, offset: int) -> bool:
        if self.proc and self.proc.poll() is not None:
            raise AssertionError(f"minimal consumer exited with {self.proc.returncode}:\n{self.tail()}")
        with self.log.open("rb") as fh:
            fh.seek(offset)
            return READY in fh.read().decode("utf-8", "replace")


def scored_posts(scorer: Any, posts: list[Post]) -> list[ScoredPost]:
    """The documents to index: each post with its scores and its segmented text (runs in the executor)."""
    from models.runtime.scorer import PostText

    results = scorer.score([PostText(p.text, p.title) for p in posts])
    now = datetime.now(UTC)
    return [
        ScoredPost.model_validate(
            {**p.model_dump(exclude={"id"}), **result, "text_seg": segment(p.text), "scored_at": now}
        )
        for p, result in zip(posts, results, strict=True)
    ]


def parsed(records: list[Any]) -> list[Post]:
    posts = []
    for record in records:
        try:
            posts.append(Post.parse(record.value))
        except InvalidPost as exc:  # no dead-letter topic here: counted in the log and dropped
            log.warning("skipped %s:%s:%s: %s", record.topic, record.partition, record.offset, exc)
    return posts


def next_offsets(records: list[Any]) -> dict[TopicPartition, int]:
    """What to commit once `records` are indexed: one past the last offset of each partition."""
    offsets: dict[TopicPartition, int] = {}
    for r in records:
        tp = TopicPartition(r.topic, r.partition)
        offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
    return offsets


async def run(settings: Settings, stop: asyncio.Event) -> int:
    """Consume until `stop` is set; the number of documents indexed."""
    from models.runtime.scorer import Scorer

    scorer = Scorer.from_settings(settings)
    client = es_setup.async_client(settings.es)
    loop = asyncio.get_running_loop()
    indexed = 0

    async def index(posts: list[ScoredPost]) -> int:
        refused = await bulk_until_done(client, post_actions(settings.es, posts), settings.stream.retry_max_s)
        for r in refused:
            log.error("document %s refused: %s", r.doc_id, r.reason)
        return len(posts) - len(refused)

    topic = settings.kafka.topic(TOPIC_RAW)
    try:
        async with kafka_setup.consumer(
            settings.kafka, topic, group_id=settings.kafka.topic(GROUP)
        ) as consumer:
            while not consumer.assignment() and not stop.is_set():
                await consumer.getmany(timeout_ms=100)
            print(READY, flush=True)
            # one batch's bulk request in flight while the next batch is fetched and scored
            in_flight: tuple[asyncio.Task, dict[TopicPartition, int]] | None = None
            while not stop.is_set():
                got = await consumer.getmany(timeout_ms=200, max_records=BATCH)
                records = [r for part in got.values() for r in part]
                posts = parsed(records)
                docs = await loop.run_in_executor(None, scored_posts, scorer, posts) if posts else []
                if in_flight and (records or in_flight[0].done()):
                    indexed += await in_flight[0]
                    await consumer.commit(in_flight[1])  # offsets only once their documents are indexed
                    in_flight = None
                if records:
                    in_flight = (asyncio.create_task(index(docs)), next_offsets(records))
            if in_flight:
                indexed += await in_flight[0]
                await consumer.commit(in_flight[1])
    finally:
        await client.close()
    return indexed


def main() -> None:
    from yuqing.settings import get_settings

    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s %(message)s")

    async def serve() -> int:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        return await run(get_settings(), stop)

    print(f"minimal consumer: stopped, {asyncio.run(serve())} documents indexed", flush=True)


if __name__ == "__main__":
    main()
