"""Fetching for `yuqing crawl --try`: a transport is a function url → Page, so tests need no network."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib import robotparser
from urllib.parse import urlsplit

from scrapy.http import Headers, TextResponse
from scrapy.responsetypes import responsetypes

from crawlers.preview.report import PreviewError, Step
from crawlers.sources import SourceBase
from crawlers.spiders.base import decoded


@dataclass
class Page:
    url: str
    status: int
    headers: dict[str, str]
    body: bytes


Fetch = Callable[[str], Page]


Fetch = Callable[[str], Page]


def get(
    fetch: Fetch, kind: str, url: str, steps: list[Step], source: SourceBase
) -> tuple[Step, TextResponse]:
    step = Step(kind, url)
    steps.append(step)
    try:
        page = fetch(url)
    except Exception as exc:  # the transport's errors are many (DNS, refused, timeout, robots)
        step.error = str(exc) or type(exc).__name__
        raise PreviewError(step.error) from exc
    step.status = page.status
    if page.status >= 400:
        step.error = f"HTTP {page.status}"
        raise PreviewError(step.error)
    headers = Headers(page.headers)
    cls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
    response = cls(page.url, status=page.status, headers=headers, body=page.body)
    if not isinstance(response, TextResponse) or not page.body.strip():
        step.error = f"not a text page ({page.headers.get('Content-Type', 'no Content-Type')})"
        raise PreviewError(step.error)
    response = decoded(response, source.encoding)
    if page.url != url:
        step.note("final url", page.url)
    return step, response


def http_fetcher(source: SourceBase, user_agent: str, default_headers: dict[str, str]) -> Fetch:
    """httpx with the source's headers and credentials; robots.txt obeyed unless the source says not."""
    import httpx

    headers = {
        **default_headers,
        "User-Agent": source.politeness.user_agent or user_agent,
        **source.headers,
        **source.credentials(),
    }
    client = httpx.Client(headers=headers, timeout=source.politeness.timeout_s, follow_redirects=True)
    robots: dict[str, robotparser.RobotFileParser] = {}

    def fetch(url: str) -> Page:
        if source.politeness.obey_robots:
            parts = urlsplit(url)
            root = f"{parts.scheme}://{parts.netloc}"
            if root not in robots:
                rules = robotparser.RobotFileParser()
                answer = client.get(f"{root}/robots.txt")
                rules.parse(answer.text.splitlines() if answer.status_code < 400 else [])
                robots[root] = rules
            if not robots[root].can_fetch(headers["User-Agent"], url):
                raise PermissionError(f"robots.txt of {root} forbids {url} (politeness.obey_robots)")
        answer = client.get(url)
        return Page(str(answer.url), answer.status_code, dict(answer.headers), answer.content)

    return fetch
