"""Real Scrapy against a real local web site of awkward pages: every page is either a post or a counted skip.

Posts go to a JSON-lines file here (the Kafka pipeline has its own tests): what is under test is fetching,
decoding, extracting, politeness and the skip accounting.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from crawl_site import FixtureSite, fail_first, html, redirect, run_crawl, slow

from yuqing.schema import TZ

GOOD = "<h1>{t}</h1><div class='info'>发布时间：2024-08-11 10:30　来源：弥勒市文化和旅游局</div>"
PARAS = (
    "<div class='content'><p>{t}。8月10日晚，弥勒市湖泉生态园夜游项目开放，游客在环湖栈道上欣赏音乐喷泉，"
    "景区增派安保和救生人员，提醒游客注意水边安全，带孩子的家庭不要翻越护栏。</p>"
    "<p>当晚共接待游客一万二千人次，周边的餐饮和住宿消费明显增长，可邑小镇和红河水乡也同步推出夜间活动。</p></div>"
)


def article(title: str, charset: str = "utf-8", declare: str = "header") -> tuple:
    return html(GOOD.format(t=title) + PARAS.format(t=title), title=title, charset=charset, declare=declare)


LIST_1 = [
    "/a/good.html",
    "/a/gbk.html",
    "/a/gbk-bare.html",
    "/a/broken.html",
    "/a/empty.html",
    "/a/blank.html",
    "/a/missing.html",
    "/a/flaky.html",
    "/a/slow.html",
    "/a/redirect.html",
    "/a/image.png",
    "/private/secret.html",
]


def listing(links: list[str], next_page: str | None) -> tuple:
    items = "".join(f'<li><a href="{u}">{u}</a></li>' for u in links)
    nav = f'<a class="next" href="{next_page}">下一页</a>' if next_page else ""
    return html(f'<ul class="list">{items}</ul>{nav}', title="新闻列表")


BROKEN = (
    "<html><head><title>弥勒红河水乡景区提醒</title><body><div><h1>弥勒红河水乡景区提醒<p>国庆假期红河水乡景区实行分时预约，"
    "请游客通过官方渠道购票，谨防网络购票诈骗。<p>景区内游船须穿救生衣，儿童须由成人陪同<b>注意安全"
    "<div><table><tr><td>联系电话 0873"
).encode()

ROUTES = {
    "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nDisallow: /private/\n"),
    "/list/1.html": listing(LIST_1, "/list/2.html"),
    "/list/2.html": listing(["/a/page2.html"], "/list/3.html"),
    "/list/3.html": listing(["/a/page3.html"], None),
    "/a/good.html": article("弥勒湖泉生态园夜游开放"),
    "/a/gbk.html": article("锦屏山景区森林防火提示", charset="gbk"),
    "/a/gbk-bare.html": article("太平湖森林公园游客走失已找回", charset="gbk", declare="none"),
    "/a/broken.html": (200, {"Content-Type": "text/html; charset=utf-8"}, BROKEN),
    "/a/empty.html": (200, {"Content-Type": "text/html"}, b""),
    "/a/blank.html": html("<div></div>", title=""),
    "/a/flaky.html": fail_first(1, 500, article("可邑小镇文化节开幕")),
    "/a/slow.html": slow(4.5, article("太慢的页面")),
    "/a/redirect.html": redirect("/a/moved.html"),
    "/a/moved.html": article("东风韵景区交通提示"),
    "/a/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + b"\0" * 64),
    "/private/secret.html": article("不该被抓取的页面"),
    "/a/page2.html": article("白龙洞景区恢复开放"),
    "/a/page3.html": article("弥勒东站加开旅游专列"),
}

FAST = (
    "politeness: {download_delay_s: 0, autothrottle: false, timeout_s: 2, retries: 1, backoff_s: 0.05, "
    "concurrency_per_domain: 8}"
)


def news_source(base: str, name: str = "fixture_news", max_pages: int = 5) -> str:
    return f"""
sources:
  - name: {name}
    type: news
    urls: ["{base}/list/1.html"]
    links: "ul.list a::attr(href)"
    next_page: "a.next::attr(href)"
    max_pages: {max_pages}
    relevance_gate: false
    {FAST}
