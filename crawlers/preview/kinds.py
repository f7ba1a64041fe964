"""One page of each kind per source type, and what every selector or field path extracted from it."""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import urljoin

from parsel import Selector

from crawlers import extract
from crawlers.dates import parse_date
from crawlers.preview.report import NOT_A_DATE, PreviewError, Step, short
from crawlers.preview.transport import Fetch, get
from crawlers.sources import ForumSource, NewsSource, RssSource, SocialApiSource, SourceBase


def preview(source: SourceBase, fetch: Fetch) -> list[Step]:
    """The pages and selector results of one source; stops at the first page it cannot use."""
    steps: list[Step] = []
    kind = {RssSource: _rss, NewsSource: _news, SocialApiSource: _api, ForumSource: _forum}[type(source)]
    with contextlib.suppress(PreviewError):  # the step that failed carries its error
        kind(source, fetch, steps)
    return steps


def _first_url(template: str, source: SourceBase) -> str:
    from urllib.parse import quote

    keyword = source.keywords[0] if source.keywords else ""
    return template.replace("{keyword}", quote(keyword))


def _rss(source: RssSource, fetch: Fetch, steps: list[Step]) -> None:
    step, page = get(fetch, "feed", source.urls[0], steps, source)
    feed = page.selector
    feed.remove_namespaces()
    entries = feed.xpath("//item | //entry")
    step.show("entries", "<item> | <entry>", len(entries) or None)
    if not entries:
        raise PreviewError("no entries")
    entry = entries[0]
    link = entry.xpath("string(link[not(@href)])").get("").strip() or entry.xpath(
        "link[not(@rel) or @rel='alternate']/@href"
    ).get("")
    step.show("title", "title", extract.clean(entry.xpath("string(title)").get("")))
    step.show("link", "link", link.strip())
    date = entry.xpath("string(pubDate | published | updated | date)").get("")
    step.show("date", "pubDate|published|updated", _date(date), optional=True)
    step.show(
        "author",
        "author|creator",
        extract.clean(entry.xpath("string(author/name | author | creator)").get("")),
        optional=True,
    )
    summary = extract.html_to_text(entry.xpath("string(encoded | content | description | summary)").get(""))
    step.show("text", "description|content|summary", summary)
    if source.fetch_articles and link.strip():
        _article(source, fetch, steps, page.urljoin(link.strip()))


def _news(source: NewsSource, fetch: Fetch, steps: list[Step]) -> None:
    step, page = get(fetch, "list page", source.urls[0], steps, source)
    found = [page.urljoin(h.strip()) for h in extract.select(page, source.links).getall() if h.strip()]
    step.show("links", source.links, found and f"{len(found)} link(s): {', '.join(found[:3])}")
    if source.link_pattern:
        pattern = re.compile(source.link_pattern)
        found = [u for u in found if pattern.search(u)]
        step.show("link_pattern", source.link_pattern, found and f"{len(found)} link(s) kept: {found[0]}")
    _next(step, page, "next_page", source.next_page)
    if found:
        _article(source, fetch, steps, found[0])


def _article(source: NewsSource | RssSource, fetch: Fetch, steps: list[Step], url: str) -> None:
    step, page = get(fetch, "article page", url, steps, source)
    sel = source.article
    auto = extract.article(page.text, page.url)
    for key, auto_key in (("title", "title"), ("body", "text"), ("date", "date"), ("author", "author")):
        expr = getattr(sel, key)
        if expr:
            value = extract.all_text(page, expr) if key == "body" else extract.first_text(page, expr)
            step.show(
                f"article.{key}",
                expr,
                _date(value) if key == "date" and value else value,
                optional=key == "author",
            )
        else:
            found = auto.get(auto_key)
            step.note(f"article.{key}", f"(no selector; trafilatura) {short(found) if found else 'nothing'}")


