"""Each source type end to end against a local site it has never seen: what reaches the output, and what
the summary and the exit code say when a source silently loses data."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_site import FixtureSite, html, run_crawl

FAST = "politeness: {download_delay_s: 0, autothrottle: false, timeout_s: 5, retries: 0}"
ROBOTS = (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n")
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>湖泉生态园夜游开放</title><link>{base}/a/1.html</link><description>弥勒湖泉夜游（摘要）</description></item>
<item><title>可邑小镇文化节</title><link>{base}/a/2.html</link><description>弥勒可邑小镇阿细跳月（摘要）</description></item>
</channel></rss>"""
ARTICLE = (
    "<h1>湖泉生态园夜游开放</h1><div class='c'><p>弥勒市湖泉生态园夜游项目正式开放，"
    "夜游线路串联湖泉广场、音乐喷泉和环湖栈道。</p><p>景区增设安保和救生人员，提醒游客注意水边安全，不要翻越护栏。</p></div>"
)


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    server = FixtureSite({"/robots.txt": ROBOTS})
    yield server
    server.close()


def rss_source(base: str, **extra: str) -> str:
    lines = "".join(f"\n    {k}: {v}" for k, v in extra.items())
    return (
        f"sources:\n  - name: feed\n    type: rss\n    urls: ['{base}/rss.xml']\n    keywords: [弥勒]"
        f"\n    fetch_articles: true\n    article: {{body: 'div.c p'}}\n    {FAST}{lines}\n"
    )


def test_rss_fetch_articles_takes_the_page_text_and_never_refetches(
    site: FixtureSite, tmp_path: Path
) -> None:
    feed = FEED.format(base=site.base).encode()
    site.routes["/rss.xml"] = (200, {"Content-Type": "application/rss+xml"}, feed)
    site.routes["/a/1.html"] = html(ARTICLE, title="湖泉生态园夜游开放")
    # /a/2.html is missing (404): the feed's summary is still a post.
    run = run_crawl(tmp_path, rss_source(site.base))
    assert run.rc == 0, run.stdout + run.stderr[-2000:]
    by_url = {p["url"]: p for p in run.posts}
    assert set(by_url) == {f"{site.base}/a/1.html", f"{site.base}/a/2.html"}
    first, second = by_url[f"{site.base}/a/1.html"], by_url[f"{site.base}/a/2.html"]
    assert first["text"].startswith("弥勒市湖泉生态园夜游项目正式开放") and "\n景区增设" in first["text"]
    assert first["extras"]["fetched"] is True and first["title"] == "湖泉生态园夜游开放"
    assert second["text"] == "弥勒可邑小镇阿细跳月（摘要）" and second["extras"]["fetched"] is False
    assert run.stat("feed", "skipped/http_404") == 1
    # Second run: both articles were delivered, so neither page is asked for again.
    again = run_crawl(tmp_path, rss_source(site.base))
    assert again.rc == 0 and again.posts == []
    assert site.hits["/a/1.html"] == 1 and site.hits["/a/2.html"] == 1
    assert again.stat("feed", "incremental/not_fetched") == 2


def test_a_source_whose_every_item_failed_is_not_a_quiet_success(site: FixtureSite, tmp_path: Path) -> None:
    site.routes["/api"] = (200, {"Content-Type": "application/json"}, b'{"ok": 1, "data": {"cards": [')
    sources = (
        f"sources:\n  - name: api\n    type: social_api\n    endpoint: '{site.base}/api?page={{page}}'"
        f"\n    {FAST}\n"
    )
    run = run_crawl(tmp_path, sources)
    assert run.rc == 1, run.stdout
    assert run.posts == [] and run.stat("api", "skipped/parse_error") == 1
    assert run.source("api")["ok"] is False
    assert "FAILED: nothing came through (parse_error 1)" in run.stdout
    assert "api (nothing came through)" in run.stderr