"""


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    server = FixtureSite(dict(ROUTES))
    yield server
    server.close()


def _titles(posts: list[dict]) -> set[str]:
    return {p["title"] for p in posts}


def test_awkward_pages_become_posts_or_counted_skips(site: FixtureSite, tmp_path: Path) -> None:
    run = run_crawl(tmp_path, news_source(site.base))
    assert run.rc == 0, run.stderr[-3000:]
    titles = _titles(run.posts)
    # Real articles, whatever their encoding, markup or route to us.
    assert {
        "弥勒湖泉生态园夜游开放",
        "锦屏山景区森林防火提示",
        "太平湖森林公园游客走失已找回",
        "可邑小镇文化节开幕",
        "东风韵景区交通提示",
        "白龙洞景区恢复开放",
        "弥勒东站加开旅游专列",
    } <= titles
    broken = next(p for p in run.posts if "红河水乡" in (p["title"] or ""))
    assert "谨防网络购票诈骗" in broken["text"]
    gbk = next(p for p in run.posts if p["title"] == "锦屏山景区森林防火提示")
    assert "弥勒市湖泉生态园夜游项目开放" in gbk["text"] and gbk["extras"]["encoding"].lower() in (
        "gbk",
        "gb18030",
    )
    bare = next(p for p in run.posts if p["title"] == "太平湖森林公园游客走失已找回")
    assert "环湖栈道" in bare["text"]  # undeclared GBK detected, not mojibake
    moved = next(p for p in run.posts if p["title"] == "东风韵景区交通提示")
    assert moved["url"] == site.url("/a/redirect.html") and moved["extras"]["final_url"] == site.url(
        "/a/moved.html"
    )
    good = next(p for p in run.posts if p["title"] == "弥勒湖泉生态园夜游开放")
    assert datetime.fromisoformat(good["published_at"]) == datetime(2024, 8, 11, 10, 30, tzinfo=TZ)
    assert "太慢的页面" not in titles and "不该被抓取的页面" not in titles

    # Every page that gave no post is counted under its reason.
    stats = run.source("fixture_news")["skipped"]
    assert stats.get("http_404") == 1
    assert stats.get("robots") == 1
    assert stats.get("timeout") == 1
    assert stats.get("not_html") == 1
    assert stats.get("empty") == 2  # the empty body and the page without text
    assert len(run.posts) == 8
    # Politeness: robots.txt obeyed, the 500 retried once, the slow page tried twice then dropped.
    assert site.hits["/private/secret.html"] == 0
    assert site.hits["/a/flaky.html"] == 2
    assert site.hits["/a/slow.html"] == 2
    assert run.stat("fixture_news", "retry/count") >= 2
    for line in ("(http_404)", "(robots)", "(timeout)", "(not_html)", "(empty)"):
        assert line in run.stderr

    # A second run fetches the list pages again but no article it already delivered.
    before = dict(site.hits)
    again = run_crawl(tmp_path, news_source(site.base))
    assert again.rc == 0 and again.posts == []
    assert site.hits["/a/good.html"] == before["/a/good.html"]
    assert site.hits["/a/gbk.html"] == before["/a/gbk.html"]
    assert site.hits["/list/1.html"] == before["/list/1.html"] + 1
    assert again.stat("fixture_news", "incremental/not_fetched") == 8


def test_pagination_stops_at_max_pages(site: FixtureSite, tmp_path: Path) -> None:
    run = run_crawl(tmp_path, news_source(site.base, max_pages=2))
    assert run.rc == 0, run.stderr[-2000:]
    assert site.hits["/list/2.html"] == 1 and site.hits["/list/3.html"] == 0
    assert "白龙洞景区恢复开放" in _titles(run.posts) and "弥勒东站加开旅游专列" not in _titles(run.posts)


def test_blocked_sources_are_reported_and_stopped(site: FixtureSite, tmp_path: Path) -> None:
    site.routes.update(
        {
            "/api/login": (
                200,
                {"Content-Type": "application/json"},
                b'{"ok": -100, "url": "https://passport.weibo.cn/signin/welcome"}',
            ),
            "/api/bad": (200, {"Content-Type": "application/json"}, b'{"ok": 1, "data": {"cards": [oops'),
            "/members/list.html": redirect("/passport/login?from=members"),
            "/passport/login": html("<form>请登录</form>", title="登录"),
            "/guarded/list.html": html("<p>请完成验证</p>", title="安全验证 - 访问验证"),
            "/closed/1.html": (403, {"Content-Type": "text/html"}, b"<h1>403 Forbidden</h1>"),
            "/closed/2.html": (403, {"Content-Type": "text/html"}, b"<h1>403 Forbidden</h1>"),
        }
    )
    api = "item_key: mblog\n    relevance_gate: false\n    " + FAST
    sources = f"""
