"""重点事件: the period's events by risk, then reach (posts this period), each with its facts, platforms, a
three-line summary (summary.py) and its alerts' state in the console."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from dashboards.alert_timing import parse_time
from dashboards.reports.alerts_part import alert_line
from dashboards.reports.links import Scope, post_path
from dashboards.reports.model import EventItem, Figure, PostLine, Row
from dashboards.reports.periods import Period
from dashboards.reports.summary import central, excerpt
from yuqing.labels import source_name

TOP_EVENTS = 8
LEVEL_RANK = {"high": 3, "medium": 2, "low": 1}
POST_FIELDS = [
    "id",
    "source",
    "author",
    "text",
    "text_seg",
    "published_at",
    "crawled_at",
    "url",
    "risk.level",
]
SUMMARY_POSTS = 200


def _keys(bucket: dict[str, Any], name: str) -> list[str]:
    return [b["key"] for b in bucket.get(name, {}).get("buckets", [])]


def level_of(bucket: dict[str, Any], doc: dict[str, Any] | None) -> str:
    """The event's peak level (its document's, else the highest among this period's posts)."""
    if doc and doc.get("peak_level"):
        return doc["peak_level"]
    levels = _keys(bucket, "level")
    return max(levels, key=lambda k: LEVEL_RANK.get(k, 0)) if levels else "none"


def ranked(buckets: list[dict[str, Any]], docs: dict[str, dict[str, Any]], top: int = TOP_EVENTS):
    """The events worth a line: a risk level of low or more, highest level first, then most posts."""
    worth = [b for b in buckets if LEVEL_RANK.get(level_of(b, docs.get(b["key"])), 0) > 0]
    worth.sort(key=lambda b: (-LEVEL_RANK[level_of(b, docs.get(b["key"]))], -b["doc_count"], b["key"]))
    return worth[:top]


def post_line(post: dict[str, Any], scope: Scope, chars: int = 90) -> PostLine:
    return PostLine(
        post_id=post["id"],
        source=post.get("source") or "",
        author=post.get("author"),
        text=excerpt(post.get("text") or "", chars),
        published_at=parse_time(post.get("published_at")),
        crawled_at=parse_time(post.get("crawled_at")),
        url=post.get("url"),
        page=scope.url(post_path(post["id"])),
        level=(post.get("risk") or {}).get("level"),
    )


def summary_lines(posts: list[dict[str, Any]], scope: Scope) -> list[PostLine]:
    chosen = central([p.get("text_seg") or p.get("text") or "" for p in posts])
    return [post_line(posts[i], scope) for i in chosen]


def event_item(
    bucket: dict[str, Any],
    doc: dict[str, Any] | None,
    total: int,
    posts: list[dict[str, Any]],
    alerts: list[dict[str, Any]],
    period: Period,
    scope: Scope,
    now: datetime,
) -> EventItem:
    event_id = bucket["key"]
    doc = doc or {}
    first = posts[0] if posts else {}
    period_search = scope.posts(period.start, period.end, event_id=event_id)
    all_search = scope.posts(None, None, event_id=event_id, relevant="any")
    platforms = [
        Row(
            key=b["key"],
            label=source_name(b["key"]),
            now=Figure(
                count=b["doc_count"],
                url=scope.search_url(
                    scope.posts(period.start, period.end, event_id=event_id, source=b["key"])
                ),
            ),
        )
        for b in bucket.get("platform", {}).get("buckets", [])
    ]
    return EventItem(
        id=event_id,
        title=doc.get("title") or excerpt(first.get("text") or event_id, 40),
        level=level_of(bucket, doc),
        status=doc.get("status"),
        spots=doc.get("spots") or _keys(bucket, "spot"),
        station=doc.get("jurisdiction") or next(iter(_keys(bucket, "station")), None),
        first_seen=parse_time(doc.get("first_seen"))
        or parse_time(first.get("published_at") or first.get("crawled_at")),
        last_seen=parse_time(doc.get("last_seen")),
        in_period=Figure(count=bucket["doc_count"], url=scope.search_url(period_search)),
        total=Figure(count=total, url=scope.search_url(all_search)),
        platforms=platforms,
        summary=summary_lines(posts, scope),
        alerts=[alert_line(a, now, scope) for a in alerts if a.get("event_id") == event_id],
        report_url=scope.url(f"/reports/event/{event_id}"),
    )
