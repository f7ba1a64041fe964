"""The cheap relevance gate: a post without any Mile place or source keyword never reaches Kafka.

`yuqing.gazetteer.could_be_relevant` with the source's keywords; it masks the gazetteer's decoys
(弥勒佛 ...) first, so that the keyword 弥勒 does not let the Buddha in. Off per source (`relevance_gate:
false`) for sources that are about Mile by construction. Dropped posts count as `skipped/irrelevant` and
are remembered as judged, so their pages are not fetched again.
"""

from __future__ import annotations

import logging

from scrapy.exceptions import DropItem, NotConfigured

from yuqing.gazetteer import could_be_relevant
from yuqing.schema import Post

logger = logging.getLogger(__name__)


class RelevanceGate:
    """The decision alone, testable without a crawler."""

    def __init__(self, keywords: list[str]) -> None:
        self.keywords = keywords

    def __call__(self, text: str) -> bool:
        return could_be_relevant(text, self.keywords)


class RelevanceGatePipeline:
    def __init__(self, crawler, gate: RelevanceGate) -> None:
        self.crawler = crawler
        self.gate = gate

    @classmethod
    def from_crawler(cls, crawler) -> RelevanceGatePipeline:
        source = getattr(crawler.spidercls, "source", None)
        if source is None or not source.relevance_gate:
            raise NotConfigured("relevance gate off for this source")
        return cls(crawler, RelevanceGate(source.keywords))

    def process_item(self, item: Post) -> Post:
        if self.gate(f"{item.title or ''}\n{item.text}"):
            self.crawler.stats.inc_value("gate/passed")
            return item
        self.crawler.stats.inc_value("skipped/irrelevant")
        seen = getattr(self.crawler.spider, "seen", None)
        if seen is not None:
            seen.mark_irrelevant(item.id)
        logger.debug("[%s] skipped %s (irrelevant): %s", item.source, item.url or item.id, item.text[:60])
        raise DropItem("irrelevant", log_level="DEBUG")
