"""The monitoring screen's data: one snapshot built from a few aggregations, sent whole on every update.

Volume is counted by publication time over the last `hours`, in buckets sized to give about 24-48 bars; the
last bucket is the current window. Risk by spot covers the seven spots of the gazetteer even when a spot has
no post. A duty officer's screen counts, lists and alerts on their station's posts only (`station`).

A spot's colour (`spot_level`) weighs severity AND recency, so one high post 20 hours ago does not paint a
spot red for the rest of the day:

    high   (red)    an open (new or acknowledged) high alert on the spot, or a high post in the last 2 h
    medium (amber)  an open medium alert, a high post in the last 24 h, or a medium post in the last 6 h
    low    (blue)   any other medium, high or low post in the screen's window
    none            nothing to act on

A post's time is its publication time, else (undated) its first sighting. The feeds are sorted by that same
time, the one they show.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
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
HIGH_FRESH = timedelta(hours=2)  # a high post this recent paints its spot red
HIGH_WARM = timedelta(hours=24)  # ... amber after that, for a day
MEDIUM_FRESH = timedelta(hours=6)  # a medium post this recent paints its spot amber
OPEN = ["new", "acknowledged"]
LATEST = 8  # items in the risky-post feed
FUTURE_SLACK = timedelta(minutes=5)  # a publication time further ahead is a source's wrong clock


def spot_level(now: datetime, last: dict[str, datetime | None], open_alerts: Iterable[str] = ()) -> str:
    """A spot's colour on the wall from the time of its latest post per risk level (within the window; None
    when there is none) and the levels of its open alerts: see the module's docstring."""
    alerts = set(open_alerts)

    def within(level: str, age: timedelta | None) -> bool:
        at = last.get(level)
        return at is not None and (age is None or now - at <= age)

    if "high" in alerts or within("high", HIGH_FRESH):
        return "high"
    if "medium" in alerts or within("high", HIGH_WARM) or within("medium", MEDIUM_FRESH):
        return "medium"
    if within("high", None) or within("medium", None) or within("low", None):
        return "low"
    return "none"


def _ms(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value / 1000, UTC)


def _last_by_level(buckets: list[dict[str, Any]]) -> dict[str, datetime | None]:
    """The newest post per level: its publication time, or its crawl time when it has none."""
    last: dict[str, datetime | None] = {lv: None for lv in LEVELS}
    for b in buckets:
        times = [t for t in (_ms(b["last"]["value"]), _ms(b["undated"]["last"]["value"])) if t is not None]
        last[b["key"]] = max(times) if times else None
    return last


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
    undated = {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}}
    by_level_last = {
        **by_level,
        "aggs": {
            "last": {"max": {"field": "published_at"}},
            "undated": {"filter": undated, "aggs": {"last": {"max": {"field": "crawled_at"}}}},
        },
    }

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
                    "undated": {"filter": undated, "aggs": {"volume": histogram("crawled_at")}},
                    "sentiment": {"terms": {"field": "sentiment.label", "size": 3}},
                    "levels": by_level,
                    "spots": {"terms": {"field": "spots", "size": 50}, "aggs": {"levels": by_level_last}},
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


def _risky(station: str | None, *extra: dict[str, Any]) -> dict[str, Any]:
    return {
        "bool": {
            "filter": [
                {"term": {"relevant": True}},
                {"terms": {"risk.level": ["high", "medium"]}},
                *station_filter(station),
                *extra,
            ]
        }
    }


def post_time(post: dict[str, Any]) -> str | None:
    """The time a post is shown and sorted by: published, else first seen."""
    return post.get("published_at") or post.get("crawled_at")


def merge_latest(dated: list[dict[str, Any]], undated: list[dict[str, Any]], size: int = LATEST):
    """Dated and undated risky posts in one list, newest first by the time each shows."""
    rows = [{**p, "shown_at": post_time(p), "dated": bool(p.get("published_at"))} for p in dated + undated]
    rows.sort(key=lambda p: _parse(p["shown_at"]), reverse=True)
    return rows[:size]


