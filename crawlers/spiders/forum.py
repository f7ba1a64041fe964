"""Tieba-like forums: thread lists (paginated) → threads → reply pages.

The opening post of a thread is `t<thread id>` and carries the list's reply count as its comment count,
so a thread whose count has not moved since it was delivered is not fetched again; replies are
`p<post id>`. The thread title goes with every reply: "太坑了" means something only under its title.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawlers import extract
from crawlers.sources import ForumSource
from crawlers.spiders.base import SourceSpider
from crawlers.state import fingerprint
from yuqing.schema import Engagement


class ForumSpider(SourceSpider):
    source: ForumSource

    async def start(self) -> AsyncIterator[Any]:
        for template in self.source.urls:
            for url, _keyword in self.keyword_urls(template):
                yield self.request(url, "parse_threads", {"page_no": 1}, start_url=True)

    def parse_threads(self, response: Response, page_no: int) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        sel = self.source.selectors
        rows = extract.select(page, sel.thread)
        self.crawler.stats.inc_value("forum/list_pages")
        if not rows:
            self.skip("empty", response.url, "no threads on the list page")
        pattern = re.compile(self.source.thread_id_pattern)
        for row in rows:
            href = extract.select(row, sel.thread_link).get()
            url = page.urljoin(href.strip()) if href and href.strip() else None
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
            href = extract.select(page, sel.list_next).get()
            if href and href.strip():
                yield self.request(page.urljoin(href.strip()), "parse_threads", {"page_no": page_no + 1})

    def parse_thread(self, response: Response, tid: str, replies: int | None, page_no: int) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        sel = self.source.selectors
        title = extract.first_text(page, sel.title) or extract.first_text(page, "title::text")
        posts = extract.select(page, sel.post)
        if not posts:
            self.skip("empty", response.url, "no posts in the thread")
            return
        for index, node in enumerate(posts):
            text = extract.all_text(node, sel.content)
            if not text:
                self.crawler.stats.inc_value("skipped/empty_reply")
                continue
            floor = extract.count(extract.first_text(node, sel.floor)) if sel.floor else None
            opening = floor == 1 if floor is not None else (page_no == 1 and index == 0)
            pid = extract.first_text(node, sel.post_id) or f"{tid}-{page_no}-{index}"
            yield self.post(
                source_id=f"t{tid}" if opening else f"p{pid}",
                url=page.url if opening else f"{page.url.split('#')[0]}#post_{pid}",
                title=title,
                text=text,
                author=extract.first_text(node, sel.author) if sel.author else None,
                published_at=self.date(extract.first_text(node, sel.time)) if sel.time else None,
                engagement={"comments": replies or 0} if opening else {},
                extras={"thread_id": tid, "kind": "thread" if opening else "reply", "floor": floor},
            )
        if sel.thread_next and page_no < self.source.max_reply_pages:
            href = extract.select(page, sel.thread_next).get()
            if href and href.strip():
                yield self.request(
                    page.urljoin(href.strip()),
                    "parse_thread",
                    {"tid": tid, "replies": replies, "page_no": page_no + 1},
                )
