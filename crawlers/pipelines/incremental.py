"""Emit each post once, and again only when its engagement counts changed (an update, same id).

Reads the source's SeenStore (owned by the spider) before the sink; marks a post in it only on
`item_scraped`, which Scrapy sends after the last pipeline (the sink) returned, i.e. after the broker
confirmed delivery. A post dropped or failed anywhere is never marked. Within one run, the same post
found twice (two keyword searches) goes out once.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.exceptions import DropItem

from crawlers.state import fingerprint
from yuqing.schema import Post


class IncrementalPipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler
        self.this_run: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler) -> IncrementalPipeline:
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_scraped, signal=signals.item_scraped)
        return pipeline

    def process_item(self, item: Post) -> Post:
        stats = self.crawler.stats
        print_ = fingerprint(item.engagement)
        if self.this_run.get(item.id) == print_:
            stats.inc_value("skipped/duplicate")
            raise DropItem("already in this run", log_level="DEBUG")
        known = self.crawler.spider.seen.fingerprint(item.id)
        if known == print_:
            stats.inc_value("skipped/seen")
            raise DropItem("already delivered", log_level="DEBUG")
        self.this_run[item.id] = print_
        if known is None:
            stats.inc_value("incremental/new")
            return item
        stats.inc_value("incremental/updated")
        return item.model_copy(update={"extras": {**item.extras, "update": True, "previous_counts": known}})

    def item_scraped(self, item: Post) -> None:
        self.crawler.spider.seen.mark(item.id, fingerprint(item.engagement))
