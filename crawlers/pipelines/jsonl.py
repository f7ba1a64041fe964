"""Sink for development and benchmarks: posts as JSON lines in a file (`--output FILE`)."""

from __future__ import annotations

from pathlib import Path

from scrapy.exceptions import NotConfigured

from yuqing.schema import Post


class JsonLinesPipeline:
    def __init__(self, crawler, path: Path) -> None:
        self.crawler = crawler
        self.path = path
        self._fh = None

    @classmethod
    def from_crawler(cls, crawler) -> JsonLinesPipeline:
        if crawler.settings.get("YUQING_SINK") != "jsonl":
            raise NotConfigured("sink is not jsonl")
        path = crawler.settings.get("YUQING_JSONL_PATH")
        if not path:
            raise ValueError("YUQING_SINK is jsonl but YUQING_JSONL_PATH is empty")
        return cls(crawler, Path(path))

    def open_spider(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = self.path.open("ab")

    def process_item(self, item: Post) -> Post:
        self._fh.write(item.to_json() + b"\n")
        self._fh.flush()  # "delivered" means on its way to disk before the post is marked as seen
        self.crawler.stats.inc_value("jsonl/written")
        return item

    def close_spider(self) -> None:
        if self._fh is not None:
            self._fh.close()
