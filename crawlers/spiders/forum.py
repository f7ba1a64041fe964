"""Tieba-like forums: thread lists (paginated) → threads → reply pages.

The opening post of a thread is `t<thread id>` and carries the list's reply count as its comment count,
so a thread whose count has not moved since it was delivered is not fetched again; replies are
`p<post id>`. The thread title goes with every reply: "太坑了" means something only under its title.
Every post names its thread (`thread_id`, the opening post names itself); a reply's parent is the floor it
quotes when the `reply_to` selector says so, else the opening post, and its `parent_text` is the parent's
text when that post is on the same page (the opening post's, on a thread's first page).
A selector that matches nothing on a fetched page, and a run whose posts mostly lack dates or authors, are
warned about in the summary (crawlers/health.py): a forum whose markup differs loses data silently otherwise.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from parsel import SelectorList
from scrapy.http import Response

from crawlers import extract
from crawlers.sources import ForumSource
from crawlers.spiders.base import SourceSpider
from crawlers.state import fingerprint
from yuqing.schema import Engagement


class ForumSpider(SourceSpider):
    source: ForumSource
    navigation = ("list_next", "thread_next")
    expected_fields = ("published_at", "author")

    async def start(self) -> AsyncIterator[Any]:
        for template in self.source.urls:
            for url, _keyword in self.keyword_urls(template):
                yield self.request(url, "parse_threads", {"page_no": 1}, start_url=True)

    def parse_threads(self, response: Response, page_no: int) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        sel = self.source.selectors
        check = self.health.selector
        rows = extract.select(page, sel.thread)
        self.crawler.stats.inc_value("forum/list_pages")
        if not check("thread", sel.thread, bool(rows)):
            self.skip("empty", response.url, "no threads on the list page")
        pattern = re.compile(self.source.thread_id_pattern)
        found = [(row, (extract.select(row, sel.thread_link).get() or "").strip()) for row in rows]
        if rows:
            check("thread_link", sel.thread_link, any(href for _, href in found))
            counts = [extract.first_text(row, sel.thread_replies) for row in rows]
            check("thread_replies", sel.thread_replies, any(counts))
        for row, href in found:
            url = page.urljoin(href) if href else None
            match = pattern.search(url or "")
            if not match:
                self.crawler.stats.inc_value("skipped/thread_without_id")
                continue
            tid = match.group(1)
            replies = extract.count(extract.first_text(row, sel.thread_replies))
            if replies is not None and self.already_sent(
                self.post_id(source_id=f"t{tid}"), fingerprint(Engagement(comments=replies))
            ):
                self.crawler.stats.inc_value("incremental/not_fetched")
                continue
            yield self.request(url, "parse_thread", {"tid": tid, "replies": replies, "page_no": 1})
        if sel.list_next and page_no < self.source.max_pages:
            href = (extract.select(page, sel.list_next).get() or "").strip()
            if check("list_next", sel.list_next, bool(href), None if href else extract.pager_link(page)):
                yield self.request(page.urljoin(href), "parse_threads", {"page_no": page_no + 1})

    def parse_thread(
        self,
        response: Response,
        tid: str,
        replies: int | None,
        page_no: int,
        opening_pid: str | None = None,
    ) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        sel = self.source.selectors
        check = self.health.selector
        title = extract.first_text(page, sel.title)
        check("title", sel.title, bool(title))
        title = title or extract.first_text(page, "title::text")
        posts = extract.select(page, sel.post)
        if not check("post", sel.post, bool(posts)):
            self.skip("empty", response.url, "no posts in the thread")
            return
        nodes = self._nodes(posts, tid, page_no)
        for name in ("content", "floor", "post_id", "author", "time"):
            check(name, getattr(sel, name), any(n[name] for n in nodes))
        opening = next((n for n in nodes if n["opening"]), None)
        if opening is not None:
            opening_pid = self.link(opening["post_id"])
        clean_tid = self.link(tid)
        thread = f"t{clean_tid}" if clean_tid else None
        # What a reader sees beside a reply: the posts of this page, by the source id they go out with.
        shown = {n["source_id"]: n["content"] for n in nodes if n["content"]}
        for node in nodes:
            text = node["content"]
            if not text:
                self.crawler.stats.inc_value("skipped/empty_reply")
                continue
            is_opening = node["opening"]
            links: dict[str, str | None] = {"thread_id": thread}
            if not is_opening and thread:
                parent = self._parent(node, thread, opening_pid)
                links |= {"parent_id": parent, "parent_text": shown.get(parent) or shown.get(thread)}
            yield self.post(
                source_id=node["source_id"],
                url=page.url if is_opening else f"{page.url.split('#')[0]}#post_{node['pid']}",
                title=title,
                text=text,
                author=node["author"],
                published_at=self.date(node["time"]) if node["time"] else None,
                engagement={"comments": replies or 0} if is_opening else {},
                extras={"kind": "thread" if is_opening else "reply", "floor": node["floor_no"]},
                **links,
            )
        if sel.thread_next and page_no < self.source.max_reply_pages:
            href = (extract.select(page, sel.thread_next).get() or "").strip()
            if check("thread_next", sel.thread_next, bool(href), None if href else extract.pager_link(page)):
                yield self.request(
                    page.urljoin(href),
                    "parse_thread",
                    {"tid": tid, "replies": replies, "page_no": page_no + 1, "opening_pid": opening_pid},
                )

    def _nodes(self, posts: SelectorList, tid: str, page_no: int) -> list[dict[str, Any]]:
        """Each post's fields as the selectors find them, with its floor, source id and whether it opens."""
        sel = self.source.selectors
        nodes = []
        for index, node in enumerate(posts):
            found: dict[str, Any] = {
                name: extract.first_text(node, expr) if expr else None
                for name, expr in (
                    ("floor", sel.floor),
                    ("post_id", sel.post_id),
                    ("author", sel.author),
                    ("time", sel.time),
                    ("reply_to", sel.reply_to),
                )
            }
            found["content"] = extract.all_text(node, sel.content)
            floor = extract.count(found["floor"])
            opening = floor == 1 if floor is not None else (page_no == 1 and index == 0)
            pid = found["post_id"] or f"{tid}-{page_no}-{index}"
            found |= {
                "floor_no": floor,
                "opening": opening,
                "pid": pid,
                "source_id": f"t{tid}" if opening else f"p{pid}",
            }
            nodes.append(found)
        return nodes

    def _parent(self, node: dict[str, Any], thread: str, opening_pid: str | None) -> str:
        """The floor a reply quotes (by the `reply_to` selector), else the thread's opening post."""
        ref = self.link(node["reply_to"])
        if ref is None or ref == opening_pid:
            return thread
        return f"p{ref}" if f"p{ref}" != node["source_id"] else thread
