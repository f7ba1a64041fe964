"""Scrapy's retries (5xx, 408, 429, timeouts, dropped connections), with exponential backoff.

The n-th retry of a request waits `YUQING_BACKOFF_S * 2**(n-1)` seconds (jittered, at most
`YUQING_BACKOFF_MAX_S`), or what the server's Retry-After asks if that is longer, so a struggling
site gets room instead of an immediate second hit.
"""

from __future__ import annotations

import asyncio
import logging
import random

from scrapy import Request
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Response
from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)


class BackoffRetryMiddleware(RetryMiddleware):
    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.base_s = settings.getfloat("YUQING_BACKOFF_S", 1.0)
        self.max_s = settings.getfloat("YUQING_BACKOFF_MAX_S", 60.0)

    def delay(self, retry_times: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number `retry_times` (1-based)."""
        wait = self.base_s * 2 ** max(retry_times - 1, 0) * random.uniform(0.75, 1.0)
        if retry_after is not None:
            wait = max(wait, retry_after)
        return min(wait, self.max_s)

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, _retry_after(response))
        return result

    async def process_exception(self, request: Request, exception: Exception) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
        return result

    async def _wait(self, retry: Request, retry_after: float | None) -> None:
        seconds = self.delay(retry.meta.get("retry_times", 1), retry_after)
        if seconds > 0:
            self.crawler.stats.inc_value("retry/backoff_seconds", round(seconds, 3))
            logger.debug("backing off %.2fs before retrying %s", seconds, retry.url)
            await asyncio.sleep(seconds)


def _retry_after(response: Response) -> float | None:
    value = response.headers.get(b"Retry-After")
    try:
        return float(value) if value else None
    except ValueError:
        return None  # an HTTP date: rare enough to fall back to our own backoff
