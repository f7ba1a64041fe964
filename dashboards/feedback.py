"""`yuqing feedback export`: analysts' corrections and false-alarm marks as tourism-post JSON lines
(models/data/README.md's format), so the next training run can learn from them.

A line is the post's text with the labels as corrected: a field the analyst did not correct keeps the model's
label; a false alarm without a correction of its own means "nothing to act on" (level none, no category).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from elasticsearch import Elasticsearch
from elasticsearch.helpers import scan

from yuqing.es import POSTS
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import CORRECTIONS

STYLES = ("weibo", "douyin", "dianping", "ctrip", "tieba", "news", "notice", "xiaohongshu")


def style_of(source: str) -> str:
    """The platform style a source name points at (`demo_weibo` → weibo); news when nothing matches."""
    low = (source or "").lower()
    return next((s for s in STYLES if s in low), "news")


def feedback_line(post: dict[str, Any], correction: dict[str, Any]) -> dict[str, Any]:
    risk, sentiment = post.get("risk") or {}, post.get("sentiment") or {}
    relevant = (
        correction["relevant"] if correction.get("relevant") is not None else bool(post.get("relevant"))
    )
    level = correction.get("level") or risk.get("level") or "none"
    categories = (
        correction["categories"] if correction.get("categories") is not None else risk.get("categories") or []
    )
    if correction.get("false_alarm") and not correction.get("level"):
        level, categories = "none", []
    spots = correction["spots"] if correction.get("spots") is not None else post.get("spots") or []
    if not relevant:
        level, categories, spots = "none", [], []
    text = "\n".join(t for t in (post.get("title"), post.get("text")) if t)
    return {
        "id": f"fb-{post.get('id')}",
        "text": text,
        "style": style_of(post.get("source", "")),
        "relevant": relevant,
        "spots": spots,
        "sentiment": correction.get("sentiment") or sentiment.get("label") or "neu",
        "categories": categories,
        "level": level,
        "trap": None if relevant else "feedback",
        "split": "train",
    }


def export(es_client: Elasticsearch, es: ElasticsearchSettings) -> Iterator[dict[str, Any]]:
    """One line per corrected post that still exists, in the order the corrections were made."""
    corrections = sorted(
        (
            hit["_source"]
            for hit in scan(es_client, index=es.name(CORRECTIONS), query={"query": {"match_all": {}}})
        ),
        key=lambda c: c.get("at") or "",
    )
    for start in range(0, len(corrections), 500):
        chunk = corrections[start : start + 500]
        resp = es_client.search(
            index=es.name(POSTS),
            query={"ids": {"values": [c["post_id"] for c in chunk]}},
            size=len(chunk),
            source_excludes=["text_seg", "title_seg", "explain"],
            ignore_unavailable=True,
        )
        posts = {h["_id"]: h["_source"] for h in resp["hits"]["hits"]}
        for correction in chunk:
            post = posts.get(correction["post_id"])
            if post is not None:
                yield feedback_line(post, correction)


def dumps(line: dict[str, Any]) -> str:
    return json.dumps(line, ensure_ascii=False)
