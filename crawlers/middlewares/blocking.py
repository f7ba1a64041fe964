"""Notice when a source stops welcoming us: redirects to a login page, captcha pages, 401/403.

Such a response is not parsed (its "content" is a login form) and not retried: the middleware sends the
`source_blocked` signal (the BlockMonitor extension counts, logs and stops the source) and drops the
request with IgnoreRequest("blocked ..."), which the spider's errback counts as `skipped/blocked`.
"""

from __future__ import annotations

import re

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse

from crawlers.signals import source_blocked
from crawlers.sources import Blocking

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


class BlockDetectionMiddleware:
    def __init__(self, crawler, blocking: Blocking) -> None:
        self.crawler = crawler
        self.login = [re.compile(p, re.I) for p in blocking.login_url_patterns]
        self.captcha = [m.lower() for m in blocking.captcha_markers]
        self.forbidden = set(blocking.forbidden_statuses)

    @classmethod
    def from_crawler(cls, crawler) -> BlockDetectionMiddleware:
        source = getattr(crawler.spidercls, "source", None)
        if source is None:
            raise NotConfigured("not a configured source's spider")
        return cls(crawler, source.blocking)

    def process_response(self, request: Request, response: Response) -> Response:
        if request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt"):
            return response  # robots.txt answers are the robots middleware's business
        verdict = self.classify(request, response)
        if verdict is None:
            return response
        reason, detail = verdict
        self.crawler.signals.send_catch_log(source_blocked, reason=reason, url=request.url, detail=detail)
        raise IgnoreRequest(f"blocked ({reason}): {detail}")

    def classify(self, request: Request, response: Response) -> tuple[str, str] | None:
        """(reason, detail) when the response says we are not welcome, else None."""
        asked = request.meta.get("redirect_urls", [request.url])[0]
        if not any(p.search(asked) for p in self.login):
            for url in [*request.meta.get("redirect_urls", [])[1:], response.url]:
                if any(p.search(url) for p in self.login):
                    return "login_expired", f"redirected to {url}"
        if response.status in self.forbidden:
            return "forbidden", f"HTTP {response.status}"
        lowered = response.url.lower()
        marker = next((m for m in self.captcha if m.startswith("/") and m in lowered), None)
        if marker is None and isinstance(response, TextResponse):
            title = _TITLE.search(response.body[:8192])
            if title:
                text = title.group(1).decode(response.encoding or "utf-8", "replace").lower()
                marker = next((m for m in self.captcha if not m.startswith("/") and m in text), None)
        if marker is not None:
            return "captcha", f"captcha marker {marker!r}"
        return None
