"""Spider callbacks on in-memory responses: what each type yields from a page, and what it leaves alone.

Built with Scrapy's own test crawler (no reactor, no network); end-to-end runs are in tests/integration.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, TextResponse, XmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawlers.signals import source_blocked
from crawlers.sources import SourcesFile
from crawlers.spiderloader import spider_class
from crawlers.state import fingerprint
from devtools.demo import content as demo_content
from devtools.demo.server import DemoSite
from yuqing.schema import PARENT_TEXT_CHARS, Engagement, Post


def make_spider(tmp_path: Path, source: dict):
    src = SourcesFile.model_validate({"sources": [source]}).sources[0]
    settings = Settings()
    settings.set("YUQING_STATE_DIR", str(tmp_path))
    cls = spider_class(src, settings)
    crawler = get_crawler(cls, {"YUQING_STATE_DIR": str(tmp_path)})
    spider = cls.from_crawler(crawler)
    crawler.spider = spider
    return spider


def html(url: str, body: str, encoding: str = "utf-8", headers: dict | None = None) -> HtmlResponse:
    return HtmlResponse(
        url,
        body=body.encode(encoding),
        encoding=None,
        headers=headers or {"Content-Type": "text/html"},
        request=Request(url),
    )


def split(results) -> tuple[list[dict], list[Request]]:
    results = list(results)
    return [r for r in results if isinstance(r, dict)], [r for r in results if isinstance(r, Request)]


NEWS = {
    "name": "gov",
    "type": "news",
    "urls": ["http://gov.test/list.html"],
    "links": "ul.list a::attr(href)",
    "link_pattern": r"/content/\d+\.html$",
    "next_page": "xpath://a[text()='下一页']/@href",
    "max_pages": 2,
}
LIST = """<html><body><ul class="list"><li><a href="/content/1.html">一</a></li>
<li><a href="/content/2.html">二</a>
</li><li><a href="/about.html">关于</a></li><li><a href="/content/1.html">重复</a></li></ul>
<a href="list_2.html">下一页</a></body></html>"""


def test_news_list_follows_articles_and_pages_but_not_known_or_foreign_links(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, NEWS)
    spider.seen.mark(spider.post_id(url="http://gov.test/content/2.html"), fingerprint(Engagement()))
    _, requests = split(spider.parse_list(html("http://gov.test/list.html", LIST), page_no=1))
    urls = [r.url for r in requests]
    assert urls == ["http://gov.test/content/1.html", "http://gov.test/list_2.html"]
    assert spider.crawler.stats.get_value("incremental/not_fetched") == 1
    # The last allowed list page does not ask for the next one.
    _, requests = split(spider.parse_list(html("http://gov.test/list_2.html", LIST), page_no=2))
    assert "http://gov.test/list_3.html" not in [r.url for r in requests]


def test_news_article_with_selectors_and_without(tmp_path: Path) -> None:
    page = """<html><head><title>站点标题</title></head><body><div class="nav">首页</div>
    <h1 class="t">湖泉生态园夜游开放</h1><div class="meta">发布时间：2024-08-11 10:30 作者：李明</div>
    <div class="c"><p>弥勒市湖泉生态园夜游项目正式开放，夜游线路串联湖泉广场、音乐喷泉和环湖栈道。</p>
    <p>景区增设安保和救生人员，提醒游客注意水边安全，不要翻越护栏，带孩子的家庭尤其要注意。</p></div>
    <div class="footer">版权所有</div></body></html>"""
    configured = make_spider(
        tmp_path / "a", {**NEWS, "article": {"title": "h1.t", "body": "div.c p", "date": "div.meta::text"}}
    )
    (post,), _ = split(
        configured.parse_article(
            html("http://gov.test/content/1.html", page), link="http://gov.test/content/1.html"
        )
    )
    assert post["title"] == "湖泉生态园夜游开放"
    assert post["text"].startswith("弥勒市湖泉生态园夜游项目正式开放") and "\n景区增设" in post["text"]
    assert post["published_at"].isoformat() == "2024-08-11T10:30:00+08:00"
    extracted = make_spider(tmp_path / "b", NEWS)  # no selectors: trafilatura and the labelled date
    (post,), _ = split(
        extracted.parse_article(
            html("http://gov.test/content/1.html", page), link="http://gov.test/content/1.html"
        )
    )
    assert "夜游线路串联湖泉广场" in post["text"] and "版权所有" not in post["text"]
    assert post["published_at"].isoformat() == "2024-08-11T10:30:00+08:00"


def test_gbk_page_without_any_declaration_is_read_as_gbk(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, {**NEWS, "article": {"title": "h1", "body": "p"}})
    body = "<html><body><h1>湖泉</h1><p>湖泉停车乱收费</p></body></html>".encode("gbk")
    url = "http://gov.test/content/9.html"
    response = HtmlResponse(url, body=body, request=Request(url))
    assert "湖泉" not in response.text  # Scrapy's own guess for a short undeclared page (Korean, here)
    (post,), _ = split(spider.parse_article(response, link=url))
    assert (post["title"], post["text"]) == ("湖泉", "湖泉停车乱收费")
    assert post["extras"]["encoding"] == "gb18030"


@pytest.mark.parametrize(
    ("response", "reason"),
    [
        (TextResponse("http://gov.test/a", body=b"", headers={"Content-Type": "text/html"}), "empty"),
        (HtmlResponse("http://gov.test/a", body=b"   \n ", headers={"Content-Type": "text/html"}), "empty"),
        (
            TextResponse(
                "http://gov.test/a.pdf", body=b"%PDF-1.4", headers={"Content-Type": "application/pdf"}
            ),
            "not_html",
        ),
    ],
)
def test_pages_we_cannot_read_are_counted_skips(tmp_path: Path, response, reason: str) -> None:
    spider = make_spider(tmp_path, NEWS)
    assert list(spider.parse_article(response, link=response.url)) == []
    assert spider.crawler.stats.get_value(f"skipped/{reason}") == 1


WEIBO = {
    "name": "wb",
    "type": "social_api",
    "keywords": ["弥勒"],
    "max_pages": 2,
    "endpoint": "http://api.test/search?q={keyword}&page={page}",
}


def weibo_page(*blogs: dict, ok: int = 1) -> TextResponse:
    cards = [{"card_type": 11, "card_group": [{"card_type": 9, "mblog": blogs[0]}]}] if blogs else []
    cards += [{"card_type": 9, "mblog": b} for b in blogs[1:]]
    body = json.dumps({"ok": ok, "data": {"cards": cards}}, ensure_ascii=False).encode()
    return TextResponse(
        "http://api.test/search?q=%E5%BC%A5%E5%8B%92&page=1",
        body=body,
        headers={"Content-Type": "application/json; charset=utf-8"},
    )


def test_social_api_reads_weibo_cards_at_any_depth(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    first = {
        "id": 11,
        "created_at": "Thu Aug 11 10:00:00 +0800 2022",
        "user": {"screen_name": "游客"},
        "text": "湖泉生态园<br/>夜景真美<img alt='[赞]' src='a.png'><a href='/n/x'>@弥勒发布</a>",
        "reposts_count": 3,
        "comments_count": "1.2万",
        "attitudes_count": "100万+",
    }
    second = {
        "id": "12",
        "created_at": "5分钟前",
        "user": {"screen_name": "转发者"},
        "text": "转发微博",
        "retweeted_status": {"text": "可邑小镇今晚有阿细跳月", "user": {"screen_name": "可邑"}},
        "longText": {"longTextContent": "转发微博（全文）"},
    }
    posts, requests = split(
        spider.parse_page(
            weibo_page(first, second),
            template=WEIBO["endpoint"].replace("{keyword}", "%E5%BC%A5%E5%8B%92"),
            page_no=1,
            keyword="弥勒",
        )
    )
    assert [p["source_id"] for p in posts] == ["11", "12"]
    assert posts[0]["text"] == "湖泉生态园\n夜景真美[赞]@弥勒发布"
    assert posts[0]["engagement"] == {"reposts": 3, "comments": 12000, "likes": 1000000}
    assert posts[0]["published_at"].isoformat() == "2022-08-11T10:00:00+08:00"
    assert posts[0]["url"] == "https://m.weibo.cn/detail/11" and posts[0]["extras"] == {"keyword": "弥勒"}
    assert posts[1]["text"] == "转发微博（全文）\n//转发 @可邑: 可邑小镇今晚有阿细跳月"
    assert [r.url for r in requests] == ["http://api.test/search?q=%E5%BC%A5%E5%8B%92&page=2"]
    # The last allowed page, and an empty page, end the pagination.
    _, requests = split(
        spider.parse_page(weibo_page(first), template=WEIBO["endpoint"], page_no=2, keyword="弥勒")
    )
    assert requests == []
    assert split(spider.parse_page(weibo_page(ok=0), template=WEIBO["endpoint"], page_no=1, keyword="x")) == (
        [],
        [],
    )


def test_social_api_reports_an_expired_login(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    seen: list[dict] = []
    spider.crawler.signals.connect(lambda **kw: seen.append(kw), signal=source_blocked, weak=False)
    response = TextResponse(
        "http://api.test/search?page=1",
        body=b'{"ok": -100, "url": "https://passport.weibo.cn/"}',
        headers={"Content-Type": "application/json"},
    )
    assert list(spider.parse_page(response, template=WEIBO["endpoint"], page_no=1, keyword="弥勒")) == []
    assert seen and seen[0]["reason"] == "login_expired"


def test_social_api_bad_json_raises_for_the_parse_error_middleware(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    response = TextResponse(
        "http://api.test/s", body=b'{"ok": 1, "data": [', headers={"Content-Type": "application/json"}
    )
    with pytest.raises(json.JSONDecodeError):
        list(spider.parse_page(response, template=WEIBO["endpoint"], page_no=1, keyword="弥勒"))


FORUM = {"name": "tb", "type": "forum", "urls": ["http://tb.test/f?kw=弥勒"], "max_reply_pages": 2}
THREADS = """<ul><li class="j_thread_list"><span class="threadlist_rep_num">5</span>
<a class="j_th_tit" href="/p/100">
湖泉停车乱收费</a></li><li class="j_thread_list"><span class="threadlist_rep_num">2</span><a class="j_th_tit"
href="/p/200">可邑攻略</a></li>
<li class="j_thread_list"><a class="j_th_tit" href="/notice">公告</a></li></ul>"""
THREAD = """<h3 class="core_title_txt" title="湖泉停车乱收费">湖泉停车乱收费</h3>
<div class="l_post" data-pid="1001" data-floor="1"><a class="p_author_name">老王</a>
<div class="d_post_content">
门口有人收停车费，一次20</div><div class="post-tail-wrap"><span class="tail-info">1楼</span>
<span class="tail-info">2024-08-09 18:20</span></div></div>
<div class="l_post" data-pid="1002" data-floor="2"><a class="p_author_name">网友</a>
<div class="d_post_content">
那是黑停车场</div><div class="post-tail-wrap"><span class="tail-info">2楼</span>
<span class="tail-info">08-10 10:11</span>
</div></div><a class="pager-next" href="/p/100?pn=2">下一页</a>"""


def test_forum_skips_threads_whose_reply_count_has_not_moved(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, FORUM)
    spider.seen.mark(spider.post_id(source_id="t100"), fingerprint(Engagement(comments=5)))
    spider.seen.mark(spider.post_id(source_id="t200"), fingerprint(Engagement(comments=1)))
    _, requests = split(spider.parse_threads(html("http://tb.test/f?kw=x", THREADS), page_no=1))
    assert [(r.url, r.cb_kwargs["replies"]) for r in requests] == [("http://tb.test/p/200", 2)]
    assert spider.crawler.stats.get_value("skipped/thread_without_id") == 1


def test_forum_thread_gives_the_opening_post_and_replies(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, FORUM)
    posts, requests = split(
        spider.parse_thread(html("http://tb.test/p/100", THREAD), tid="100", replies=5, page_no=1)
    )
    opening, reply = posts
    assert (opening["source_id"], opening["engagement"], opening["author"]) == (
        "t100",
        {"comments": 5},
        "老王",
    )
    assert opening["published_at"].isoformat() == "2024-08-09T18:20:00+08:00"
    assert reply["source_id"] == "p1002" and reply["title"] == "湖泉停车乱收费" and reply["engagement"] == {}
    assert reply["url"] == "http://tb.test/p/100#post_1002" and reply["extras"]["floor"] == 2
    assert [r.url for r in requests] == ["http://tb.test/p/100?pn=2"]
    _, requests = split(
        spider.parse_thread(html("http://tb.test/p/100?pn=2", THREAD), tid="100", replies=5, page_no=2)
    )
    assert requests == []  # max_reply_pages


def test_rss_and_atom_entries(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, {"name": "feed", "type": "rss", "urls": ["http://f.test/rss"]})
    rss = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">
    <channel><item><title>白龙洞恢复开放</title><link>http://f.test/a/1.html</link><dc:creator>文旅局</dc:creator>
    <pubDate>Thu, 11 Aug 2022 02:00:00 GMT</pubDate>
    <description><![CDATA[<p>白龙洞景区<b>恢复</b>开放</p>]]></description>
    </item></channel></rss>"""
    atom = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><entry>
    <title>可邑小镇文化节</title><link rel="alternate" href="http://f.test/a/2.html"/><id>tag:f.test,2022:2</id>
    <updated>2022-08-11T10:00:00+08:00</updated><summary>阿细跳月</summary><author><name>记者</name></author>
    </entry></feed>"""
    (a,), _ = split(
        spider.parse_feed(
            XmlResponse(
                "http://f.test/rss", body=rss.encode(), headers={"Content-Type": "application/rss+xml"}
            )
        )
    )
    (b,), _ = split(
        spider.parse_feed(
            XmlResponse(
                "http://f.test/atom", body=atom.encode(), headers={"Content-Type": "application/atom+xml"}
            )
        )
    )
    assert (a["title"], a["url"], a["text"], a["author"]) == (
        "白龙洞恢复开放",
        "http://f.test/a/1.html",
        "白龙洞景区恢复开放",
        "文旅局",
    )
    assert a["published_at"].isoformat() == "2022-08-11T10:00:00+08:00"
    assert (b["title"], b["url"], b["text"], b["author"]) == (
        "可邑小镇文化节",
        "http://f.test/a/2.html",
        "阿细跳月",
        "记者",
    )
    assert b["published_at"].isoformat() == "2022-08-11T10:00:00+08:00"


def test_rss_article_page_selectors_beat_the_feed(tmp_path: Path) -> None:
    source = {
        "name": "feed",
        "type": "rss",
        "urls": ["http://f.test/rss"],
        "fetch_articles": True,
        "article": {"body": "div.c p", "date": "span.d::text", "author": "span.a::text", "title": "h1"},
    }
    spider = make_spider(tmp_path, source)
    entry = spider.post(url="http://f.test/a/1.html", title="摘要标题", text="摘要", extras={"feed": "x"})
    page = "<h1>白龙洞恢复开放</h1><span class='d'>2024-08-11 10:30</span><span class='a'>文旅局</span>"
    page += "<div class='c'><p>白龙洞景区今起恢复开放。</p></div>"
    (post,), _ = split(spider.parse_article(html("http://f.test/a/1.html", page), entry=entry))
    assert (post["title"], post["author"]) == ("白龙洞恢复开放", "文旅局")
    assert post["text"] == "白龙洞景区今起恢复开放。"
    assert post["published_at"].isoformat() == "2024-08-11T10:30:00+08:00" and post["extras"]["fetched"]
    # A page without the body falls back to the feed's summary, and says so.
    (post,), _ = split(spider.parse_article(html("http://f.test/a/1.html", "<p>登录</p>"), entry=entry))
    assert post["text"] == "摘要" and post["extras"]["fetched"] is False


# Conversation links -------------------------------------------------------------------------------------
def thread_page(*floors: tuple[int, str, str], reply_to: dict[int, str] | None = None) -> str:
    """A Tieba thread page: (floor, post id, text) per post; `reply_to` floor → the post id it quotes."""
    reply_to = reply_to or {}
    posts = "".join(
        f'<div class="l_post" data-pid="{pid}" data-floor="{floor}"'
        + (f' data-reply="{reply_to[floor]}"' if floor in reply_to else "")
        + f'><a class="p_author_name">网友{floor}</a><div class="d_post_content">{text}</div></div>'
        for floor, pid, text in floors
    )
    return f'<h3 class="core_title_txt" title="湖泉停车乱收费">湖泉停车乱收费</h3>{posts}'


def test_forum_replies_name_their_thread_and_carry_the_opening_text(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, FORUM)
    posts, requests = split(
        spider.parse_thread(html("http://tb.test/p/100", THREAD), tid="100", replies=5, page_no=1)
    )
    opening, reply = posts
    assert opening["thread_id"] == "t100" == opening["source_id"]
    assert "parent_id" not in opening and "parent_text" not in opening
    assert (reply["thread_id"], reply["parent_id"]) == ("t100", "t100")
    assert reply["parent_text"] == "门口有人收停车费，一次20"
    assert reply["extras"] == {"kind": "reply", "floor": 2}  # the thread link lives in the schema fields
    assert Post.parse(reply).links() == {"thread": "tb:t100", "parent": "tb:t100"}
    assert Post.parse(opening).links() == {}  # the opening post names itself
    # A later page without the opening post keeps just the ids.
    later = thread_page((4, "1004", "停车场在北门"))
    (post,), _ = split(
        spider.parse_thread(html("http://tb.test/p/100?pn=2", later), tid="100", replies=5, page_no=2)
    )
    assert (post["thread_id"], post["parent_id"]) == ("t100", "t100") and "parent_text" not in post
    assert requests[0].cb_kwargs["opening_pid"] == "1001"


def test_forum_parent_text_is_cut_to_the_schema_limit(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, FORUM)
    page = thread_page((1, "1001", "长" * 2500), (2, "1002", "顶"))
    (_, reply), _ = split(
        spider.parse_thread(html("http://tb.test/p/100", page), tid="100", replies=1, page_no=1)
    )
    assert reply["parent_text"] == "长" * PARENT_TEXT_CHARS
    Post.parse(reply)


def test_forum_reply_to_selector_names_the_quoted_floor(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, {**FORUM, "selectors": {"reply_to": "::attr(data-reply)"}})
    page = thread_page(
        (1, "1001", "门口有人收停车费"),
        (2, "1002", "那是黑停车场"),
        (3, "1003", "真的吗？"),
        (4, "1004", "楼主说的是哪天"),
        (5, "1005", "乱码"),
        reply_to={3: "1002", 4: "1001", 5: "10\n02"},
    )
    posts, _ = split(spider.parse_thread(html("http://tb.test/p/100", page), tid="100", replies=4, page_no=1))
    by_id = {p["source_id"]: p for p in posts}
    assert (by_id["p1003"]["parent_id"], by_id["p1003"]["parent_text"]) == ("p1002", "那是黑停车场")
    assert by_id["p1004"]["parent_id"] == "t100"  # the quoted floor is the opening post
    assert by_id["p1002"]["parent_id"] == "t100"  # no quote: the reply answers the thread
    assert by_id["p1005"]["parent_id"] == "t100"  # an id with a line break is dropped, not the page
    assert spider.crawler.stats.get_value("links/dropped") == 1
    # On a later page the opening post's id comes with the request: quoting it still means the thread.
    later = thread_page((6, "1006", "同意楼主"), (7, "1007", "同意六楼"), reply_to={6: "1001", 7: "1006"})
    posts, _ = split(
        spider.parse_thread(
            html("http://tb.test/p/100?pn=2", later), tid="100", replies=4, page_no=2, opening_pid="1001"
        )
    )
    assert [(p["parent_id"], p.get("parent_text")) for p in posts] == [("t100", None), ("p1006", "同意楼主")]
    assert all(Post.parse(p).thread_id == "t100" for p in posts)


def test_forum_thread_id_with_whitespace_is_dropped_not_the_page(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, FORUM)
    posts, _ = split(spider.parse_thread(html("http://tb.test/p/1", THREAD), tid="1 0", replies=1, page_no=1))
    assert len(posts) == 2 and not any("thread_id" in p or "parent_id" in p for p in posts)
    assert spider.crawler.stats.get_value("links/dropped") == 1


def parse_blogs(spider, *blogs: dict) -> list[dict]:
    posts, _ = split(
        spider.parse_page(weibo_page(*blogs), template=WEIBO["endpoint"], page_no=2, keyword=None)
    )
    return posts


ORIGINAL = {"id": 15, "text": "锦屏山索道停运，游客被困半空", "user": {"screen_name": "弥勒身边事"}}


def test_social_api_repost_links_to_the_embedded_original(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    repost = {"id": "16", "text": "转发微博", "user": {"screen_name": "本地通"}, "retweeted_status": ORIGINAL}
    chained = {
        "id": "17",
        "text": "太吓人了//<a href='/n/本地通'>@本地通</a>:转发微博",
        "user": {"screen_name": "带娃"},
        "retweeted_status": ORIGINAL,
    }
    first, second = parse_blogs(spider, repost, chained)
    assert (first["parent_id"], first["root_id"], first["parent_text"]) == ("15", "15", ORIGINAL["text"])
    assert "repost_chain" not in first["extras"] and "thread_id" not in first
    assert (second["parent_id"], second["root_id"]) == ("15", "15")
    assert second["extras"]["repost_chain"] == ["本地通"]
    assert second["parent_text"] == ORIGINAL["text"]  # the embedded original beats the chain's last words
    assert Post.parse(second).links() == {"parent": "wb:15", "root": "wb:15"}


def test_social_api_text_only_chain(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    blog = {"id": "18", "text": "还没说法？//@锦屏山下:我家人也在上面//@弥勒身边事：索道停运", "user": {}}
    (post,) = parse_blogs(spider, blog)
    assert post["extras"]["repost_chain"] == ["锦屏山下", "弥勒身边事"]
    assert post["parent_text"] == "索道停运"
    assert not any(k in post for k in ("parent_id", "root_id", "thread_id"))
    assert post["text"] == blog["text"]  # the post's text is what the reader sees, chain included
    # A malformed chain is just text.
    (post,) = parse_blogs(spider, {"id": "19", "text": "看//@没冒号的人 说话", "user": {}})
    assert "repost_chain" not in post["extras"] and "parent_text" not in post


def test_social_api_ids_the_api_names_directly(tmp_path: Path) -> None:
    fields = {"thread_id": "status.id", "parent_id": "reply_id", "root_id": "root.mid", "reposted_id": "mid"}
    spider = make_spider(tmp_path, {**WEIBO, "fields": fields})
    comment = {"id": "c1", "text": "同问", "status": {"id": 15}, "reply_id": " c0 ", "root": {"mid": "15"}}
    repost = {"id": "r1", "text": "转发微博//@甲:原来如此", "retweeted_status": {**ORIGINAL, "mid": "m15"}}
    first, second = parse_blogs(spider, comment, repost)
    assert (first["thread_id"], first["parent_id"], first["root_id"]) == ("15", "c0", "15")
    assert "parent_text" not in first  # a root id and no text beside it: the chain's words do not stand in
    assert (second["parent_id"], second["root_id"]) == ("m15", "m15")  # reposted_id, not the `id` path
    Post.parse(first)


def test_social_api_bad_link_ids_are_dropped_and_the_post_kept(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    bad = {"id": "20", "text": "转发微博", "retweeted_status": {"id": "15\r\nBcc: x", "text": "原文"}}
    odd = {"id": "21", "text": "转发微博", "retweeted_status": {"id": {"nested": 1}, "text": "原文"}}
    first, second = parse_blogs(spider, bad, odd)
    assert not any(k in first or k in second for k in ("parent_id", "root_id"))
    assert first["parent_text"] == "原文"
    assert spider.crawler.stats.get_value("links/dropped") == 2
    assert Post.parse(first).links() == {}


def demo_get(site: DemoSite, path: str) -> tuple[str, bytes]:
    status, kind, body = site.route(path, "demo.test")
    assert status == 200
    return kind, body


def test_demo_site_serves_a_repost_chain_through_the_spider(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, WEIBO)
    site = DemoSite(frozen=True)
    url = "http://demo.test/api/container/getIndex?containerid=100103type%3D1%26q%3D锦屏山&page={page}"
    posts = []
    for page_no in (1, 2):
        kind, body = demo_get(site, url.format(page=page_no).removeprefix("http://demo.test"))
        response = TextResponse(url.format(page=page_no), body=body, headers={"Content-Type": kind})
        found, _ = split(spider.parse_page(response, template=url, page_no=page_no, keyword="锦屏山"))
        posts += found
    by_id = {p["source_id"]: Post.parse(p) for p in posts}
    original, repost, chained, text_only = (by_id[f"49510000000000{n}"] for n in (15, 16, 17, 18))
    assert original.links() == {} and "索道" in original.text
    for post in (repost, chained):
        assert post.links() == {"parent": "wb:4951000000000015", "root": "wb:4951000000000015"}
        assert post.parent_text == original.text
    assert chained.extras["repost_chain"] == ["弥勒本地通"]
    assert text_only.links() == {} and text_only.extras["repost_chain"] == ["锦屏山下", "弥勒身边事"]
    assert text_only.parent_text and text_only.parent_text.startswith("【锦屏山索道停运")


def test_demo_site_threads_link_replies_to_their_opening_post(tmp_path: Path) -> None:
    spider = make_spider(tmp_path, FORUM)
    thread = demo_content.FORUM[1]
    _, body = demo_get(DemoSite(frozen=True), f"/tieba/p/{thread['tid']}")
    posts, _ = split(
        spider.parse_thread(
            html(f"http://demo.test/tieba/p/{thread['tid']}", body.decode()),
            tid=str(thread["tid"]),
            replies=5,
            page_no=1,
        )
    )
    opening, *replies = (Post.parse(p) for p in posts)
    assert opening.source_id == opening.thread_id == f"t{thread['tid']}"
    assert replies and all(
        r.links() == {"thread": f"tb:t{thread['tid']}", "parent": f"tb:t{thread['tid']}"} for r in replies
    )
    assert all(r.parent_text == thread["replies"][0][2] for r in replies)
