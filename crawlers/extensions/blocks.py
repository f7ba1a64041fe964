"""Report a source that stopped welcoming us, and stop crawling it.

Fed by the `source_blocked` signal: counts `source/<reason>` (login_expired, captcha, forbidden), sets
`source/blocked` to the reason for the crawl summary, logs one clear ERROR line the first time, and closes
the spider with the reason as its finish reason: at once for an expired login (nothing will work until
someone renews the cookies), after `block_after` answers for captchas and 403s.
"""

from __future__ import annotations

import logging
from collections import Counter

from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import deferred_from_coro

from crawlers.signals import BLOCK_REASONS, source_blocked

logger = logging.getLogger(__name__)


class BlockMonitor:
    def __init__(self, crawler, block_after: int) -> None:
        self.crawler = crawler
        self.block_after = block_after
        self.counts: Counter[str] = Counter()
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler) -> BlockMonitor:
        source = getattr(crawler.spidercls, "source", None)
        if source is None:
            raise NotConfigured("not a configured source's spider")
        ext = cls(crawler, source.blocking.block_after)
        crawler.signals.connect(ext.source_blocked, signal=source_blocked)
        return ext

    def source_blocked(self, reason: str, url: str, detail: str = "") -> None:
        stats = self.crawler.stats
        stats.inc_value(f"source/{reason}")
        stats.set_value("source/blocked", reason)
        self.counts[reason] += 1
        name = self.crawler.spidercls.name
        if self.counts[reason] == 1:
            logger.error("source %s: %s (%s at %s)", name, BLOCK_REASONS.get(reason, reason), detail, url)
        if self.closing:
            return
        if reason == "login_expired" or self.counts[reason] >= self.block_after:
            self.closing = True
            logger.error("source %s: stopping this crawl (%s)", name, reason)
            deferred_from_coro(self.crawler.engine.close_spider_async(reason=reason))