def weibo_page(ids: list[int], next_page: int | None) -> tuple:
    cards = [
        {"card_type": 9, "mblog": {"id": i, "text": f"弥勒湖泉 第{i}条", "created_at": "5分钟前"}}
        for i in ids
    ]
    body = {"ok": 1, "data": {"cardlistInfo": {"page": next_page}, "cards": cards}}
    return 200, {"Content-Type": "application/json"}, json.dumps(body, ensure_ascii=False).encode()


def test_social_api_stops_at_the_last_page_the_api_reports(site: FixtureSite, tmp_path: Path) -> None:
    site.routes["/api?page=1"] = weibo_page([1, 2], 2)
    site.routes["/api?page=2"] = weibo_page([3], None)
    # Anything after the last page is a 404, as on the real API.
    sources = (
        f"sources:\n  - name: api\n    type: social_api\n    endpoint: '{site.base}/api?page={{page}}'"
        f"\n    max_pages: 5\n    {FAST}\n"
    )
    run = run_crawl(tmp_path, sources)
    assert run.rc == 0, run.stdout + run.stderr[-2000:]
    assert sorted(p["source_id"] for p in run.posts) == ["1", "2", "3"]
    assert "/api?page=3" not in site.hits
    assert run.source("api")["skipped"] == {} and run.stat("api", "api/last_page") == 1


def test_secrets_never_reach_the_job_queue_and_state_is_private(site: FixtureSite, tmp_path: Path) -> None:
    links = "".join(f'<li><a href="/a/{i}.html">{i}</a></li>' for i in range(1, 9))
    site.routes["/list.html"] = html(f'<ul class="list">{links}</ul>', title="列表")
    for i in range(1, 9):
        site.routes[f"/a/{i}.html"] = html(ARTICLE, title=f"弥勒 {i}")
    sources = (
        f"sources:\n  - name: gov\n    type: news\n    urls: ['{site.base}/list.html']"
        f"\n    links: 'ul.list a::attr(href)'\n    keywords: [弥勒]"
        f"\n    cookies_env: T_COOKIE\n    headers_env: {{Authorization: T_AUTH}}\n    {FAST}\n"
    )
    env = {"T_COOKIE": "SESSION=c00kie-s3cret; uid=7", "T_AUTH": "Bearer t0ken-s3cret"}
    # Stop after a few pages: the rest of the articles stay queued in the job folder on disk.
    stop_early = ("-s", "CLOSESPIDER_PAGECOUNT=3", "-s", "CONCURRENT_REQUESTS=1")
    run = run_crawl(tmp_path, sources, *stop_early, env=env)
    assert run.source("gov")["reason"] == "closespider_pagecount"
    jobdir = tmp_path / "state" / "jobs" / "gov"
    stored = [p for p in jobdir.rglob("*") if p.is_file()]
    assert stored, "the interrupted crawl left no queue to resume from"
    for path in stored:
        data = path.read_bytes()
        assert b"s3cret" not in data, f"a secret was written to {path}"
    for folder in (tmp_path / "state", tmp_path / "state" / "jobs", jobdir):
        assert folder.stat().st_mode & 0o077 == 0, f"{folder} is readable by others"
    assert (tmp_path / "state" / "gov.sqlite").stat().st_mode & 0o077 == 0
    # The site got the secrets on every page, and again on the pages the next run resumes.
    resumed = run_crawl(tmp_path, sources, env=env)
    assert resumed.rc == 0, resumed.stdout + resumed.stderr[-2000:]
    pages = [h for h in site.requests if h.path != "/robots.txt"]
    assert {h.path for h in pages} == {"/list.html", *(f"/a/{i}.html" for i in range(1, 9))}
    for hit in pages:
        assert "SESSION=c00kie-s3cret" in hit.headers.get("cookie", ""), hit.path
        assert hit.headers.get("authorization") == "Bearer t0ken-s3cret", hit.path


FOREIGN_LIST = """<ul><li class="j_thread_list"><span class="threadlist_rep_num">4</span>
<a class="j_th_tit" href="/t/100">湖泉停车乱收费</a></li></ul>"""