def _parse(value: str | None) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return datetime.min.replace(tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


async def snapshot(
    es: AsyncElasticsearch,
    settings: ElasticsearchSettings,
    spots: list[str],
    station: str | None = None,
    hours: int = 24,
    now: datetime | None = None,
) -> dict[str, Any]:
    now = now or datetime.now(UTC)
    posts_index = {"index": settings.name(POSTS), "ignore_unavailable": True, "allow_no_indices": True}
    posts_q = es.search(**posts_index, **posts_request(hours, now, station))
    # The feed is sorted by the time it shows: publication time (a clock set in the future is left out),
    # and undated posts by their crawl time, merged below.
    dated_q = es.search(
        **posts_index,
        query=_risky(station, {"range": {"published_at": {"lte": (now + FUTURE_SLACK).isoformat()}}}),
        sort=[{"published_at": {"order": "desc"}}],
        size=LATEST,
        source_includes=LATEST_FIELDS,
    )
    undated_q = es.search(
        **posts_index,
        query=_risky(station, {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}}),
        sort=[{"crawled_at": {"order": "desc"}}],
        size=LATEST,
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
        aggs={
            "open": {
                "filter": {"terms": {"status": OPEN}},
                "aggs": {
                    "spots": {
                        "terms": {"field": "spots", "size": 50},
                        "aggs": {"levels": {"terms": {"field": "level", "size": 4}}},
                    }
                },
            }
        },
    )
    posts, dated, undated, alerts = await asyncio.gather(posts_q, dated_q, undated_q, alerts_q)
    rel = posts["aggregations"]["relevant"]
    spot_buckets = {b["key"]: b for b in rel["spots"]["buckets"]}
    open_by_spot = {
        b["key"]: [lv["key"] for lv in b["levels"]["buckets"]]
        for b in alerts["aggregations"]["open"]["spots"]["buckets"]
    }
    event_buckets = rel["events"]["buckets"]
    titles: dict[str, dict[str, Any]] = {}
    if event_buckets:
        got = await es.options(ignore_status=404).mget(
            index=settings.name(EVENTS), ids=[b["key"] for b in event_buckets]
        )
        titles = {d["_id"]: d["_source"] for d in got.get("docs", []) if d.get("found")}
    latest = merge_latest(
        [h["_source"] for h in dated["hits"]["hits"]], [h["_source"] for h in undated["hits"]["hits"]]
    )
    for post in latest:
        post["text"] = (post.get("text") or "")[:140]

    def spot_row(name: str) -> dict[str, Any]:
        bucket = spot_buckets.get(name)
        levels = _levels(bucket["levels"]["buckets"]) if bucket else _levels([])
        last = _last_by_level(bucket["levels"]["buckets"]) if bucket else {lv: None for lv in LEVELS}
        open_alerts = open_by_spot.get(name, [])
        return {
            "spot": name,
            "posts": bucket["doc_count"] if bucket else 0,
            "levels": levels,
            "level": spot_level(now, last, open_alerts),
            "last": {lv: t.isoformat() for lv, t in last.items() if t is not None},
            "open_alerts": sorted(open_alerts),
        }

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
        "spots": [spot_row(name) for name in spots],
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
                "first_post_id": (titles.get(b["key"]) or {}).get("first_post_id"),
            }
            for b in event_buckets
        ],
        "latest_risky": latest,
        "alerts": [h["_source"] for h in alerts["hits"]["hits"]],
    }


class ScreenFeed:
    """The screen's snapshots for one app (its client, index names and spots held once, not by the routes)."""

    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings, spots: list[str]) -> None:
        self.es, self.settings, self.spots = es, settings, spots

    async def snapshot(self, station: str | None = None, hours: int = 24) -> dict[str, Any]:
        return await snapshot(self.es, self.settings, self.spots, station, hours)
