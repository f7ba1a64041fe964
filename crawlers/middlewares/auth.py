"""Put a source's secret headers and cookies on a request as it is sent, and take them off as it comes back.

Secrets come from the environment (`headers_env`, `cookies_env`). Set on the Request itself they would be
pickled with it into the job's queue on disk (JOBDIR) whenever a crawl is interrupted, and copied into every
retry and redirect the scheduler stores. This middleware sits closest to the downloader: it adds them after
every other middleware has seen the request, and removes them first thing on the way back, before the retry
and redirect middlewares copy the request.

Secrets go only to the hosts of the source's own start URLs: a redirect to another site (which Scrapy's
redirect middleware strips of Cookie and Authorization) does not get them back here.

Cookies from the environment are merged with the session cookies Scrapy's cookie jar keeps for the site; a
cookie the site has set since (a renewed session) wins over the one from the environment.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import Response


class AuthMiddleware:
    def __init__(self, crawler, hosts: set[str]) -> None:
        self.crawler = crawler
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler) -> AuthMiddleware:
        source = getattr(crawler.spidercls, "source", None)
        if source is None or not (source.headers_env or source.cookies_env):
            raise NotConfigured("the source has no secret headers or cookies")
        return cls(crawler, hosts_of(source.start_urls))

    @property
    def secrets(self) -> dict[str, str]:
        return getattr(self.crawler.spider, "secret_headers", None) or {}

    def process_request(self, request: Request) -> None:
        if urlsplit(request.url).hostname not in self.hosts:
            return
        for header, value in self.secrets.items():
            if header.lower() == "cookie":
                request.headers["Cookie"] = merge_cookies(value, _text(request.headers.get("Cookie")))
            else:
                request.headers[header] = value
        request.meta["_yuqing_auth"] = True

    def process_response(self, request: Request, response: Response) -> Response:
        self._strip(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self._strip(request)

    def _strip(self, request: Request) -> None:
        if request.meta.pop("_yuqing_auth", False):
            for header in self.secrets:
                request.headers.pop(header, None)


def hosts_of(urls: list[str]) -> set[str]:
    """The host names of start URLs (`{keyword}` and `{page}` templates included)."""
    filled = (u.replace("{keyword}", "x").replace("{page}", "1") for u in urls)
    return {host for host in (urlsplit(u).hostname for u in filled) if host}


def merge_cookies(ours: str, jar: str) -> str:
    """`a=1; b=2` from the environment under the jar's `b=3; c=4`: `a=1; b=3; c=4`."""
    merged = _pairs(ours)
    merged.update(_pairs(jar))
    return "; ".join(f"{k}={v}" for k, v in merged.items())


def _pairs(header: str) -> dict[str, str]:
    """Lenient: real cookie strings break SimpleCookie."""
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return {k.strip(): v.strip() for k, sep, v in pairs if sep and k.strip()}


def _text(value: bytes | None) -> str:
    return value.decode("latin-1") if value else ""
