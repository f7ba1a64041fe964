"""The 舆情日报 and 周报 from Elasticsearch: two rounds of requests (the period's aggregations, then the
counts and posts they call for), assembled into a `Report`.

Round one: the period's and the previous period's aggregations and the candidate 热点词 (one msearch), the
alerts raised and the letters approved or sent. Round two: an exact search count for each candidate word in
both periods, each top event's count and posts (for its summary), and its alerts.
"""

from __future__ import annotations

import asyncio
import hashlib
from datetime import UTC, date, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from dashboards.query import QueryError
from dashboards.reports import queries, words
from dashboards.reports.alerts_part import alerts_section
from dashboards.reports.events_part import POST_FIELDS, SUMMARY_POSTS, event_item, ranked
from dashboards.reports.links import Scope, query
from dashboards.reports.model import Figure, Report, Word
from dashboards.reports.overview import overview
from dashboards.reports.periods import KIND_NAMES, Kind, Period, period_for
from dashboards.reports.source import ReportSource
from yuqing.settings import Settings

CITY_TITLE = "弥勒市涉旅网络舆情"
ALERTS_READ = 10_000


def report_id(kind: str, period: Period, station: str | None) -> str:
    """daily-20261206, weekly-2026W49; a station's report adds a short hash of its name."""
    base = f"{kind}-{period.key}"
    return f"{base}-{hashlib.sha1(station.encode()).hexdigest()[:8]}" if station else base


def title(kind: str, station: str | None) -> str:
    return f"{CITY_TITLE}{KIND_NAMES[kind]}" + (f"（{station}）" if station else "")


async def _words(src: ReportSource, resp: dict[str, Any], period: Period, scope: Scope) -> list[Word]:
    buckets = resp.get("aggregations", {}).get("sample", {}).get("words", {}).get("buckets", [])
    pairs = []
    for word in words.candidates(b["key"] for b in buckets):
        try:
            now = scope.posts(period.start, period.end, q=word)
            before = scope.posts(period.previous.start, period.previous.end, q=word)
            pairs.append((word, now, before, query(now), query(before)))
        except QueryError:
            continue
    counts = await src.counts([q for *_, qn, qb in pairs for q in (qn, qb)])
    by_word = {w: (counts[2 * i], counts[2 * i + 1]) for i, (w, *_) in enumerate(pairs)}
    params = {w: (now, before) for w, now, before, *_ in pairs}
    return [
        Word(
            word=w,
            now=Figure(count=n, url=scope.search_url(params[w][0])),
            before=Figure(count=b, url=scope.search_url(params[w][1])),
            score=round(score, 3),
        )
        for w, n, b, score in words.rising(by_word)
    ]


async def _events(src: ReportSource, resp: dict[str, Any], period: Period, scope: Scope, now: datetime):
    buckets = resp.get("aggregations", {}).get("events", {}).get("buckets", [])
    docs = await src.events_by_id([b["key"] for b in buckets])
    top = ranked(buckets, docs)
    ids = [b["key"] for b in top]
    totals, posts, alerts = await asyncio.gather(
        src.counts([query(scope.posts(None, None, event_id=i, relevant="any")) for i in ids]),
        src.msearch(src.posts, [queries.event_posts_body(i, SUMMARY_POSTS, POST_FIELDS) for i in ids]),
        src.alerts_of_events(ids),
    )
    return [
        event_item(
            b,
            docs.get(b["key"]),
            totals[i],
            [h["_source"] for h in posts[i]["hits"]["hits"]],
            alerts,
            period,
            scope,
            now,
        )
        for i, b in enumerate(top)
    ]


async def build_report(
    es: AsyncElasticsearch,
    settings: Settings,
    kind: Kind,
    day: date | None = None,
    station: str | None = None,
    notes: str = "",
    now: datetime | None = None,
) -> Report:
    """The report of `day` (or the week holding it; default: the last complete one) for the city or one
    station."""
    now = now or datetime.now(UTC)
    period = period_for(kind, day, now)
    scope = Scope(settings.web.public_url, station)
    src = ReportSource(es, settings.es)
    prev = period.previous
    current = scope.posts(period.start, period.end)
    both = scope.posts(prev.start, period.end)
    (now_resp, before_resp, words_resp), alerts_resp, letters_resp = await asyncio.gather(
        src.msearch(
            src.posts,
            [
                queries.overview_body(current, period),
                queries.overview_body(scope.posts(prev.start, prev.end), prev, trend=False),
                queries.words_body(current, both, words.CANDIDATES * 2),
            ],
        ),
        src.search(src.alerts, queries.alerts_body(period, station, ALERTS_READ)),
        src.search(src.letters, queries.letters_body(period, station)),
    )
    hot, events = await asyncio.gather(
        _words(src, words_resp, period, scope), _events(src, now_resp, period, scope, now)
    )
    alerts = [h["_source"] for h in alerts_resp["hits"]["hits"]]
    letters = [h["_source"] for h in letters_resp["hits"]["hits"]]
    return Report(
        id=report_id(kind, period, station),
        kind=kind,
        title=title(kind, station),
        period_label=period.label,
        start=period.start,
        end=period.end,
        previous_start=prev.start,
        station=station,
        generated_at=now,
        base_url=scope.base_url,
        overview=overview(now_resp, before_resp, period, scope),
        events=events,
        alerts=alerts_section(alerts, letters, period, scope, now),
        words=hot,
        notes=notes,
    )
