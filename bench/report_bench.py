"""The daily report over a day of 100,000 posts (PDF included), beside the time of the raw Elasticsearch
requests it runs (the same requests sent straight to Elasticsearch, one after another).

Posts are the labelled tourism set (models/data/tourism_posts.jsonl) repeated with new ids: 100,000 in the
reported day and 20,000 in the day before (for the changes and the rising words), in 3,000 events (the first
500 with an event document), with 400 alerts and their acknowledgement times; indexed under their own prefix
(`bench-report-`, removed afterwards). The report is built three times after one warm-up; the median is
printed; the shards' request cache is cleared before each build and each replay (a report is made once a
day, never from a warm cache). Target (issue 23): ≤ 20 s for the report with its PDF.
YUQING_BENCH_REPORT_POSTS changes the size
(default 100,000; --quick: 5,000).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import time
from datetime import datetime, timedelta
from typing import Any

from bench.web_bench import SCORES, SPOT_STATION

TARGET_S = 20.0
EVENTS, EVENT_DOCS, ALERTS = 3000, 500, 400
RUNS = 3


def _posts(n: int, start: datetime, seconds: float, offset: int, rng: random.Random) -> list[dict[str, Any]]:
    from models.training.corpus import load_tourism
    from yuqing.segment import segment

    rows = [r for split in load_tourism().values() for r in split]
    seg = _posts.__dict__.setdefault("seg", {})
    docs = []
    for j in range(n):
        i = offset + j
        row = rows[i % len(rows)]
        if row["id"] not in seg:
            seg[row["id"]] = segment(row["text"])
        at = (start + timedelta(seconds=rng.uniform(0, seconds))).isoformat()
        spots = row["spots"]
        docs.append(
            {
                "id": f"bench:{i}",
                "source": row["style"],
                "source_id": str(i),
                "url": f"https://bench.example/{i}",
                "author": f"user{i % 997}",
                "title": None,
                "text": row["text"],
                "text_seg": seg[row["id"]],
                "title_seg": None,
                "published_at": at,
                "crawled_at": at,
                "relevant": row["relevant"],
                "spots": spots,
                "jurisdiction": SPOT_STATION.get(spots[0], "旅游警察大队") if spots else None,
                "sentiment": {"label": row["sentiment"], "score": 0.8},
                "risk": {
                    "level": row["level"],
                    "score": SCORES[row["level"]],
                    "categories": row["categories"],
                },
                "event_id": f"bench-ev-{i % EVENTS}",
                "explain": {},
                "extras": {},
                "parent_id": str(i - EVENTS) if i >= EVENTS and i % 3 == 0 else None,
                "engagement": {"reposts": i % 50, "comments": i % 7, "likes": i % 100, "views": 0},
            }
        )
    return docs


def _alerts(start: datetime, rng: random.Random) -> list[dict[str, Any]]:
    out = []
    for i in range(ALERTS):
        raised = start + timedelta(seconds=rng.uniform(0, 86_000))
        ack = raised + timedelta(seconds=rng.choice((20, 45, 90, 200, 400)))
        out.append(
            {
                "id": f"bench-alert-{i}",
                "rule": "high_risk_post",
                "rule_type": "level",
                "level": ("high", "medium", "low")[i % 3],
                "event_id": f"bench-ev-{i}",
                "summary": f"基准预警 {i}",
                "jurisdiction": list(SPOT_STATION.values())[i % 7],
                "raised_at": raised.isoformat(),
                "status": "acknowledged",
                "acknowledged_at": ack.isoformat(),
                "acknowledged_by": "值班民警",
            }
        )
    return out


def _events(docs: list[dict[str, Any]], start: datetime) -> list[dict[str, Any]]:
    return [
        {
            "id": f"bench-ev-{i}",
            "first_post_id": f"bench:{i}",
            "title": docs[i]["text"][:60],
            "first_seen": start.isoformat(),
            "last_seen": (start + timedelta(hours=20)).isoformat(),
            "post_count": 30,
            "peak_level": docs[i]["risk"]["level"],
            "peak_score": docs[i]["risk"]["score"],
            "spots": docs[i]["spots"],
            "jurisdiction": docs[i]["jurisdiction"],
            "status": "open",
        }
        for i in range(EVENT_DOCS)
    ]


class Recorder:
    """The report's Elasticsearch client, recording each search it sends (to replay them straight)."""

    def __init__(self, es) -> None:
        self.es, self.calls = es, []

    def __getattr__(self, name: str):
        return getattr(self.es, name)

    async def search(self, **kwargs):
        self.calls.append(("search", kwargs))
        return await self.es.search(**kwargs)

    async def msearch(self, **kwargs):
        self.calls.append(("msearch", kwargs))
        return await self.es.msearch(**kwargs)

    async def mget(self, **kwargs):
        self.calls.append(("mget", kwargs))
        return await self.es.mget(**kwargs)