sources:
  - name: weibo_expired
    type: social_api
    endpoint: "{site.base}/api/login?page={{page}}"
    {api}
  - name: api_broken
    type: social_api
    endpoint: "{site.base}/api/bad?page={{page}}"
    {api}
  - name: members_news
    type: news
    urls: ["{site.base}/members/list.html"]
    links: "a::attr(href)"
    {FAST}
  - name: captcha_news
    type: news
    urls: ["{site.base}/guarded/list.html"]
    links: "a::attr(href)"
    blocking: {{block_after: 1}}
    {FAST}
  - name: closed_forum
    type: forum
    urls: ["{site.base}/closed/1.html", "{site.base}/closed/2.html"]
    blocking: {{block_after: 2}}
    {FAST}
"""
    run = run_crawl(tmp_path, sources)
    assert run.rc == 1, run.stderr[-3000:]
    assert run.source("weibo_expired")["reason"] == "login_expired"
    assert run.source("weibo_expired")["blocked"] == "login_expired"
    assert run.stat("weibo_expired", "source/login_expired") == 1
    assert run.source("members_news")["blocked"] == "login_expired"
    assert run.source("captcha_news")["blocked"] == "captcha"
    assert run.source("closed_forum")["reason"] == "forbidden"
    assert run.stat("closed_forum", "source/forbidden") == 2
    # A page that breaks the parser is a counted skip; a source whose every page broke, with nothing
    # delivered, is not a quiet success.
    broken = run.source("api_broken")
    assert not broken["ok"] and broken["skipped"] == {"parse_error": 1}
    assert "api_broken (nothing came through)" in run.stderr
    assert "login expired" in run.stdout and "BLOCKED" in run.stdout
    assert "crawl incomplete" in run.stderr and "weibo_expired (login_expired)" in run.stderr
    assert "source weibo_expired: login expired" in run.stderr


def test_interrupted_crawl_resumes_where_it_stopped(site: FixtureSite, tmp_path: Path) -> None:
    # Stop after two pages, one request at a time: the rest of the queue stays in the job folder.
    one_by_one = ("-s", "CONCURRENT_REQUESTS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    first = run_crawl(tmp_path, news_source(site.base), "-s", "CLOSESPIDER_PAGECOUNT=3", *one_by_one)
    assert first.source("fixture_news")["reason"] == "closespider_pagecount"
    jobdir = tmp_path / "state" / "jobs" / "fixture_news"
    assert any(jobdir.iterdir()), "an interrupted crawl keeps its queue"
    fetched_first = {p for p, n in site.hits.items() if n and p.startswith("/a/")}

    second = run_crawl(tmp_path, news_source(site.base), *one_by_one)
    assert second.rc == 0 and second.source("fixture_news")["reason"] == "finished"
    assert not jobdir.exists(), "a finished crawl removes its queue"
    assert "resuming the interrupted crawl" in second.stderr
    # Resumed, not restarted: no article page of the first run was fetched again.
    for path in fetched_first - {"/a/flaky.html", "/a/slow.html"}:
        assert site.hits[path] == 1, path
    # Between them, the two runs (and, for a request lost in flight at the stop, a third) deliver everything.
    third = run_crawl(tmp_path, news_source(site.base), *one_by_one)
    titles = _titles(first.posts) | _titles(second.posts) | _titles(third.posts)
    assert len(titles) == 8
