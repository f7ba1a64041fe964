"""`yuqing crawl --try NAME`: one page of each kind, and every selector's result, from a fake transport."""

from __future__ import annotations

import json

import pytest

from crawlers.preview import Page, ok, preview, render
from crawlers.sources import SourcesFile


def source(spec: dict):
    return SourcesFile.model_validate({"sources": [spec]}).sources[0]


def site(pages: dict[str, tuple[str, str | bytes]]):
    """url → (content type, body); anything else is a 404."""

    def fetch(url: str) -> Page:
        if url not in pages:
            return Page(url, 404, {"Content-Type": "text/html"}, b"not found")
        kind, body = pages[url]
        return Page(url, 200, {"Content-Type": kind}, body.encode() if isinstance(body, str) else body)

    return fetch


HTML = "text/html; charset=utf-8"
THREADS = """<html><body><ul><li class="j_thread_list"><span class="threadlist_rep_num">4</span>
<a class="j_th_tit" href="/p/100">湖泉停车乱收费</a></li></ul><a href="/f?pn=2">下一页</a></body></html>"""
THREAD = """<html><body><h3 class="core_title_txt" title="湖泉停车乱收费">湖泉停车乱收费</h3>
<div class="l_post" data-pid="1" data-floor="1"><span class="user">老王</span>
<div class="d_post_content">门口收停车费</div><span class="date">2024-08-09 18:20</span></div>
</body></html>"""
FORUM = {"name": "bbs", "type": "forum", "urls": ["http://bbs.test/f?kw={keyword}"], "keywords": ["弥勒"]}


def test_forum_preview_names_the_selectors_that_miss() -> None:
    fetch = site(
        {"http://bbs.test/f?kw=%E5%BC%A5%E5%8B%92": (HTML, THREADS), "http://bbs.test/p/100": (HTML, THREAD)}
    )
    steps = preview(source(FORUM), fetch)
    assert [s.kind for s in steps] == ["thread list", "thread page"]
    values = {(s.kind, line.key): line for s in steps for line in s.lines}
    assert values["thread list", "thread_id_pattern"].value == "100"
    assert values["thread page", "post 1 content"].value == "门口收停车费"
    missed = {key for (_, key), line in values.items() if line.missed}
    # The default selectors miss this markup's author, time, and the list's pager (a 下一页 link exists).
    assert missed == {"post 1 author", "post 1 time", "list_next"}
    assert (
        values["thread list", "list_next (hint)"].value == "the page links to a next page: 下一页 → /f?pn=2"
    )
    assert not ok(steps)
    text = render(source(FORUM), steps)
    assert "post 1 author  = NOTHING  [a.p_author_name::text]  <-- check this selector" in text
    assert text.endswith(
        "3 selector(s) matched nothing: thread list: list_next, thread page: post 1 author, "
        "thread page: post 1 time"
    )

    fixed = source(
        {
            **FORUM,
            "selectors": {
                "author": "span.user::text",
                "time": "span.date::text",
                "list_next": "xpath://a[text()='下一页']/@href",
            },
        }
    )
    steps = preview(fixed, fetch)
    assert ok(steps), render(fixed, steps)
    values = {(s.kind, line.key): line.value for s in steps for line in s.lines}
    assert values["thread page", "post 1 time"] == "2024-08-09 18:20 -> 2024-08-09T18:20:00+08:00"
    assert values["thread list", "list_next"] == "http://bbs.test/f?pn=2"


def test_news_preview_follows_the_first_article_and_reports_a_bad_date() -> None:
    news = source(
        {
            "name": "gov",
            "type": "news",
            "urls": ["http://gov.test/list"],
            "links": "ul a::attr(href)",
            "article": {"title": "h1", "date": "span.d::text"},
        }
    )
    fetch = site(
        {
            "http://gov.test/list": (HTML, '<ul><li><a href="/a/1">一</a></li></ul>'),
            "http://gov.test/a/1": (
                HTML,
                "<h1>弥勒通告</h1><span class='d'>下周</span><p>弥勒市湖泉生态园今起维修</p>",
            ),
        }
    )
    steps = preview(news, fetch)
    values = {line.key: line for s in steps for line in s.lines}
    assert values["links"].value == "1 link(s): http://gov.test/a/1"
    assert values["article.title"].value == "弥勒通告" and not values["article.title"].missed
    assert values["article.date"].value == "下周 -> NOT A DATE" and values["article.date"].missed
    assert values["article.body"].value.startswith("(no selector; trafilatura)")


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ({"ok": -100, "url": "https://passport.weibo.cn/"}, "login expired"),
        ("<html>oops</html>", "not JSON"),
    ],
)
def test_api_preview_explains_a_page_it_cannot_use(answer, error: str) -> None:
    api = source(
        {
            "name": "wb",
            "type": "social_api",
            "endpoint": "http://api.test/s?q={keyword}&page={page}",
            "keywords": ["弥勒"],
        }
    )
    body = json.dumps(answer) if isinstance(answer, dict) else answer
    steps = preview(api, site({"http://api.test/s?q=%E5%BC%A5%E5%8B%92&page=1": ("application/json", body)}))
    assert len(steps) == 1 and error in steps[0].error and not ok(steps)


def test_api_preview_shows_each_field_and_the_next_page() -> None:
    api = source({"name": "wb", "type": "social_api", "endpoint": "http://api.test/s?page={page}"})
    blog = {"id": 7, "text": "湖泉<br/>夜景", "user": {"screen_name": "游客"}, "created_at": "5分钟前"}
    body = json.dumps({"ok": 1, "data": {"cardlistInfo": {"page": None}, "cards": [{"mblog": blog}]}})
    steps = preview(api, site({"http://api.test/s?page=1": ("application/json", body)}))
    values = {line.key: line.value for line in steps[0].lines}
    assert values["items"] == "1" and values["next page"] == "None"
    assert values["fields.id"] == "7" and values["fields.author"] == "游客"
    assert values["fields.created_at"].startswith("5分钟前 -> ")
    assert ok(steps)


def test_unreachable_page_is_an_error_step() -> None:
    feed = source({"name": "f", "type": "rss", "urls": ["http://feed.test/rss"]})
    steps = preview(feed, site({}))
    assert steps[0].error == "HTTP 404" and not ok(steps)
