"""总体态势 from the posts' aggregations: totals against the previous period, breakdowns by platform, spot,
station, sentiment and level, and the trend (hours of a day, days of a week) by sentiment."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dashboards.reports.links import Scope
from dashboards.reports.model import Figure, Overview, Row, TrendPoint
from dashboards.reports.periods import WEEKDAY_NAMES, Period, buckets
from yuqing.labels import SENTIMENT_NAMES, source_name

POST_LEVEL_NAMES = {"high": "高风险", "medium": "中风险", "low": "低风险", "none": "无风险"}
# breakdown → (search parameter, Chinese name of a key)
BREAKDOWNS: dict[str, tuple[str, Callable[[str], str]]] = {
    "platform": ("source", source_name),
    "spot": ("spot", str),
    "station": ("station", str),
    "sentiment": ("sentiment", lambda k: SENTIMENT_NAMES.get(k, k)),
    "level": ("level", lambda k: POST_LEVEL_NAMES.get(k, k)),
}
ORDER = {"sentiment": ("neg", "neu", "pos"), "level": ("high", "medium", "low", "none")}


def _counts(resp: dict[str, Any], name: str) -> dict[str, int]:
    return {b["key"]: b["doc_count"] for b in resp.get("aggregations", {}).get(name, {}).get("buckets", [])}


def breakdown(
    name: str, now: dict[str, Any], before: dict[str, Any], period: Period, scope: Scope
) -> list[Row]:
    """One breakdown as rows (most posts first; sentiments and levels in their own order)."""
    param, label = BREAKDOWNS[name]
    current, previous = _counts(now, name), _counts(before, name)
    total = now["hits"]["total"]["value"]
    keys = list(ORDER[name]) if name in ORDER else sorted(current, key=lambda k: (-current[k], k))
    if name == "station" and scope.station:
        keys = [k for k in keys if k == scope.station]
    rows = []
    for key in keys:
        if name in ORDER and not current.get(key) and not previous.get(key):
            continue
        p_now = scope.posts(period.start, period.end, **{param: key})
        p_before = scope.posts(period.previous.start, period.previous.end, **{param: key})
        rows.append(
            Row(
                key=key,
                label=label(key),
                now=Figure(count=current.get(key, 0), url=scope.search_url(p_now)),
                before=Figure(count=previous.get(key, 0), url=scope.search_url(p_before)),
                share=current.get(key, 0) / total if total else None,
            )
        )
    return rows


def _bucket_counts(resp: dict[str, Any]) -> dict[int, tuple[int, dict[str, int]]]:
    out: dict[int, tuple[int, dict[str, int]]] = {}
    aggs = resp.get("aggregations", {})
    for part in ("dated", "undated"):
        for b in aggs.get(part, {}).get("t", {}).get("buckets", []):
            total, by = out.get(int(b["key"]), (0, {}))
            for s in b.get("sentiment", {}).get("buckets", []):
                by[s["key"]] = by.get(s["key"], 0) + s["doc_count"]
            out[int(b["key"])] = (total + b["doc_count"], by)
    return out


def bucket_label(period: Period, start) -> str:
    if period.kind == "daily":
        return f"{start:%H}时"
    return f"{start.month}/{start.day} 周{WEEKDAY_NAMES[start.weekday()][-1]}"


def trend(resp: dict[str, Any], period: Period, scope: Scope) -> list[TrendPoint]:
    counts = _bucket_counts(resp)
    points = []
    for start, end in buckets(period):
        total, by = counts.get(int(start.timestamp() * 1000), (0, {}))
        url = scope.search_url(scope.posts(start, end))
        points.append(
            TrendPoint(
                label=bucket_label(period, start),
                start=start,
                end=end,
                total=Figure(count=total, url=url),
                by_sentiment=by,
            )
        )
    return points


def overview(now: dict[str, Any], before: dict[str, Any], period: Period, scope: Scope) -> Overview:
    prev = period.previous
    return Overview(
        total=Figure(
            count=now["hits"]["total"]["value"], url=scope.search_url(scope.posts(period.start, period.end))
        ),
        previous=Figure(
            count=before["hits"]["total"]["value"], url=scope.search_url(scope.posts(prev.start, prev.end))
        ),
        by_platform=breakdown("platform", now, before, period, scope),
        by_spot=breakdown("spot", now, before, period, scope),
        by_station=breakdown("station", now, before, period, scope),
        sentiment=breakdown("sentiment", now, before, period, scope),
        levels=breakdown("level", now, before, period, scope),
        trend=trend(now, period, scope),
    )
