"""Secrets from the environment travel on a request only while it is sent, and only to the source's hosts."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawlers.middlewares.auth import AuthMiddleware, merge_cookies
from crawlers.sources import SourcesFile
from crawlers.spiderloader import spider_class

SOURCE = {
    "name": "wb",
    "type": "social_api",
    "endpoint": "https://m.api.test/search?page={page}",
    "cookies_env": "WB_COOKIE",
    "headers_env": {"Authorization": "WB_AUTH"},
    "headers": {"Referer": "https://m.api.test/"},
}


def spider_and_middleware(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, source: dict = SOURCE):
    monkeypatch.setenv("WB_COOKIE", "SUB=s3cret; uid=7")
    monkeypatch.setenv("WB_AUTH", "Bearer t0ken")
    src = SourcesFile.model_validate({"sources": [source]}).sources[0]
    settings = Settings({"YUQING_STATE_DIR": str(tmp_path)})
    cls = spider_class(src, settings)
    crawler = get_crawler(cls, {"YUQING_STATE_DIR": str(tmp_path)})
    crawler.spider = cls.from_crawler(crawler)
    return crawler.spider, AuthMiddleware.from_crawler(crawler)


def test_requests_are_built_without_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spider, _ = spider_and_middleware(tmp_path, monkeypatch)
    request = spider.request("https://m.api.test/search?page=1", "parse_page", {"page_no": 1})
    assert request.headers.get("Referer") == b"https://m.api.test/"
    assert "Cookie" not in request.headers and "Authorization" not in request.headers
    assert not request.cookies


def test_secrets_go_on_at_send_time_and_come_off_on_the_way_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spider, mw = spider_and_middleware(tmp_path, monkeypatch)
    request = spider.request("https://m.api.test/search?page=1", "parse_page", {"page_no": 1})
    request.headers["Cookie"] = "uid=8; fresh=1"  # what Scrapy's cookie jar added: the site renewed uid
    mw.process_request(request)
    assert request.headers["Authorization"] == b"Bearer t0ken"
    assert request.headers["Cookie"] == b"SUB=s3cret; uid=8; fresh=1"
    mw.process_response(request, HtmlResponse(request.url, body=b"", request=request))
    assert "Cookie" not in request.headers and "Authorization" not in request.headers
    mw.process_request(request)
    mw.process_exception(request, TimeoutError())
    assert "Authorization" not in request.headers


def test_other_hosts_get_no_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _, mw = spider_and_middleware(tmp_path, monkeypatch)
    request = Request("https://evil.test/login")
    mw.process_request(request)
    assert "Cookie" not in request.headers and "Authorization" not in request.headers


def test_not_configured_without_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plain = {k: v for k, v in SOURCE.items() if k not in ("cookies_env", "headers_env")}
    src = SourcesFile.model_validate({"sources": [plain]}).sources[0]
    crawler = get_crawler(spider_class(src, Settings({"YUQING_STATE_DIR": str(tmp_path)})))
    with pytest.raises(NotConfigured):
        AuthMiddleware.from_crawler(crawler)


def test_merge_cookies() -> None:
    assert merge_cookies("a=1; b=2", "") == "a=1; b=2"
    assert merge_cookies("a=1; b=2", "b=3; c=4") == "a=1; b=3; c=4"
