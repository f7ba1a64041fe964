"""The Elasticsearch requests of a report, as bodies (pure: the benchmark sends the same ones straight to
Elasticsearch to time them). Every count filters posts exactly as the search page does (links.params)."""

from __future__ import annotations

from typing import Any

from dashboards.reports.periods import Period
from dashboards.search import SearchParams

BREAKDOWN = {
    "platform": "source",
    "spot": "spots",
    "station": "jurisdiction",
    "sentiment": "sentiment.label",
    "level": "risk.level",
}
TERMS_SIZE = 100
EVENTS_CONSIDERED = 200
SAMPLE_DOCS = 3000


def _histogram(field: str, period: Period) -> dict[str, Any]:
    interval = {"fixed_interval": "1h"} if period.bucket == "1h" else {"calendar_interval": "1d"}
    bounds = {"min": int(period.start.timestamp() * 1000), "max": int(period.end.timestamp() * 1000) - 1}
    return {
        "date_histogram": {
            "field": field,
            "time_zone": "Asia/Shanghai",
            "min_doc_count": 0,
            "extended_bounds": bounds,
            **interval,
        },
        "aggs": {"sentiment": {"terms": {"field": "sentiment.label", "size": 5}}},
    }


def overview_body(base: SearchParams, period: Period, trend: bool = True) -> dict[str, Any]:
    """Totals and breakdowns of the period's posts (`base`: its search); with `trend`, the histogram (a post's
    time is its publication, else its crawl, as in the search) and the events the posts belong to."""
    aggs: dict[str, Any] = {
        name: {"terms": {"field": field, "size": TERMS_SIZE}} for name, field in BREAKDOWN.items()
    }
    if trend:
        aggs["dated"] = {
            "filter": {"exists": {"field": "published_at"}},
            "aggs": {"t": _histogram("published_at", period)},
        }
        aggs["undated"] = {
            "filter": {"bool": {"must_not": [{"exists": {"field": "published_at"}}]}},
            "aggs": {"t": _histogram("crawled_at", period)},
        }
        aggs["events"] = {
            "terms": {"field": "event_id", "size": EVENTS_CONSIDERED},
            "aggs": {
                "platform": {"terms": {"field": "source", "size": 30}},
                "level": {"terms": {"field": "risk.level", "size": 4}},
                "spot": {"terms": {"field": "spots", "size": 3}},
                "station": {"terms": {"field": "jurisdiction", "size": 1}},
            },
        }
    return {
        "size": 0,
        "track_total_hits": True,
        "query": {"bool": {"filter": base.filters()}},
        "aggs": aggs,
    }


def words_body(current: SearchParams, both: SearchParams, size: int) -> dict[str, Any]:
    """Candidate 热点词: significant words of a sample of this period's posts against both periods'."""
    return {
        "size": 0,
        "query": {"bool": {"filter": current.filters()}},
        "aggs": {
            "sample": {
                "sampler": {"shard_size": SAMPLE_DOCS},
                "aggs": {
                    "words": {
                        "significant_text": {
                            "field": "text_seg",
                            "size": size,
                            "min_doc_count": 2,
                            "background_filter": {"bool": {"filter": both.filters()}},
                        }
                    }
                },
            }
        },
    }


def count_body(query: dict[str, Any]) -> dict[str, Any]:
    return {"size": 0, "track_total_hits": True, "query": query}


def alerts_body(period: Period, station: str | None, size: int) -> dict[str, Any]:
    """The alerts raised in the period (at the station)."""
    filters: list[dict[str, Any]] = [
        {"range": {"raised_at": {"gte": period.start.isoformat(), "lt": period.end.isoformat()}}}
    ]
    if station:
        filters.append({"term": {"jurisdiction": station}})
    return {
        "size": size,
        "track_total_hits": True,
        "query": {"bool": {"filter": filters}},
        "sort": [{"raised_at": "asc"}],
        "_source": {"excludes": ["summary_seg", "evidence", "reason", "mailed"]},
    }


def letters_body(period: Period, station: str | None) -> dict[str, Any]:
    """Letters approved or sent in the period (at the station)."""
    span = {"gte": period.start.isoformat(), "lt": period.end.isoformat()}
    filters: list[dict[str, Any]] = [
        {
            "bool": {
                "should": [{"range": {"approved_at": span}}, {"range": {"sent_at": span}}],
                "minimum_should_match": 1,
            }
        }
    ]
    if station:
        filters.append({"term": {"jurisdiction": station}})
    return {"size": 200, "query": {"bool": {"filter": filters}}, "sort": [{"approved_at": "asc"}]}


def event_posts_body(event_id: str, size: int, fields: list[str]) -> dict[str, Any]:
    """An event's posts, the earliest first (a post's time as in the search)."""
    return {
        "size": size,
        "query": {"bool": {"filter": [{"term": {"event_id": event_id}}]}},
        "sort": [
            {"published_at": {"order": "asc", "missing": "_last"}},
            {"crawled_at": "asc"},
            {"id": "asc"},
        ],
        "_source": fields,
    }
