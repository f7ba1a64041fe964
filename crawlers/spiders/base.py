"""The base of every spider type: requests with the source's credentials, and every skip counted.

A spider instance serves one source (`source`, attached by the spider loader). Each page that yields no
post says why, once, in the log and in a `skipped/<reason>` stat: robots, http_404, timeout, not_html,
empty, parse_error, blocked ...
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar

import scrapy
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadTimeoutError,
    IgnoreRequest,
)
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from crawlers.dates import parse_date
from crawlers.health import RunHealth
from crawlers.sources import SourceBase
from crawlers.state import SeenStore, store_path
from yuqing.schema import LINK_FIELDS, PARENT_TEXT_CHARS, TZ, make_post_id

logger = logging.getLogger(__name__)
MAX_ID_CHARS = 200  # Post's limit on source_id and link ids


class SourceSpider(scrapy.Spider):
    """One configured source; subclasses implement `start` and their callbacks."""

    source: ClassVar[SourceBase]
    expects: ClassVar[tuple[str, ...]] = ("html",)  # content types a page callback accepts
    navigation: ClassVar[tuple[str, ...]] = ()  # next-page selectors (see RunHealth)
    expected_fields: ClassVar[tuple[str, ...]] = ("published_at",)  # most posts should have these

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> SourceSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        # Secrets from the environment stay on the spider; AuthMiddleware adds them as a request is sent.
        spider.secret_headers = cls.source.credentials(
            file=crawler.settings.get("YUQING_SOURCES_FILE") or "sources.yaml"
        )
        spider.plain_headers = dict(cls.source.headers)
        spider.seen = SeenStore(store_path(Path(crawler.settings["YUQING_STATE_DIR"]), cls.name))
        spider.health = RunHealth(navigation=cls.navigation, expected=cls.expected_fields)
        return spider

    def closed(self, reason: str) -> None:
        self.seen.close()
        for key, message in self.health.warnings():
            self.warn(key, message)

    def warn(self, key: str, message: str) -> None:
        """Once per source and run: a WARNING line and `warning/<key>` in the stats (the summary shows it)."""
        stats = self.crawler.stats
        if stats.get_value(f"warning/{key}") is None:
            stats.set_value(f"warning/{key}", message)
            logger.warning("[%s] %s", self.name, message)

    # Requests ---------------------------------------------------------------------------------------
    def request(
        self,
        url: str,
        callback: str,
        cb_kwargs: dict[str, Any] | None = None,
        *,
        start_url: bool = False,
        errback: str | None = None,
    ) -> scrapy.Request:
        """A request whose failure goes to `on_error` (or `errback`), carrying the source's plain headers.

        The callback's arguments come as one dict, so none of them can collide with this method's own
        keywords. `start_url` marks a start URL: fetched on every run, even when a resumed job's duplicate
        filter has it. Secret headers and cookies are not on the request: `AuthMiddleware` adds them when it
        is sent, so they never reach the job's queue on disk.
        """
        return scrapy.Request(
            url,
            callback=getattr(self, callback),
            errback=getattr(self, errback) if errback else self.on_error,
            headers=self.plain_headers or None,
            cb_kwargs=cb_kwargs or {},
            dont_filter=start_url,
        )

    def on_error(self, failure: Failure) -> None:
        """A page that could not be fetched: one log line and one `skipped/<reason>` stat."""
        request = failure.request
        if failure.check(HttpError):
            reason = f"http_{failure.value.response.status}"
        elif failure.check(IgnoreRequest):
            message = str(failure.value)
            reason = "robots" if "robots.txt" in message else "blocked" if "blocked" in message else "ignored"
        elif failure.check(DownloadTimeoutError):
            reason = "timeout"
        elif failure.check(CannotResolveHostError):
            reason = "dns"
        elif failure.check(DownloadConnectionRefusedError):
            reason = "connection_refused"
        else:
            reason = "download_error"
        self.skip(reason, request.url, failure.getErrorMessage())

    def skip(self, reason: str, url: str, detail: str = "") -> None:
        self.crawler.stats.inc_value(f"skipped/{reason}")
        logger.info("[%s] skipped %s (%s)%s", self.name, url, reason, f": {detail}" if detail else "")

    # Responses --------------------------------------------------------------------------------------
    def usable(self, response: Response, expects: tuple[str, ...] | None = None) -> TextResponse | None:
        """The page as text in the right encoding, or None (skipped) when it is not what we can read."""
        if not response.body.strip():
            self.skip("empty", response.url, "empty body")
            return None
        kind = response.headers.get(b"Content-Type", b"").decode("latin-1").lower()
        wanted = expects or self.expects
        if not isinstance(response, TextResponse) or (kind and not any(w in kind for w in wanted)):
            self.skip("not_html" if "html" in wanted else "unexpected_type", response.url, kind or "binary")
            return None
        return self._decoded(response)

    def _decoded(self, response: TextResponse) -> TextResponse:
        return decoded(response, self.source.encoding)

    # Posts ------------------------------------------------------------------------------------------
    def now(self) -> datetime:
        return datetime.now(TZ)

    def date(self, value: Any) -> datetime | None:
        return parse_date(value, now=self.now())

    def post(self, **fields: Any) -> dict[str, Any]:
        """An item: a dict of Post fields; the pipelines validate it into a `Post`.

        Conversation links are cleaned here, whatever the spider: a bad link id would make the validator
        refuse the whole post, and a post without its link is worth more than no post.
        """
        fields.setdefault("crawled_at", self.now())
        for name in LINK_FIELDS:
            fields[name] = self.link(fields.get(name))
        fields["parent_text"] = context_text(fields.get("parent_text"))
        self.health.post(fields)
        return {"source": self.name, **{k: v for k, v in fields.items() if v is not None}}

    def link(self, value: Any) -> str | None:
        """A link id as the schema takes it (stripped), or None; an id no cleaning can save is counted."""
        if value is None or value == "":
            return None
        cleaned = clean_id(value)
        if cleaned is None:
            self.crawler.stats.inc_value("links/dropped")
            logger.debug("[%s] dropped link id %r", self.name, value)
        return cleaned

    def post_id(self, source_id: str | None = None, url: str | None = None) -> str:
        return make_post_id(self.name, source_id, url)

    def known(self, post_id: str) -> bool:
        """Delivered before or judged irrelevant: a page that carries no counts need not be fetched again."""
        return self.seen.known(post_id)

    def already_sent(self, post_id: str, fingerprint: str | None = None) -> bool:
        """Delivered before (with this fingerprint, when given): no need to fetch it again."""
        known = self.seen.fingerprint(post_id)
        return known is not None and (fingerprint is None or known == fingerprint)

    def keyword_urls(self, template: str) -> Iterator[tuple[str, str | None]]:
        """The template once per keyword when it has `{keyword}`, else once as is."""
        from urllib.parse import quote

        if "{keyword}" not in template:
            yield template, None
            return
        for keyword in self.source.keywords:
            yield template.replace("{keyword}", quote(keyword)), keyword


def clean_id(value: Any) -> str | None:
    """`value` as an id: a string or int, stripped; None when whitespace or control characters remain inside.

    The schema refuses control characters in ids (a line break in an id reaches a mail header); inner
    whitespace is refused too, since no source's ids have it: such a value is markup caught by mistake.
    """
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    text = str(value).strip()
    if not text or len(text) > MAX_ID_CHARS or not text.isprintable() or any(c.isspace() for c in text):
        return None
    return text


def context_text(value: Any) -> str | None:
    """A parent's text as context: stripped and cut to what the schema keeps."""
    if not isinstance(value, str):
        return None
    return value.strip()[:PARENT_TEXT_CHARS] or None


def decoded(response: TextResponse, encoding: str | None = None) -> TextResponse:
    """The response in `encoding` when a source forces one; else as declared; else UTF-8, or GB18030."""
    if encoding:
        return response.replace(encoding=encoding)
    declared = getattr(response, "_declared_encoding", lambda: None)()
    if declared is None:
        try:
            response.body.decode("utf-8")
        except UnicodeDecodeError:
            # Undeclared and not UTF-8: on a Chinese site that is GBK (GB18030 is its superset).
            try:
                response.body.decode("gb18030")
                return response.replace(encoding="gb18030")
            except UnicodeDecodeError:
                pass
    return response
