"""Search words marked in a post's title and text, server-side: the text is split at the matches and every
piece escaped, so neither the crawled text nor the query can bring HTML of its own; only our `<mark>` is."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

MAX_WORDS = 30


def mark(text: str | None, words: list[str]) -> Markup:
    """`text` escaped, with each (case-insensitive) occurrence of any of `words` in `<mark>`."""
    text = text or ""
    words = sorted({w for w in words[:MAX_WORDS] if w and w.strip()}, key=len, reverse=True)
    if not words or not text:
        return escape(text)
    # Longest first, so a phrase wins over the words inside it; matched on the raw text, never the escaped.
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, pos = [], 0
    for found in pattern.finditer(text):
        out.append(escape(text[pos : found.start()]))
        out.append(Markup("<mark>%s</mark>") % found.group(0))
        pos = found.end()
    out.append(escape(text[pos:]))
    return Markup("").join(out)
