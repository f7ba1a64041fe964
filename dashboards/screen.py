"""The monitoring screen's data: one snapshot built from a few aggregations, sent whole on every update.

Volume is counted by publication time over the last `hours`, in buckets sized to give about 24-48 bars; the
last bucket is the current window. Risk by spot covers the seven spots of the gazetteer even when a spot has
no post. A duty officer's screen counts, lists and alerts on their station's posts only (`station`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from dashboards.search import post_time_filter
from yuqing.es import ALERTS, EVENTS, POSTS
from yuqing.settings import ElasticsearchSettings

LEVELS = ("none", "low", "medium", "high")
LATEST_FIELDS = [
    "id",
    "title",
    "text",
    "spots",
    "risk",
    "published_at",
    "crawled_at",
    "source",
    "jurisdiction",
]
_INTERVALS = ((6, "15m"), (48, "1h"), (24 * 7, "6h"), (24 * 31, "1d"))


def interval_for(hours: int) -> str:
    return next((iv for limit, iv in _INTERVALS if hours <= limit), "7d")


def _levels(buckets: list[dict[str, Any]]) -> dict[str, int]:
    counts = {lv: 0 for lv in LEVELS}
    for b in buckets:
        counts[b["key"]] = b["doc_count"]
    return counts


def station_filter(station: str | None) -> list[dict[str, Any]]:
    """The filter that keeps one station's posts or alerts (none for every station)."""
    return [] if station is None else [{"term": {"jurisdiction": station}}]


def posts_request(hours: int, now: datetime, station: str | None = None) -> dict[str, Any]:
    since = now - timedelta(hours=hours)
    within = [post_time_filter(since, now + timedelta(seconds=1)), *station_filter(station)]
    by_level = {"terms": {"field": "risk.level", "size": 4}}

    def histogram(field: str) -> dict[str, Any]:
        return {
            "date_histogram": {
                "field": field,
                "fixed_interval": interval_for(hours),
                "time_zone": "Asia/Shanghai",
                "min_doc_count": 0,
                "extended_bounds": {"min": since.isoformat(), "max": now.isoformat()},
            },
            "aggs": {"risky": {"filter": {"terms": {"risk.level": ["medium", "high"]}}}},
        }

    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": within}},
        "aggs": {
            "relevant": {
                "filter": {"term": {"relevant": True}},
                "aggs": {
                    "volume": histogram("published_at"),
                    # Undated posts count at their crawl time; the two histograms share bucket keys.
                    "undated": {
                        "filter": {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}},
                        "aggs": {"volume": histogram("crawled_at")},
                    },
                    "sentiment": {"terms": {"field": "sentiment.label", "size": 3}},
                    "levels": by_level,
                    "spots": {"terms": {"field": "spots", "size": 50}, "aggs": {"levels": by_level}},
                    "stations": {
                        "terms": {"field": "jurisdiction", "size": 50},
                        "aggs": {"levels": by_level},
                    },
                    "events": {
                        "terms": {"field": "event_id", "size": 8},
                        "aggs": {
                            "recent": {"filter": post_time_filter(now - timedelta(hours=1))},
                            "peak": {"max": {"field": "risk.score"}},
                        },
                    },
                },
            }
        },
    }


def _merge_volume(dated: list[dict[str, Any]], undated: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = {b["key"]: [b["key_as_string"], b["doc_count"], b["risky"]["doc_count"]] for b in dated}
    for b in undated:
        row = rows.setdefault(b["key"], [b["key_as_string"], 0, 0])
        row[1] += b["doc_count"]
        row[2] += b["risky"]["doc_count"]
    return [{"t": t, "posts": n, "risky": r} for _, (t, n, r) in sorted(rows.items())]


async def snapshot(
    es: AsyncElasticsearch,
    settings: ElasticsearchSettings,
    spots: list[str],
    station: str | None = None,
    hours: int = 24,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    posts_q = es.search(
        index=settings.name(POSTS),
        ignore_unavailable=True,
        allow_no_indices=True,
        **posts_request(hours, now, station),
    )
    latest_q = es.search(
        index=settings.name(POSTS),
        ignore_unavailable=True,
        allow_no_indices=True,
        query={
            "bool": {
                "filter": [
                    {"term": {"relevant": True}},
                    {"terms": {"risk.level": ["high", "medium"]}},
                    *station_filter(station),
                ]
            }
        },
        # The latest seen: an undated post has only its crawl time.
        sort=[{"crawled_at": {"order": "desc"}}],
        size=8,
        source_includes=LATEST_FIELDS,
    )
    alerts_q = es.search(
        index=settings.name(ALERTS),
        ignore_unavailable=True,
        query={"bool": {"filter": station_filter(station)}},
        sort=[{"raised_at": "desc"}],
        size=10,
        source_includes=[
            "id",
            "level",
            "summary",
            "spots",
            "jurisdiction",
            "status",
            "raised_at",
            "similar_count",
        ],
        aggs={"open": {"filter": {"terms": {"status": ["new", "acknowledged"]}}}},
    )
    posts, latest, alerts = await asyncio.gather(posts_q, latest_q, alerts_q)
    rel = posts["aggregations"]["relevant"]
    spot_buckets = {b["key"]: b for b in rel["spots"]["buckets"]}
    event_buckets = rel["events"]["buckets"]
    titles: dict[str, dict[str, Any]] = {}
    if event_buckets:
        got = await es.options(ignore_status=404).mget(
            index=settings.name(EVENTS), ids=[b["key"] for b in event_buckets]
        )
        titles = {d["_id"]: d["_source"] for d in got.get("docs", []) if d.get("found")}
    for hit in latest["hits"]["hits"]:
        hit["_source"]["text"] = (hit["_source"].get("text") or "")[:140]
    return {
        "at": now.isoformat(),
        "hours": hours,
        "interval": interval_for(hours),
        "totals": {
            "posts": posts["hits"]["total"]["value"],
            "relevant": rel["doc_count"],
            "high": _levels(rel["levels"]["buckets"])["high"],
            "medium": _levels(rel["levels"]["buckets"])["medium"],
            "open_alerts": alerts["aggregations"]["open"]["doc_count"],
        },
        "volume": _merge_volume(rel["volume"]["buckets"], rel["undated"]["volume"]["buckets"]),
        "sentiment": {b["key"]: b["doc_count"] for b in rel["sentiment"]["buckets"]},
        "spots": [
            {
                "spot": name,
                "posts": spot_buckets[name]["doc_count"] if name in spot_buckets else 0,
                "levels": _levels(spot_buckets[name]["levels"]["buckets"])
                if name in spot_buckets
                else _levels([]),
            }
            for name in spots
        ],
        "stations": [
            {"station": b["key"], "posts": b["doc_count"], "levels": _levels(b["levels"]["buckets"])}
            for b in rel["stations"]["buckets"]
        ],
        "events": [
            {
                "id": b["key"],
                "posts": b["doc_count"],
                "last_hour": b["recent"]["doc_count"],
                "peak": b["peak"]["value"],
                "title": (titles.get(b["key"]) or {}).get("title") or "",
                "post_count": (titles.get(b["key"]) or {}).get("post_count"),
                "peak_level": (titles.get(b["key"]) or {}).get("peak_level"),
            }
            for b in event_buckets
        ],
        "latest_risky": [h["_source"] for h in latest["hits"]["hits"]],
        "alerts": [h["_source"] for h in alerts["hits"]["hits"]],
    }
