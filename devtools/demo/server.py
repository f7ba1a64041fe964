"""The demo site's HTTP server (standard library only): pages rendered from `content.py` on request."""

from __future__ import annotations

import json
import logging
import re
import threading
import time
import zlib
from collections import Counter
from datetime import datetime, timedelta
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

from devtools.demo import content as c
from yuqing.schema import TZ

logger = logging.getLogger(__name__)

ROBOTS = "User-agent: *\nDisallow: /news/draft/\nDisallow: /admin/\n"
_PAGE = """<!DOCTYPE html>
<html lang="zh-CN"><head>{meta}<title>{title}</title></head>
<body><div class="header"><a href="/">首页</a> | <a href="/news/index.html">文旅资讯</a> |
<a href="/tieba/f?kw=%E5%BC%A5%E5%8B%92">弥勒吧</a></div>
{body}
<div class="footer">主办：弥勒文旅资讯（演示站点） 联系电话：0873-0000000</div></body></html>"""


class DemoSite:
    """Renders every page of the demo site; `frozen` stops counts growing and live posts appearing."""

    def __init__(self, frozen: bool = False) -> None:
        self.frozen = frozen
        self.started = time.time()

    def now(self) -> datetime:
        return datetime.now(TZ)

    def minutes_up(self) -> float:
        return 0.0 if self.frozen else (time.time() - self.started) / 60

    def route(self, target: str, host: str) -> tuple[int, str, bytes]:
        url = urlsplit(target)
        query = parse_qs(url.query)
        path = url.path
        base = f"http://{host}"
        if path == "/robots.txt":
            return 200, "text/plain; charset=utf-8", ROBOTS.encode()
        if path in ("/", "/index.html"):
            return self.html("弥勒文旅资讯", '<p><a href="/news/index.html">文旅资讯</a></p>')
        if path == "/rss/wenlv.xml":
            return 200, "application/rss+xml; charset=utf-8", self.rss(base).encode()
        if path == "/news/index.html" or (path.startswith("/news/index_") and path.endswith(".html")):
            page = 1 if path == "/news/index.html" else int(path[len("/news/index_") : -len(".html")] or 0)
            return self.news_list(page)
        if path.startswith("/news/content/") and path.endswith(".html"):
            return self.article(path[len("/news/content/") : -len(".html")])
        if path == "/news/files/notice.pdf":
            return 200, "application/pdf", b"%PDF-1.4 demo attachment\n%%EOF\n"
        if path == "/api/container/getIndex":
            return 200, "application/json; charset=utf-8", self.weibo(query).encode()
        if path == "/tieba/f":
            return self.forum_list(query)
        if path.startswith("/bench/"):
            return self.bench(path)
        if path.startswith("/tieba/p/"):
            return self.thread(path[len("/tieba/p/") :], int((query.get("pn") or ["1"])[0]))
        return self.html("404 页面不存在", "<p>您访问的页面不存在</p>", status=404)

    def html(self, title: str, body: str, status: int = 200) -> tuple[int, str, bytes]:
        page = _PAGE.format(meta='<meta charset="utf-8">', title=escape(title), body=body)
        return status, "text/html; charset=utf-8", page.encode()

    # An endless news site for `yuqing bench crawl`: list n links articles 20n..20n+19 and list n+1.
    def bench(self, path: str) -> tuple[int, str, bytes]:
        listing = re.fullmatch(r"/bench/list/(\d+)\.html", path)
        if listing:
            n = int(listing.group(1))
            rows = "".join(
                f'<li><a href="/bench/a/{i}.html">{escape(c.NEWS[i % len(c.NEWS)]["title"])}</a></li>'
                for i in range(20 * n, 20 * n + 20)
            )
            nav = f'<a class="next" href="/bench/list/{n + 1}.html">下一页</a>'
            return self.html(
                f"文旅资讯 第{n}页", f'<ul class="news-list">{rows}</ul><div class="page">{nav}</div>'
            )
        item = re.fullmatch(r"/bench/a/(\d+)\.html", path)
        if item:
            i = int(item.group(1))
            status, kind, body = self.article(str(c.NEWS[i % len(c.NEWS)]["id"]))
            if kind.endswith("GBK") or kind == "text/html":
                return status, kind, body
            return status, kind, body.replace(b"</h1>", f"（{i}）</h1>".encode(), 1)
        return self.html("404 页面不存在", "<p>页面不存在</p>", status=404)

    # RSS ------------------------------------------------------------------------------------------
    def rss(self, base: str) -> str:
        items = []
        for item in c.RSS:
            when = self.now() - timedelta(minutes=item["age"])
            items.append(
                f"<item><title>{escape(item['title'])}</title><link>{base}/rss/item/{item['id']}.html</link>"
                f'<guid isPermaLink="false">{item["id"]}</guid><pubDate>{format_datetime(when)}</pubDate>'
                f"<description><![CDATA[<p>{item['body']}</p>]]></description></item>"
            )
        return (
            '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>弥勒文旅</title>'
            f"<link>{base}/</link><description>弥勒市文化和旅游资讯（演示）</description>{''.join(items)}"
            "</channel></rss>"
        )

    # News -----------------------------------------------------------------------------------------
    def news_list(self, page: int) -> tuple[int, str, bytes]:
        per = c.NEWS_PER_PAGE
        pages = (len(c.NEWS) + per - 1) // per
        if not 1 <= page <= pages:
            return self.html("404 页面不存在", "<p>页面不存在</p>", status=404)
        rows = []
        for art in c.NEWS[(page - 1) * per : page * per]:
            day = (self.now() - timedelta(minutes=art["age"])).strftime("%Y-%m-%d")
            rows.append(
                f'<li><a href="/news/content/{art["id"]}.html">{escape(art["title"])}</a>'
                f'<span class="date">{day}</span></li>'
            )
        if page == 1:
            rows.append(f'<li><a href="{c.NEWS_DRAFT}">（草稿）待审稿件</a><span class="date"></span></li>')
            rows.append('<li><a href="/news/files/notice.pdf">附件：旅游市场整治通告.pdf</a></li>')
        if page == 2:
            rows.append('<li><a href="/news/content/3000.html">已撤稿的旧闻</a></li>')
        nav = f'<a class="next" href="index_{page + 1}.html">下一页</a>' if page < pages else ""
        body = f'<ul class="news-list">{"".join(rows)}</ul><div class="page">第{page}/{pages}页 {nav}</div>'
        return self.html(f"文旅资讯 第{page}页", body)

    def article(self, ident: str) -> tuple[int, str, bytes]:
        art = next((a for a in c.NEWS if str(a["id"]) == ident), None)
        if art is None:
            return self.html("404 页面不存在", "<p>稿件不存在或已撤稿</p>", status=404)
        when = (self.now() - timedelta(minutes=art["age"])).strftime("%Y-%m-%d %H:%M")
        paragraphs = "".join(f"<p>{escape(p)}</p>" for p in art["body"])
        body = (
            f'<div class="article"><h1 class="title">{escape(art["title"])}</h1>'
            f'<div class="info">发布时间：{when}　来源：{escape(art["source"])}</div>'
            f'<div class="content">{paragraphs}</div></div>'
        )
        gbk = art.get("gbk")
        if not gbk:
            return self.html(art["title"], body)
        meta = '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' if gbk == "meta" else ""
        page = _PAGE.format(meta=meta, title=escape(art["title"]), body=body).encode("gbk")
        return 200, "text/html; charset=GBK" if gbk == "header" else "text/html", page

    # Weibo-like API -------------------------------------------------------------------------------
    def mblogs(self) -> list[dict]:
        up = self.minutes_up()
        posts = []
        for w in c.WEIBO:
            grow = int(w["growth"] * up)
            reposts, comments, likes = (n + grow for n in w["counts"])
            created = w["created"]
            if created == "weibo":
                created = (self.now() - timedelta(minutes=w["age"])).strftime("%a %b %d %H:%M:%S +0800 %Y")
            blog = {
                "id": w["id"],
                "mid": w["id"],
                "created_at": created,
                "text": w["text"],
                "isLongText": False,
                "user": {"id": zlib.crc32(w["user"].encode()), "screen_name": w["user"]},
                "reposts_count": reposts,
                "comments_count": comments,
                "attitudes_count": likes,
            }
            if "repost_of" in w:
                blog["retweeted_status"] = _original(w)
            posts.append(blog)
        for i, live in enumerate(c.WEIBO_LIVE[: int(up // c.LIVE_EVERY_MIN)]):
            age = int(up - (i + 1) * c.LIVE_EVERY_MIN)
            posts.insert(
                0,
                {
                    "id": f"49519000000000{i:02d}",
                    "created_at": "刚刚" if age < 1 else f"{age}分钟前",
                    "text": live["text"],
                    "user": {"screen_name": live["user"]},
                    "reposts_count": age,
                    "comments_count": 2 * age,
                    "attitudes_count": 3 * age,
                },
            )
        return posts

    def weibo(self, query: dict[str, list[str]]) -> str:
        container = parse_qs((query.get("containerid") or [""])[0])
        keyword = (container.get("q") or [""])[0]
        page = int((query.get("page") or ["1"])[0])
        found = [b for b in self.mblogs() if keyword and keyword in json.dumps(b, ensure_ascii=False)]
        size = c.WEIBO_PAGE_SIZE
        chunk = found[(page - 1) * size : page * size]
        if not chunk:
            return json.dumps({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}, ensure_ascii=False)
        # Weibo nests some results in a card_group; the spider must find them at any depth.
        cards = [{"card_type": 11, "card_group": [{"card_type": 9, "mblog": chunk[0]}]}]
        cards += [
            {"card_type": 9, "mblog": b, "scheme": f"https://m.weibo.cn/status/{b['id']}"} for b in chunk[1:]
        ]
        more = page * size < len(found)
        info = {"page": page + 1 if more else None, "total": len(found)}
        return json.dumps({"ok": 1, "data": {"cardlistInfo": info, "cards": cards}}, ensure_ascii=False)

    # Tieba-like forum -----------------------------------------------------------------------------
    def forum_list(self, query: dict[str, list[str]]) -> tuple[int, str, bytes]:
        kw = (query.get("kw") or ["弥勒"])[0]
        offset = int((query.get("pn") or ["0"])[0])
        per = c.FORUM_THREADS_PER_PAGE
        rows = "".join(
            f'<li class="j_thread_list" data-tid="{t["tid"]}"><span class="threadlist_rep_num" title="回复">'
            f"{len(t['replies']) - 1}</span>"
            f'<a class="j_th_tit" href="/tieba/p/{t["tid"]}">{escape(t["title"])}</a>'
            f'<span class="tb_icon_author">{escape(t["replies"][0][0])}</span></li>'
            for t in c.FORUM[offset : offset + per]
        )
        nav = ""
        if offset + per < len(c.FORUM):
            nav = f'<a class="next" href="/tieba/f?kw={quote(kw)}&amp;pn={offset + per}">下一页&gt;</a>'
        body = f'<ul id="thread_list">{rows}</ul><div class="pagination">{nav}</div>'
        return self.html(f"{kw}吧_百度贴吧（演示）", body)

    def thread(self, tid: str, page: int) -> tuple[int, str, bytes]:
        thread = next((t for t in c.FORUM if str(t["tid"]) == tid), None)
        per = c.FORUM_REPLIES_PER_PAGE
        pages = (len(thread["replies"]) + per - 1) // per if thread else 0
        if thread is None or not 1 <= page <= pages:
            return self.html("该贴已被删除", "<p>抱歉，该贴已被删除。</p>", status=404)
        posts = []
        for i, (user, when, text) in enumerate(thread["replies"][(page - 1) * per : page * per]):
            floor = (page - 1) * per + i + 1
            posts.append(
                f'<div class="l_post" data-pid="{thread["tid"]}{floor:03d}" data-floor="{floor}">'
                f'<a class="p_author_name">{escape(user)}</a><div class="d_post_content">{escape(text)}</div>'
                f'<div class="post-tail-wrap"><span class="tail-info">{floor}楼</span>'
                f'<span class="tail-info">{escape(when)}</span></div></div>'
            )
        nav = f'<a class="pager-next" href="/tieba/p/{tid}?pn={page + 1}">下一页</a>' if page < pages else ""
        title = escape(thread["title"])
        body = (
            f'<h3 class="core_title_txt" title="{title}">{title}</h3>{"".join(posts)}'
            f'<div class="pager">{nav}</div>'
        )
        return self.html(f"{thread['title']}_弥勒吧", body)


def _original(repost: dict) -> dict:
    """The `retweeted_status` a repost embeds: a post of the demo site, or one it does not serve."""
    ref = repost["repost_of"]
    if isinstance(ref, str):
        original = next(w for w in c.WEIBO if w["id"] == ref)
        return {"id": ref, "text": original["text"], "user": {"screen_name": original["user"]}}
    return {"id": f"{repost['id']}0", "text": ref["text"], "user": {"screen_name": ref["user"]}}


def make_server(host: str = "127.0.0.1", port: int = 8765, frozen: bool = False, quiet: bool = True):
    """A threaded server for the demo site (port 0: a free one); `.site` and `.hits` for tests."""
    site = DemoSite(frozen=frozen)
    hits: Counter[str] = Counter()

    class Handler(BaseHTTPRequestHandler):
        server_version = "DemoSite/1.0"

        def do_GET(self) -> None:
            hits[self.path] += 1
            host_header = self.headers.get("Host") or f"{host}:{self.server.server_address[1]}"
            try:
                status, kind, body = site.route(self.path, host_header)
            except Exception:  # a bug in the demo must not kill the server thread
                logger.exception("demo site failed on %s", self.path)
                status, kind, body = 500, "text/plain", b"internal error"
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, fmt: str, *args) -> None:
            if not quiet:
                logger.info("%s %s", self.address_string(), fmt % args)

    server = ThreadingHTTPServer((host, port), Handler)
    server.daemon_threads = True
    server.site, server.hits = site, hits
    return server


def serve_in_thread(host: str = "127.0.0.1", port: int = 8765, frozen: bool = False) -> ThreadingHTTPServer:
    """Start the demo site in a daemon thread (for `yuqing crawl --serve-demo` and tests)."""
    server = make_server(host, port, frozen=frozen)
    threading.Thread(target=server.serve_forever, name="demo-site", daemon=True).start()
    logger.info("demo site on http://%s:%d/", host, server.server_address[1])
    return server