async def _measure(settings, day) -> dict[str, list[float]]:
    from dashboards.pdf import print_pdf, require_cjk_font
    from dashboards.reports.build import build_report
    from dashboards.reports.render import render_report
    from yuqing import es as es_setup

    require_cjk_font()
    es = es_setup.async_client(settings.es)
    out: dict[str, list[float]] = {"build": [], "html": [], "pdf": [], "total": [], "raw": [], "requests": []}
    try:
        for run in range(RUNS + 1):
            recorder = Recorder(es)
            # A report is made once a day: its aggregations must not come from the request cache.
            await es.indices.clear_cache(index=settings.es.name("*"), request=True)
            t0 = time.perf_counter()
            report = await build_report(recorder, settings, "daily", day)
            t1 = time.perf_counter()
            html = render_report(report)
            t2 = time.perf_counter()
            await print_pdf(settings.web.chromium, html)
            t3 = time.perf_counter()
            await es.indices.clear_cache(index=settings.es.name("*"), request=True)
            t = time.perf_counter()
            for kind, kwargs in recorder.calls:
                await getattr(es, kind)(**kwargs)
            raw = time.perf_counter() - t
            if run == 0:  # warm-up: jieba's dictionary, Elasticsearch's caches, Chromium's first start
                out["cold"] = [t3 - t0]
                continue
            for key, value in (
                ("build", t1 - t0),
                ("html", t2 - t1),
                ("pdf", t3 - t2),
                ("total", t3 - t0),
                ("raw", raw),
                ("requests", len(recorder.calls)),
            ):
                out[key].append(value)
        out["posts"] = [report.overview.total.count]
        out["events"], out["words"] = [len(report.events)], [len(report.words)]
        out["alerts"] = [report.alerts.total.count]
    finally:
        await es.close()
    return out


def main(quick: bool = False) -> None:
    from elasticsearch.helpers import bulk

    from dashboards.reports.periods import mile_midnight, mile_today
    from yuqing import es as es_setup
    from yuqing.settings import ElasticsearchSettings, get_settings

    n = int(os.environ.get("YUQING_BENCH_REPORT_POSTS", 5_000 if quick else 100_000))
    base = get_settings()
    es_settings = ElasticsearchSettings(**{**base.es.model_dump(), "index_prefix": "bench-report-"})
    settings = base.model_copy(update={"es": es_settings})
    day = mile_today() - timedelta(days=1)
    start = mile_midnight(day)
    rng = random.Random(2026)
    client = es_setup.client(es_settings)
    try:
        es_setup.delete_prefixed(client, es_settings)
        es_setup.ensure_indices(client, es_settings)
        t = time.perf_counter()
        docs = _posts(n, start, 86_399, 0, rng) + _posts(n // 5, start - timedelta(days=1), 86_399, n, rng)
        built = time.perf_counter() - t
        t = time.perf_counter()
        index = lambda d: es_setup.posts_index(es_settings, datetime.fromisoformat(d["published_at"]))  # noqa: E731
        actions = [{"_index": index(d), "_id": d["id"], "_source": d} for d in docs]
        actions += [
            {"_index": es_settings.name("alerts"), "_id": a["id"], "_source": a} for a in _alerts(start, rng)
        ]
        actions += [
            {"_index": es_settings.name("events"), "_id": e["id"], "_source": e} for e in _events(docs, start)
        ]
        bulk(client, actions, chunk_size=2000, request_timeout=300)
        client.indices.refresh(index=es_settings.name("*"))
        print(
            f"  {len(docs):,} posts ({n:,} in the day) built in {built:.1f} s, indexed in "
            f"{time.perf_counter() - t:.1f} s",
            flush=True,
        )
        figures = asyncio.run(_measure(settings, day))
    finally:
        es_setup.delete_prefixed(client, es_settings)
        client.close()
    med = {k: statistics.median(v) for k, v in figures.items()}
    print(
        f"  daily report of {int(med['posts']):,} relevant posts ({int(med['events'])} top events, "
        f"{int(med['words'])} rising words, {int(med['alerts'])} alerts), "
        f"median of {RUNS} runs after a warm-up:"
    )
    print(f"    build (Elasticsearch + assembly) {med['build']:6.2f} s  ({int(med['requests'])} requests)")
    print(f"    HTML                             {med['html']:6.2f} s")
    print(f"    PDF (Chromium)                   {med['pdf']:6.2f} s")
    print(
        f"    report with PDF                  {med['total']:6.2f} s  target ≤ {TARGET_S:.0f} s "
        f"{'met' if med['total'] <= TARGET_S else 'MISSED'}"
    )
    print(f"    first (cold) run, with PDF       {med['cold']:6.2f} s  (jieba loading, first reads)")
    print(
        f"    raw Elasticsearch requests       {med['raw']:6.2f} s  (the same requests straight, one by one)"
    )
    print(
        f"    report / raw ratio               {med['total'] / med['raw']:6.2f}  (build / raw "
        f"{med['build'] / med['raw']:.2f})"
    )
    print(json.dumps({"posts": n, **{k: round(v, 3) for k, v in med.items()}}))
