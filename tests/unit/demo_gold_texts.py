"""The text each demo-site post is scored as, by its gold label's `ref` ("<list>:<id>"; forum posts
"FORUM:<tid>#<n>", n = 0 the opening post; live posts "WEIBO_LIVE:<n>"): what the crawlers deliver of it —
title and body, markup gone, a forum reply with its thread's title and opening post as its context."""

from __future__ import annotations

import re

from devtools.demo import content

_TAG = re.compile(r"<[^>]+>")


def demo_texts() -> dict[str, dict[str, str | None]]:
    out: dict[str, dict[str, str | None]] = {}
    for item in content.NEWS:
        out[f"NEWS:{item['id']}"] = {"title": item["title"], "text": "\n".join(item["body"]), "context": None}
    for item in content.RSS:
        out[f"RSS:{item['id']}"] = {"title": item["title"], "text": item["body"], "context": None}
    for item in content.WEIBO:
        out[f"WEIBO:{item['id']}"] = {"title": None, "text": _TAG.sub("", item["text"]), "context": None}
    for n, item in enumerate(content.WEIBO_LIVE):
        out[f"WEIBO_LIVE:{n}"] = {"title": None, "text": item["text"], "context": None}
    for thread in content.FORUM:
        opening = thread["replies"][0][2]
        for n, (_, _, text) in enumerate(thread["replies"]):
            ref = f"FORUM:{thread['tid']}#{n}"
            out[ref] = {"title": thread["title"], "text": text, "context": opening if n else None}
    return out