def _api(source: SocialApiSource, fetch: Fetch, steps: list[Step]) -> None:
    url = _first_url(source.endpoint, source).replace("{page}", str(source.first_page))
    step, page = get(fetch, "result page", url, steps, source)
    try:
        data = extract.loads_json(page.text)
    except ValueError as exc:
        step.error = f"not JSON: {exc}"
        raise PreviewError(step.error) from exc
    rule = source.login_expired_if
    if rule and all(extract.dig(data, path) == value for path, value in rule.items()):
        step.error = f"login expired (the answer matches login_expired_if {rule}): renew the cookie"
        raise PreviewError(step.error)
    items = (
        extract.find_key(data, source.item_key) if source.item_key else extract.dig(data, source.items_path)
    )
    where = f"item_key {source.item_key}" if source.item_key else f"items_path {source.items_path}"
    items = items if isinstance(items, list) else []
    step.show("items", where, len(items) or None)
    if source.next_page_path:
        present, value = extract.lookup(data, source.next_page_path)
        step.note("next page", value if present else f"(the answer has no {source.next_page_path})")
    if not items or not isinstance(items[0], dict):
        return
    item, fields = items[0], source.fields
    for key in (
        "id",
        "text",
        "long_text",
        "author",
        "created_at",
        "reposts",
        "comments",
        "likes",
        "views",
        "url",
        "thread_id",
        "parent_id",
        "root_id",
    ):
        path = getattr(fields, key)
        if path:
            value = extract.dig(item, path)
            if key == "created_at":
                value = _date(value)
            step.show(
                f"fields.{key}", path, value, optional=key not in ("id", "text", "created_at", "author")
            )


def _forum(source: ForumSource, fetch: Fetch, steps: list[Step]) -> None:
    sel = source.selectors
    step, page = get(fetch, "thread list", _first_url(source.urls[0], source), steps, source)
    rows = extract.select(page, sel.thread)
    step.show("thread", sel.thread, len(rows) or None)
    thread_url = None
    if rows:
        href = (extract.select(rows[0], sel.thread_link).get() or "").strip()
        step.show("thread_link", sel.thread_link, href)
        match = re.search(source.thread_id_pattern, page.urljoin(href)) if href else None
        step.show("thread_id_pattern", source.thread_id_pattern, match and match.group(1))
        step.show("thread_replies", sel.thread_replies, extract.first_text(rows[0], sel.thread_replies))
        thread_url = page.urljoin(href) if match else None
    _next(step, page, "list_next", sel.list_next)
    if thread_url is None:
        return
    step, page = get(fetch, "thread page", thread_url, steps, source)
    step.show("title", sel.title, extract.first_text(page, sel.title))
    posts = extract.select(page, sel.post)
    step.show("post", sel.post, len(posts) or None)
    for index, node in enumerate(posts[:2], start=1):
        for key in ("post_id", "floor", "author", "time", "content", "reply_to"):
            expr = getattr(sel, key)
            if not expr:
                continue
            value = extract.all_text(node, expr) if key == "content" else extract.first_text(node, expr)
            shown = _date(value) if key == "time" and value else value
            # Most posts quote nothing: a reply_to that finds nothing on a post is no miss.
            step.show(f"post {index} {key}", expr, shown, optional=key == "reply_to")
    _next(step, page, "thread_next", sel.thread_next)


def _next(step: Step, page: Selector, key: str, expr: str | None) -> None:
    """A next-page selector: missing it is a miss only where the page links to a next page."""
    if not expr:
        return
    href = (extract.select(page, expr).get() or "").strip()
    if href:
        step.show(key, expr, urljoin(page.url, href))
        return
    pager = extract.pager_link(page)
    step.show(key, expr, None, optional=pager is None)
    if pager:
        step.note(f"{key} (hint)", f"the page links to a next page: {pager}")


def _date(value: Any) -> str | None:
    if value in (None, ""):
        return None
    parsed = parse_date(value)
    return f"{short(value)} -> {parsed.isoformat() if parsed else NOT_A_DATE}"
