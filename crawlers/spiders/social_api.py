"""Paginated JSON search and timeline APIs shaped like Weibo's mobile card API.

Each keyword fills `{keyword}` in the endpoint (a timeline endpoint has none and runs once); `{page}`
counts from `first_page` up to `max_pages`, the first page without items, or the last page the API reports
(`next_page_path`, Weibo's `data.cardlistInfo.page`: null on the last page). Items are every object under
`item_key` at any depth (Weibo nests `mblog` in `cards` and `card_group`), or the list at `items_path`.
An answer matching `login_expired_if` (Weibo: `{"ok": -100}`) reports the source's login as expired.

Conversation links come from ids the API names (`fields.thread_id`, `parent_id`, `root_id`), else from the
embedded original of a repost (its id is parent and root, its text the `parent_text`). Weibo's text keeps
the chain of reposters (`我的评论//@甲:他的评论//@乙:原文`): their names go to `extras.repost_chain`, nearest
first, and without a root id the last segment's words stand in as the original's text.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from scrapy.http import Response

from crawlers import extract
from crawlers.reposts import RepostChain, parse_chain
from crawlers.signals import source_blocked
from crawlers.sources import SocialApiSource
from crawlers.spiders.base import SourceSpider


class SocialApiSpider(SourceSpider):
    source: SocialApiSource
    expects = ("json", "javascript", "text/plain")
    expected_fields = ("published_at", "author")

    async def start(self) -> AsyncIterator[Any]:
        for template, keyword in self.keyword_urls(self.source.endpoint):
            first = self.source.first_page
            url = template.replace("{page}", str(first))
            yield self.request(
                url,
                "parse_page",
                {"template": template, "page_no": first, "keyword": keyword},
                start_url=True,
            )

    def parse_page(
        self, response: Response, template: str, page_no: int, keyword: str | None
    ) -> Iterator[Any]:
        page = self.usable(response)
        if page is None:
            return
        data = extract.loads_json(page.text)  # invalid JSON → ParseErrorMiddleware: skipped/parse_error
        if self._login_expired(data):
            self.crawler.signals.send_catch_log(
                source_blocked, reason="login_expired", url=response.url, detail=_short(data)
            )
            return
        src = self.source
        items = extract.find_key(data, src.item_key) if src.item_key else extract.dig(data, src.items_path)
        if not isinstance(items, list) or not items:
            self.crawler.stats.inc_value("api/result_end")
            return
        self.crawler.stats.inc_value("api/pages")
        for raw in items:
            post = self._post(raw, keyword) if isinstance(raw, dict) else None
            if post is None:
                self.crawler.stats.inc_value("skipped/item_without_id")
                continue
            yield post
        next_no = self._next_page(data, page_no)
        if next_no is None:
            self.crawler.stats.inc_value("api/last_page")
            return
        if next_no - src.first_page + 1 <= src.max_pages:
            next_url = template.replace("{page}", str(next_no))
            yield self.request(
                next_url, "parse_page", {"template": template, "page_no": next_no, "keyword": keyword}
            )

    def _next_page(self, data: Any, page_no: int) -> int | None:
        """The page after `page_no`, or None when the API says this was the last one.

        Weibo reports the next page in `data.cardlistInfo.page` and null there on the last page; asking for
        the page after it anyway costs a request and, on some APIs, a 404 in every run's summary.
        """
        path = self.source.next_page_path
        present, value = extract.lookup(data, path) if path else (False, None)
        if not present:
            return page_no + 1  # the API does not say: go on until a page without items
        if value in (None, "", 0, "0"):
            return None
        reported = extract.count(value)
        return reported if reported is not None and reported > page_no else page_no + 1

    def _login_expired(self, data: Any) -> bool:
        rule = self.source.login_expired_if
        return bool(rule) and all(extract.dig(data, path) == value for path, value in rule.items())

    def _post(self, raw: dict[str, Any], keyword: str | None) -> dict[str, Any] | None:
        f = self.source.fields
        post_id = extract.dig(raw, f.id)
        if post_id in (None, ""):
            return None
        text = extract.html_to_text(str(extract.dig(raw, f.long_text) or extract.dig(raw, f.text) or ""))
        chain = parse_chain(text)
        reposted = extract.dig(raw, f.reposted) if f.reposted else None
        reposted = reposted if isinstance(reposted, dict) else None
        if reposted is not None:
            # A repost's own words are often just "转发微博": what it spreads is the original.
            who = extract.dig(reposted, f.author) if f.author else None
            text = f"{text}\n//转发 @{who or '原博'}: {self._text(reposted)}".strip()
        url = extract.dig(raw, f.url) if f.url else None
        if not url and self.source.url_template:
            url = self.source.url_template.replace("{id}", str(post_id))
        engagement = {
            name: extract.count(extract.dig(raw, path)) or 0
            for name, path in (
                ("reposts", f.reposts),
                ("comments", f.comments),
                ("likes", f.likes),
                ("views", f.views),
            )
            if path
        }
        extras: dict[str, Any] = {}
        if keyword:
            extras["keyword"] = keyword
        if chain.hops:
            extras["repost_chain"] = chain.names
        return self.post(
            source_id=str(post_id),
            url=url,
            author=_str(extract.dig(raw, f.author) if f.author else None),
            text=text,
            published_at=self.date(extract.dig(raw, f.created_at) if f.created_at else None),
            engagement=engagement,
            extras=extras,
            **self._links(raw, reposted, chain),
        )

    def _text(self, item: dict[str, Any]) -> str:
        """An item's words as plain text, the long text when the API gives it."""
        f = self.source.fields
        return extract.html_to_text(str(extract.dig(item, f.long_text) or extract.dig(item, f.text) or ""))

    def _links(
        self, raw: dict[str, Any], reposted: dict[str, Any] | None, chain: RepostChain
    ) -> dict[str, Any]:
        """thread_id, parent_id, root_id and parent_text: named ids first, then the embedded original."""
        f = self.source.fields
        links = {
            name: self.link(extract.dig(raw, path)) if path else None
            for name, path in (("thread_id", f.thread_id), ("parent_id", f.parent_id), ("root_id", f.root_id))
        }
        parent_text = None
        if reposted is not None:
            original = self.link(extract.dig(reposted, f.reposted_id or f.id))
            links["parent_id"] = links["parent_id"] or original
            links["root_id"] = links["root_id"] or original
            parent_text = self._text(reposted)
        elif not links["root_id"]:
            parent_text = chain.original
        return links | {"parent_text": parent_text}


def _str(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def _short(data: Any) -> str:
    return str(data)[:200]
