"""News and government sites: list pages (paginated) → article pages.

Configured selectors win; fields they leave out come from trafilatura (title, body, date), and a date
printed as "发布时间：..." near the top of the text beats trafilatura's date-only guess. GBK and GB18030
pages are read in their declared encoding, or detected when undeclared (see SourceSpider.usable).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawlers import extract
from crawlers.sources import NewsSource
from crawlers.spiders.base import SourceSpider


class NewsSpider(SourceSpider):
    source: NewsSource
    navigation = ("next_page",)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.urls:
            yield self.request(url, "parse_list", {"page_no": 1}, start_url=True)

    def parse_list(self, response: Response, page_no: int) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        pattern = re.compile(self.source.link_pattern) if self.source.link_pattern else None
        links = [
            page.urljoin(h.strip()) for h in extract.select(page, self.source.links).getall() if h.strip()
        ]
        self.health.selector("links", self.source.links, bool(links))
        links = [
            u for u in dict.fromkeys(links) if u.startswith("http") and (not pattern or pattern.search(u))
        ]
        self.crawler.stats.inc_value("news/list_pages")
        if not links:
            self.skip("empty", response.url, "no article links on the list page")
        for url in links:
            if self.known(self.post_id(url=url)):
                # Articles carry no engagement counts: once delivered (or judged irrelevant), nothing changes.
                self.crawler.stats.inc_value("incremental/not_fetched")
                continue
            yield self.request(url, "parse_article", {"link": url})
        if self.source.next_page and page_no < self.source.max_pages:
            href = (extract.select(page, self.source.next_page).get() or "").strip()
            if self.health.selector(
                "next_page", self.source.next_page, bool(href), None if href else extract.pager_link(page)
            ):
                yield self.request(page.urljoin(href), "parse_list", {"page_no": page_no + 1})

    def parse_article(self, response: Response, link: str) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        sel = self.source.article
        title = extract.first_text(page, sel.title)
        body = extract.all_text(page, sel.body) if sel.body else ""
        date_text = extract.first_text(page, sel.date)
        author = extract.first_text(page, sel.author)
        for name, value in (("title", title), ("body", body), ("date", date_text), ("author", author)):
            self.health.selector(f"article.{name}", getattr(sel, name), bool(value))
        found: dict[str, Any] = {}
        if not (title and body and date_text):
            found = extract.article(page.text, page.url)
        body = body or found.get("text", "")
        if not body:
            self.skip("empty", response.url, "no article text")
            return
        published = self.date(date_text) if date_text else None
        if published is None:
            # A labelled "发布时间：..." anywhere near the top beats trafilatura's date-only guess.
            visible = extract.clean(
                " ".join(page.xpath("//body//text()[not(ancestor::script)]").getall()[:300])
            )
            published = self.date(extract.date_in_text(visible) or found.get("date"))
        extras: dict[str, Any] = {"encoding": page.encoding}
        if page.url != link:
            extras["final_url"] = page.url
        yield self.post(
            url=link,
            title=title or found.get("title") or extract.first_text(page, "title::text"),
            text=body,
            author=author or found.get("author"),
            published_at=published,
            extras=extras,
        )
