"""A page that breaks its callback is logged and counted (`skipped/parse_error`); the crawl goes on."""

from __future__ import annotations

import logging
from typing import Any

from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

logger = logging.getLogger(__name__)


class ParseErrorMiddleware:
    def __init__(self, crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> ParseErrorMiddleware:
        return cls(crawler)

    def process_spider_exception(self, response: Response, exception: Exception) -> list[Any] | None:
        if isinstance(exception, CloseSpider | IgnoreRequest | HttpError):
            return None  # Scrapy's own control flow
        self.crawler.stats.inc_value("skipped/parse_error")
        name = getattr(self.crawler.spider, "name", "?")
        logger.warning(
            "[%s] skipped %s (parse_error): %s: %s", name, response.url, type(exception).__name__, exception
        )
        logger.debug("parse error traceback", exc_info=exception)
        return []