def foreign_thread(page: int, floors: range, next_page: bool) -> tuple:
    """Tieba's list markup, but authors, dates and the pager where the default selectors do not look."""
    posts = "".join(
        f'<div class="l_post" data-pid="{f}" data-floor="{f}"><span class="user">游客{f}</span>'
        f'<div class="d_post_content">弥勒湖泉 第{f}楼：门口停车一次二十元</div>'
        f'<span class="date">2024-08-0{f} 10:00</span></div>'
        for f in floors
    )
    pager = f'<a class="next-page" href="/t/100?pn={page + 1}">下一页</a>' if next_page else ""
    return html(f'<h3 class="core_title_txt" title="湖泉停车乱收费">湖泉停车乱收费</h3>{posts}{pager}')


def test_forum_warns_when_default_selectors_miss_the_markup(site: FixtureSite, tmp_path: Path) -> None:
    site.routes["/f"] = html(FOREIGN_LIST)
    site.routes["/t/100"] = foreign_thread(1, range(1, 4), next_page=True)
    site.routes["/t/100?pn=2"] = foreign_thread(2, range(4, 6), next_page=False)
    sources = (
        f"sources:\n  - name: bbs\n    type: forum\n    urls: ['{site.base}/f']"
        f"\n    thread_id_pattern: '/t/(\\d+)'\n    keywords: [弥勒]\n    {FAST}\n"
    )
    run = run_crawl(tmp_path, sources)
    assert run.rc == 0, run.stdout + run.stderr[-2000:]
    assert len(run.posts) == 3  # the second page was lost: that is what the warnings are for
    warnings = run.source("bbs")["warnings"]
    assert (
        "selector thread_next 'a.pager-next::attr(href)' matched nothing on 1 of 1 page(s) that link to a "
        "next page (下一页 → /t/100?pn=2): those pages were not followed"
    ) in warnings
    assert any(
        w.startswith("selector author 'a.p_author_name::text' matched nothing on 1 of 1") for w in warnings
    )
    assert any(w.startswith("selector time ") for w in warnings)
    assert "3 of 3 posts have no date" in warnings and "3 of 3 posts have no author" in warnings
    line = next(line for line in run.stdout.splitlines() if line.startswith("bbs "))
    assert line.count("WARNING: selector author") == 1 and "3 of 3 posts have no author" in line
    assert run.stderr.count("[bbs] selector author") == 1  # logged once per source
    # With the site's own selectors: every page, author and date, and no warning.
    fixed = sources.replace(
        "    keywords:",
        "    selectors: {author: 'span.user::text', time: 'span.date::text',"
        " thread_next: 'a.next-page::attr(href)'}\n    keywords:",
    )
    good = run_crawl(tmp_path / "fixed", fixed)
    assert len(good.posts) == 5 and all(p.get("author") and p.get("published_at") for p in good.posts)
    assert good.source("bbs")["warnings"] == []


def test_try_shows_what_each_selector_extracted(site: FixtureSite, tmp_path: Path) -> None:
    site.routes["/f"] = html(FOREIGN_LIST)
    site.routes["/t/100"] = foreign_thread(1, range(1, 3), next_page=True)
    sources = (
        f"sources:\n  - name: bbs\n    type: forum\n    enabled: false\n    urls: ['{site.base}/f']"
        f"\n    thread_id_pattern: '/t/(\\d+)'\n    keywords: [弥勒]\n    {FAST}\n"
    )
    run = run_crawl(tmp_path, sources, "--try", "bbs")
    assert run.rc == 1, run.stdout + run.stderr[-2000:]
    out = re.sub(" +", " ", run.stdout)  # columns are aligned with spaces
    assert "bbs (forum), disabled" in out
    assert "post 1 content = 弥勒湖泉 第1楼：门口停车一次二十元 [div.d_post_content]" in out
    assert "post 1 author = NOTHING [a.p_author_name::text] <-- check this selector" in out
    assert "thread_next (hint) = the page links to a next page: 下一页 → /t/100?pn=2" in out
    assert site.hits["/t/100"] == 1 and site.hits["/robots.txt"] == 1
    assert run.posts == [] and not (tmp_path / "state").exists()  # nothing sent, nothing remembered
    assert run_crawl(tmp_path, sources, "--try", "nope").rc == 2
