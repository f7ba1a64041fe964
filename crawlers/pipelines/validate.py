"""Turn a spider's item (a dict of Post fields) into a validated `yuqing.schema.Post`."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import DropItem

from yuqing.errors import InvalidPost
from yuqing.schema import Post

logger = logging.getLogger(__name__)


class ValidatePipeline:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Any) -> Post:
        if isinstance(item, Post):
            return item
        try:
            return Post.parse(dict(item))
        except InvalidPost as exc:
            self.crawler.stats.inc_value("skipped/invalid")
            logger.info("[%s] skipped item from %s (invalid: %s)", item.get("source"), item.get("url"), exc)
            raise DropItem(f"invalid post: {exc}", log_level="DEBUG") from exc
