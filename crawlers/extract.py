"""Getting text out of pages: configured selectors (CSS or XPath), HTML fragments, and trafilatura.

A selector string is XPath when it starts with `xpath:`, `/`, `(` or `./`, CSS otherwise (`::text` and
`::attr(x)` included). Text is whitespace-collapsed but keeps paragraph breaks; images keep their `alt`
(Weibo writes emoticons as `<img alt="[哈哈]">`).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import lxml.html
from lxml import etree
from parsel import Selector, SelectorList

logger = logging.getLogger(__name__)

_SPACES = re.compile(r"[ \t\r\f\v\u3000\xa0]+")
_BLANK_LINES = re.compile(r"\n\s*\n+")
_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article"}
# A date-looking string near the top of a Chinese article ("发布时间：2024-08-11 10:30").
_DATE_IN_TEXT = re.compile(
    r"(?:发布|发表|时间|日期|更新)[^\d\n]{0,8}"
    r"(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?(?:\s*\d{1,2}[:时]\d{2}(?::\d{2})?)?)"
)


def is_xpath(expr: str) -> bool:
    return expr.startswith(("xpath:", "/", "(", "./"))


def select(node: Selector | SelectorList, expr: str) -> SelectorList:
    """Apply one configured selector string."""
    if expr.startswith("xpath:"):
        return node.xpath(expr[len("xpath:") :])
    if expr.startswith("css:"):
        return node.css(expr[len("css:") :])
    return node.xpath(expr) if is_xpath(expr) else node.css(expr)


def first_text(node: Selector | SelectorList, expr: str | None) -> str | None:
    """The first match as clean text: strings as they are, elements flattened to their text."""
    if not expr:
        return None
    found = select(node, expr)
    if not found:
        return None
    value = found[0]
    raw = value.get()
    if raw is None:
        return None
    text = html_to_text(raw) if raw.lstrip().startswith("<") else clean(raw)
    return text or None


def all_text(node: Selector | SelectorList, expr: str) -> str:
    """Every match, flattened and joined by paragraph breaks."""
    parts = []
    for value in select(node, expr):
        raw = value.get() or ""
        parts.append(html_to_text(raw) if raw.lstrip().startswith("<") else clean(raw))
    return "\n".join(p for p in parts if p)


_PAGER_WORDS = {"下一页", "下页", "下一頁", "后页", "next", "next page", "next »", "›", "»", ">", ">>"}


def pager_link(node: Selector) -> str | None:
    """A link that looks like "next page" (`下一页`, `rel=next`, `»` ...) as `text → href`, else None.

    Used only to tell a next-page selector that missed from a last page that has no next page.
    """
    for link in node.xpath("//a[@href]"):
        text = clean(" ".join(link.xpath(".//text()").getall())).lower()
        if text in _PAGER_WORDS or "next" in (link.attrib.get("rel") or "").lower():
            return f"{text or 'rel=next'} → {link.attrib['href']}"
    return None


def clean(text: str) -> str:
    lines = (_SPACES.sub(" ", line).strip() for line in text.replace("\r\n", "\n").split("\n"))
    return _BLANK_LINES.sub("\n", "\n".join(lines)).strip()


def html_to_text(fragment: str) -> str:
    """Text of an HTML fragment; block elements become line breaks, images their alt text."""
    if not fragment or not fragment.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (etree.ParserError, ValueError):
        return clean(re.sub(r"<[^>]+>", " ", fragment))
    for bad in root.xpath(".//script|.//style"):
        bad.drop_tree()
    for img in root.iter("img"):
        img.tail = (img.get("alt") or "") + (img.tail or "")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag in _BLOCK_TAGS:
            element.tail = "\n" + (element.tail or "")
    return clean(root.text_content())


def article(html: str, url: str) -> dict[str, Any]:
    """Title, text, date string and author by trafilatura; empty values when it finds nothing."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(
            html, url=url, with_metadata=True, include_comments=False, include_tables=False
        )
    except Exception as exc:  # trafilatura's failure modes are many; a page it cannot read is skipped
        logger.debug("trafilatura failed on %s: %s", url, exc)
        doc = None
    data = doc.as_dict() if doc is not None and hasattr(doc, "as_dict") else (doc or {})
    return {
        "title": (data.get("title") or "").strip() or None,
        "text": clean(data.get("text") or ""),
        "date": data.get("date"),
        "author": (data.get("author") or "").strip() or None,
    }


def date_in_text(text: str) -> str | None:
    """A labelled date ("发布时间：...") in the first lines of an article, as printed."""
    match = _DATE_IN_TEXT.search(text[:2000])
    return match.group(1) if match else None


def dig(data: Any, path: str | None) -> Any:
    """`a.b.0.c` inside nested dicts and lists; None when any step is missing."""
    if not path:
        return None
    for step in path.split("."):
        if isinstance(data, dict):
            data = data.get(step)
        elif isinstance(data, list) and step.isdigit() and int(step) < len(data):
            data = data[int(step)]
        else:
            return None
        if data is None:
            return None
    return data


def lookup(data: Any, path: str) -> tuple[bool, Any]:
    """(present, value) at `a.b.c`: tells a key that holds null apart from one that is not there."""
    steps = path.split(".")
    for step in steps[:-1]:
        data = dig(data, step)
    if isinstance(data, dict) and steps[-1] in data:
        return True, data[steps[-1]]
    return False, None


def find_key(data: Any, key: str) -> list[dict[str, Any]]:
    """Every dict found under `key` at any depth, in document order (Weibo's cards and card_groups)."""
    found: list[dict[str, Any]] = []
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if isinstance(node.get(key), dict):
                found.append(node[key])
            stack.extend(reversed([v for k, v in node.items() if k != key]))
        elif isinstance(node, list):
            stack.extend(reversed(node))
    return found


def loads_json(text: str) -> Any:
    """JSON, tolerating a JSONP wrapper (`cb({...})`) some mobile APIs answer with."""
    stripped = text.strip()
    if stripped and stripped[0] not in "{[":
        match = re.match(r"^[\w$.]+\s*\((.*)\)\s*;?\s*$", stripped, re.S)
        if match:
            stripped = match.group(1)
    return json.loads(stripped)


def count(value: Any) -> int | None:
    """A displayed count as an int: 42, "3,456", "1.2万" → 12000, "100万+" → 1000000; None if absent."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return max(int(value), 0)
    match = re.search(r"(\d+(?:\.\d+)?)\s*(万|亿|[kKwW])?", str(value).replace(",", ""))
    if not match:
        return None
    scale = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "k": 1000, "K": 1000}.get(
        match.group(2) or "", 1
    )
    return int(float(match.group(1)) * scale)
