"""RSS 2.0 and Atom feeds: one post per entry; optionally each entry's page for the full text.

With `fetch_articles`, the entry's page gives the text (`article.body`, else trafilatura) and, where
`article.title` / `.date` / `.author` are set, those fields; an entry whose page cannot be fetched or read
still goes out with the feed's summary (`extras.fetched: false`); one already delivered is not fetched again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response
from twisted.python.failure import Failure

from crawlers import extract
from crawlers.sources import RssSource
from crawlers.spiders.base import SourceSpider


class RssSpider(SourceSpider):
    source: RssSource
    expects = ("xml", "rss", "atom", "text/plain", "html")

    async def start(self) -> AsyncIterator[Any]:
        for url in self.source.urls:
            yield self.request(url, "parse_feed", start_url=True)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        feed = page.selector
        feed.remove_namespaces()
        entries = feed.xpath("//item | //entry")
        if not entries:
            self.skip("empty", response.url, "no <item> or <entry> in the feed")
            return
        self.crawler.stats.inc_value("rss/entries", len(entries))
        for entry in entries:
            link = entry.xpath("string(link[not(@href)])").get("").strip() or entry.xpath(
                "link[not(@rel) or @rel='alternate']/@href"
            ).get("")
            link = response.urljoin(link.strip()) if link.strip() else None
            guid = entry.xpath("string(guid | id)").get("").strip() or None
            body = entry.xpath("string(encoded | content | description | summary)").get("")
            post = self.post(
                url=link,
                source_id=None if link else guid,
                title=extract.clean(entry.xpath("string(title)").get("")) or None,
                text=extract.html_to_text(body),
                author=extract.clean(entry.xpath("string(author/name | author | creator)").get("")) or None,
                published_at=self.date(entry.xpath("string(pubDate | published | updated | date)").get("")),
                extras={"feed": response.url, **({"guid": guid} if guid else {})},
            )
            if self.source.fetch_articles and link:
                if self.known(self.post_id(url=link)):
                    self.crawler.stats.inc_value("incremental/not_fetched")
                    continue
                yield self.request(link, "parse_article", {"entry": post}, errback="article_failed")
            else:
                yield post

    def parse_article(self, response: Response, entry: dict[str, Any]) -> Iterator[Any]:
        page = self.usable(response, ("html",))
        if page is None:
            yield _summary_only(entry)  # the feed's own summary is still a post
            return
        sel, check = self.source.article, self.health.selector
        body = extract.all_text(page, sel.body) if sel.body else ""
        check("article.body", sel.body, bool(body))
        text = body or extract.article(page.text, page.url)["text"]
        if not text:
            yield _summary_only(entry)
            return
        # The page's own title, date and author, where selectors say where, beat the feed's.
        better: dict[str, Any] = {}
        for key, field in (("title", "title"), ("date", "published_at"), ("author", "author")):
            expr = getattr(sel, key)
            value = extract.first_text(page, expr)
            if check(f"article.{key}", expr, bool(value)):
                better[field] = self.date(value) if key == "date" else value
        better = {k: v for k, v in better.items() if v is not None}
        yield {**entry, **better, "text": text, "extras": {**entry["extras"], "fetched": True}}

    def article_failed(self, failure: Failure) -> Iterator[Any]:
        """The article page could not be fetched (404, timeout ...): counted, and the summary goes out."""
        self.on_error(failure)
        yield _summary_only(failure.request.cb_kwargs["entry"])


def _summary_only(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "extras": {**entry["extras"], "fetched": False}}
