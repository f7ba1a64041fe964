"""Produce each post to `posts.raw`, keyed by its id, and return only when Kafka confirmed delivery.

The producer is the kernel's (`yuqing.kafka.producer`): acks from all in-sync replicas, idempotent.
Being the last pipeline, this one's return is what makes Scrapy send `item_scraped`, the only moment a
post is marked as seen. The first failed delivery stops the crawl of the source (finish reason
`kafka_failed`, exit status 3); every later item is dropped unsent and stays unmarked, so the next run
sends it. A producer that cannot start fails the crawl before any page is fetched.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import AsyncExitStack

from aiokafka.errors import KafkaError
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from yuqing.kafka import producer
from yuqing.schema import TOPIC_RAW, Post
from yuqing.settings import KafkaSettings

logger = logging.getLogger(__name__)
SINKS = ("kafka", "jsonl")


class KafkaPipeline:
    def __init__(self, crawler, kafka: KafkaSettings) -> None:
        self.crawler = crawler
        self.kafka = kafka
        self.topic = kafka.topic(TOPIC_RAW)
        self.producer = None
        self.failed = False
        self._stack = AsyncExitStack()

    @classmethod
    def from_crawler(cls, crawler) -> KafkaPipeline:
        sink = crawler.settings.get("YUQING_SINK")
        if sink not in SINKS:
            # Without a sink every item would count as delivered and be marked seen: refuse.
            raise ValueError(f"YUQING_SINK must be one of {SINKS}, not {sink!r}")
        if sink != "kafka":
            raise NotConfigured(f"sink is {sink}")
        return cls(crawler, KafkaSettings(**crawler.settings.getdict("YUQING_KAFKA")))

    @property
    def name(self) -> str:
        return self.crawler.spidercls.name

    async def open_spider(self) -> None:
        self.producer = await self._stack.enter_async_context(
            producer(self.kafka, client_id=f"yuqing-crawler-{self.name}")
        )

    async def process_item(self, item: Post) -> Post:
        if self.failed:
            self.crawler.stats.inc_value("kafka/unsent")
            raise DropItem("Kafka failed earlier in this crawl", log_level="DEBUG")
        try:
            await asyncio.wait_for(
                self.producer.send_and_wait(self.topic, value=item.to_json(), key=item.id.encode()),
                self.kafka.request_timeout_s * 2,
            )
        except (KafkaError, TimeoutError) as exc:
            self._fail(exc)
            raise DropItem(f"Kafka delivery failed: {exc}", log_level="DEBUG") from exc
        self.crawler.stats.inc_value("kafka/sent")
        return item

    def _fail(self, exc: BaseException) -> None:
        self.crawler.stats.inc_value("kafka/failed")
        self.crawler.stats.inc_value("kafka/unsent")
        if self.failed:
            return
        self.failed = True
        logger.error(
            "[%s] Kafka delivery to %s at %s failed (%s: %s); stopping this crawl. "
            "Posts not delivered are not marked as seen and will be sent next run.",
            self.name,
            self.topic,
            self.kafka.bootstrap_servers,
            type(exc).__name__,
            exc,
        )
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="kafka_failed"))

    async def close_spider(self) -> None:
        try:
            await asyncio.wait_for(self._stack.aclose(), self.kafka.request_timeout_s)
        except (KafkaError, TimeoutError) as exc:
            logger.warning("[%s] Kafka producer did not close cleanly: %s", self.name, exc)
