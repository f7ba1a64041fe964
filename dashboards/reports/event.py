"""The 专报 of one event from Elasticsearch: its facts, how it spread over time and across platforms
(posts per 10 minutes by platform, the first post and each platform's earliest), its repost chains and the
accounts that carried it (chains.py), the evidence with links and capture times, its alerts' history and
its letters.

Counts come from aggregations over all its posts (each a search by event id); the chains, the summary and the
evidence read at most CHAIN_POSTS posts, the earliest first, and say so when capped.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from dashboards.alert_timing import parse_time
from dashboards.reports import queries
from dashboards.reports.alerts_part import alert_line, letter_line
from dashboards.reports.chains import carriers, spread
from dashboards.reports.events_part import post_line, summary_lines
from dashboards.reports.links import Scope, post_path
from dashboards.reports.model import (
    AlertHistory,
    Carrier,
    Chain,
    EventReport,
    Figure,
    HistoryLine,
    Row,
    TimelineBucket,
)
from dashboards.reports.source import ReportSource
from yuqing.labels import ALERT_LEVEL_NAMES, source_name
from yuqing.schema import TZ
from yuqing.settings import Settings

CHAIN_POSTS = 5000
EVIDENCE_SHOWN = 8
MAX_BUCKETS = 300  # past this many 10-minute buckets (two days), the timeline widens its step
STEPS_MIN = (10, 30, 60, 180, 360, 1440)
FIELDS = [
    "id",
    "source",
    "source_id",
    "author",
    "text",
    "text_seg",
    "published_at",
    "crawled_at",
    "url",
    "risk.level",
    "risk.score",
    "engagement",
    "parent_id",
    "root_id",
    "thread_id",
]
_TIME_SORT = [{"published_at": {"order": "asc", "missing": "_last"}}, {"crawled_at": "asc"}, {"id": "asc"}]


class EventNotFound(LookupError):
    """No event and no post has this id."""


def _span_body(event_id: str) -> dict[str, Any]:
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"term": {"event_id": event_id}},
        "aggs": {
            "first_pub": {"min": {"field": "published_at"}},
            "last_pub": {"max": {"field": "published_at"}},
            "undated": {
                "filter": {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}},
                "aggs": {"first": {"min": {"field": "crawled_at"}}, "last": {"max": {"field": "crawled_at"}}},
            },
            "platform": {
                "terms": {"field": "source", "size": 50},
                "aggs": {"earliest": {"top_hits": {"size": 1, "sort": _TIME_SORT, "_source": FIELDS}}},
            },
        },
    }


def _ms(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value / 1000, UTC) if value is not None else None


def span(resp: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    a = resp["aggregations"]
    moments = [_ms(a[k].get("value")) for k in ("first_pub", "last_pub")]
    moments += [_ms(a["undated"][k].get("value")) for k in ("first", "last")]
    known = [m for m in moments if m]
    return (min(known), max(known)) if known else (None, None)


def step_minutes(first: datetime | None, last: datetime | None) -> int:
    """10 minutes, unless that makes more than MAX_BUCKETS buckets."""
    minutes = ((last - first).total_seconds() / 60) if first and last else 0
    return next((s for s in STEPS_MIN if minutes / s <= MAX_BUCKETS), STEPS_MIN[-1])


def _timeline_body(event_id: str, first: datetime, last: datetime, step: int) -> dict[str, Any]:
    def histogram(field: str) -> dict[str, Any]:
        bounds = {"min": int(first.timestamp() * 1000), "max": int(last.timestamp() * 1000)}
        return {
            "date_histogram": {
                "field": field,
                "fixed_interval": f"{step}m",
                "time_zone": "Asia/Shanghai",
                "min_doc_count": 0,
                "extended_bounds": bounds,
            },
            "aggs": {"platform": {"terms": {"field": "source", "size": 50}}},
        }

    return {
        "size": 0,
        "query": {"term": {"event_id": event_id}},
        "aggs": {
            "dated": {
                "filter": {"exists": {"field": "published_at"}},
                "aggs": {"t": histogram("published_at")},
            },
            "undated": {
                "filter": {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}},
                "aggs": {"t": histogram("crawled_at")},
            },
        },
    }


def timeline(resp: dict[str, Any], event_id: str, step: int, scope: Scope) -> list[TimelineBucket]:
    merged: dict[int, dict[str, int]] = {}
    for part in ("dated", "undated"):
        for b in resp["aggregations"][part]["t"]["buckets"]:
            into = merged.setdefault(int(b["key"]), {})
            for p in b["platform"]["buckets"]:
                into[p["key"]] = into.get(p["key"], 0) + p["doc_count"]
    out = []
    for key in sorted(merged):
        start = datetime.fromtimestamp(key / 1000, TZ)
        p = scope.posts(start, start + timedelta(minutes=step), event_id=event_id, relevant="any")
        total = sum(merged[key].values())
        out.append(
            TimelineBucket(
                start=start, total=Figure(count=total, url=scope.search_url(p)), by_source=merged[key]
            )
        )
    return out


def history(alert: dict[str, Any]) -> list[HistoryLine]:
    """The stream's entries (raised, mailed, escalated, spread…) and the duty room's (签收, 办结), in
    order."""
    lines = []
    for entry in alert.get("history") or []:
        what = {
            "raised": "预警生成",
            "mailed": "预警邮件已送达值班民警",
            "update": "发送续报",
            "reported_resolved": "信息源报告已处置",
        }.get(entry.get("what"), entry.get("what") or "")
        if entry.get("what") == "escalated":
            before = ALERT_LEVEL_NAMES.get(entry.get("before"), entry.get("before"))
            what = f"预警升级：{before} → {ALERT_LEVEL_NAMES.get(entry.get('level'), entry.get('level'))}"
        elif entry.get("what") == "spread":
            what = "扩散到新平台：" + "、".join(source_name(s) for s in entry.get("platforms") or [])
        if entry.get("size"):
            what += f"（事件 {entry['size']} 条）"
        lines.append(HistoryLine(at=parse_time(entry.get("at")), what=what))
    if alert.get("acknowledged_at"):
        lines.append(
            HistoryLine(at=parse_time(alert["acknowledged_at"]), what="签收", by=alert.get("acknowledged_by"))
        )
    if alert.get("resolved_at"):
        verb = "办结" if alert.get("status") == "resolved" else "标记为误报"
        note = f"：{alert['note']}" if alert.get("note") else ""
        lines.append(
            HistoryLine(at=parse_time(alert["resolved_at"]), what=verb + note, by=alert.get("resolved_by"))
        )
    return sorted(lines, key=lambda h: h.at or datetime.min.replace(tzinfo=UTC))


def _time(post: dict[str, Any]) -> datetime:
    return parse_time(post.get("published_at") or post.get("crawled_at")) or datetime.max.replace(tzinfo=UTC)


async def build_event_report(
    es: AsyncElasticsearch, settings: Settings, event_id: str, notes: str = "", now: datetime | None = None
) -> EventReport:
    """The 专报 of `event_id`; EventNotFound when neither the event nor any post has that id."""
    now = now or datetime.now(UTC)
    scope = Scope(settings.web.public_url)
    src = ReportSource(es, settings.es)
    doc, span_resp, posts_resp, risky, alerts, letters = await asyncio.gather(
        src.event(event_id),
        src.search(src.posts, _span_body(event_id)),
        src.search(src.posts, queries.event_posts_body(event_id, CHAIN_POSTS, FIELDS)),
        src.search(
            src.posts,
            {
                "size": EVIDENCE_SHOWN,
                "query": {"term": {"event_id": event_id}},
                "sort": [{"risk.score": "desc"}, *_TIME_SORT],
                "_source": FIELDS,
            },
        ),
        src.alerts_of_events([event_id]),
        src.letters_of_event(event_id),
    )
    total = span_resp["hits"]["total"]["value"]
    if doc is None and total == 0:
        raise EventNotFound(event_id)
    doc = doc or {}
    first, last = span(span_resp) if total else (None, None)
    step = step_minutes(first, last)
    buckets: list[TimelineBucket] = []
    if first and last:
        resp = await src.search(src.posts, _timeline_body(event_id, first, last, step))
        buckets = timeline(resp, event_id, step, scope)
    posts = sorted((h["_source"] for h in posts_resp["hits"]["hits"]), key=_time)
    platform_buckets = span_resp["aggregations"]["platform"]["buckets"] if total else []
    earliest = sorted((b["earliest"]["hits"]["hits"][0]["_source"] for b in platform_buckets), key=_time)
    s = spread(posts)
    by_id = {p["id"]: p for p in posts}
    wanted = [
        doc.get("evidence_post_id"),
        doc.get("first_post_id"),
        *((a.get("evidence") or {}).get("post_id") for a in alerts),
        *(h["_source"]["id"] for h in risky["hits"]["hits"]),
    ]
    for h in risky["hits"]["hits"]:
        by_id.setdefault(h["_source"]["id"], h["_source"])
    evidence = [by_id[i] for i in dict.fromkeys(w for w in wanted if w) if i in by_id][:EVIDENCE_SHOWN]
    everything = scope.posts(None, None, event_id=event_id, relevant="any")
    title = doc.get("title") or (posts[0].get("text", "")[:60] if posts else event_id)
    return EventReport(
        id=f"event-{event_id}",
        event_id=event_id,
        title=f"涉旅网络舆情专报：{title}",
        level=doc.get("peak_level") or max((p.get("risk") or {}).get("level", "none") for p in posts),
        status=doc.get("status"),
        spots=doc.get("spots") or [],
        station=doc.get("jurisdiction"),
        categories=doc.get("categories") or [],
        first_seen=parse_time(doc.get("first_seen")) or first,
        last_seen=parse_time(doc.get("last_seen")) or last,
        generated_at=now,
        base_url=scope.base_url,
        total=Figure(count=total, url=scope.search_url(everything)),
        platforms=[
            Row(
                key=b["key"],
                label=source_name(b["key"]),
                share=b["doc_count"] / total,
                now=Figure(
                    count=b["doc_count"],
                    url=scope.search_url(
                        scope.posts(None, None, event_id=event_id, source=b["key"], relevant="any")
                    ),
                ),
            )
            for b in platform_buckets
        ],
        interval_min=step,
        timeline=buckets,
        first_post=post_line(posts[0], scope, 200) if posts else None,
        earliest=[post_line(p, scope, 120) for p in earliest],
        chain=Chain(
            depth=s.depth,
            linked=s.linked,
            roots=s.roots,
            analysed=len(posts),
            capped=total > len(posts),
            carriers=[Carrier(page=scope.url(post_path(c.pop("post_id"))), **c) for c in carriers(posts, s)],
        ),
        evidence=[post_line(p, scope, 200) for p in evidence],
        summary=summary_lines(posts[:200], scope),
        alerts=[AlertHistory(alert=alert_line(a, now, scope), lines=history(a)) for a in alerts],
        letters=[letter_line(x, scope) for x in letters],
        notes=notes,
    )
