"""The web app under load: search and monitoring-screen latency with 10 concurrent users, beside the same
queries sent straight to Elasticsearch (the app's overhead as a ratio).

Posts are the labelled tourism set (models/data/tourism_posts.jsonl) repeated with new ids, spread over the
last 30 days and indexed under their own prefix (`bench-web-`, removed afterwards). Each text is segmented
once and its segmentation reused for its copies, so building 100,000 posts takes seconds of jieba, not
minutes. The app runs in-process under uvicorn (one worker, as `yuqing serve`); users sign in, then each
sends its share of requests back to back. Set YUQING_BENCH_WEB_POSTS to change the size (default 100,000;
--quick: 5,000).

Then, over the same posts, the wall screen and the alert console in real Chromium (bench/web_wall.py): the
screen's first data after it is opened, a post on the wall after it is produced to Kafka (a real `yuqing
worker` on topics of this run's own), a new high alert on an open console after it is raised; the web app is
`yuqing serve` in a process of its own there.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import random
import socket
import statistics
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import web_wall

USERS = 10
SEARCH_P95_MS, SCREEN_P95_MS = 300, 1000  # issue 21: search p95 ≤ 300 ms with 100,000 posts, 10 users
QUERIES = [
    "湖泉 溺水", "宰客 OR 坑人", "可邑 NOT 酒店", '"锦屏山"', "(湖泉 OR 太平湖) 落水", "东风韵 打架",
    "白龙洞", "红河水乡 门票", "索道 排队", "弥勒 旅游", "食物中毒", "民宿 退款", "交通事故", "山火",
    "派出所 民警", "", "停车 收费", "走失 老人", "垃圾", "太平湖 露营",
]  # fmt: skip
FILTERS = [
    {},
    {"level": "high"},
    {"sort": "time"},
    {"spot": "湖泉生态园"},
    {"sentiment": "neg", "sort": "risk"},
]
SCORES = {"none": 0.05, "low": 0.3, "medium": 0.6, "high": 0.95}
SPOT_STATION = {
    "湖泉生态园": "弥阳派出所", "红河水乡": "弥阳派出所", "锦屏山": "弥阳派出所", "可邑小镇": "西三派出所",
    "太平湖森林公园": "西三派出所", "东风韵": "东风派出所", "白龙洞": "虹溪派出所",
}  # fmt: skip


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _documents(n: int, index_for) -> list[tuple[str, str, dict[str, Any]]]:
    from models.training.corpus import load_tourism
    from yuqing.segment import segment

    rows = [r for split in load_tourism().values() for r in split]
    seg = {r["id"]: segment(r["text"]) for r in rows}
    rng = random.Random(20260)
    now = datetime.now(UTC)
    docs = []
    for i in range(n):
        row = rows[i % len(rows)]
        published = now - timedelta(seconds=rng.uniform(0, 30 * 86400))
        spots = row["spots"]
        doc = {
            "id": f"bench:{i}", "source": row["style"], "source_id": str(i), "url": f"https://bench.example/{i}",
            "author": f"user{i % 997}", "title": None, "text": row["text"], "text_seg": seg[row["id"]],
            "title_seg": None, "published_at": published.isoformat(), "crawled_at": published.isoformat(),
            "relevant": row["relevant"], "spots": spots,
            "jurisdiction": SPOT_STATION.get(spots[0], "旅游警察大队") if spots else None,
            "sentiment": {"label": row["sentiment"], "score": 0.8},
            "risk": {"level": row["level"], "score": SCORES[row["level"]], "categories": row["categories"]},
            "event_id": f"evt-{i % 5000}", "explain": {}, "extras": {},
            "engagement": {"reposts": 0, "comments": 0, "likes": 0, "views": 0},
        }  # fmt: skip
        docs.append((index_for(published), doc["id"], doc))
    return docs


class _Server:
    def __init__(self, settings) -> None:
        import uvicorn

        from dashboards.api.app import create_app

        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        self.server = uvicorn.Server(
            uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
        )
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("the web app did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


async def _timed(fn, jobs: list[Any]) -> list[float]:
    """Run jobs with USERS concurrent workers; each job's wall time in ms."""
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    times: list[float] = []

    async def worker(n: int) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            t = time.perf_counter()
            await fn(n, job)
            times.append((time.perf_counter() - t) * 1000)

    await asyncio.gather(*(worker(n) for n in range(USERS)))
    return times


async def _measure(settings, url: str, requests: int) -> dict[str, list[float]]:
    import re

    import httpx

    from dashboards.query import parse
    from dashboards.screen import snapshot
    from dashboards.search import SearchParams, search_body
    from yuqing import es as es_setup
    from yuqing.es import POSTS

    clients = []
    for n in range(USERS):
        client = httpx.AsyncClient(base_url=url, timeout=60)
        page = await client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        form = {"username": f"bench{n}", "password": "bench-password", "csrf": token}
        resp = await client.post("/login", data=form)
        assert resp.status_code == 303, resp.text
        clients.append(client)
    jobs = [(QUERIES[i % len(QUERIES)], FILTERS[(i // len(QUERIES)) % len(FILTERS)]) for i in range(requests)]
    es = es_setup.async_client(settings.es)
    spots = list(SPOT_STATION)
    try:

        async def app_search(n: int, job) -> None:
            resp = await clients[n].get("/api/search", params={"q": job[0], **job[1]})
            resp.raise_for_status()

        async def es_search(n: int, job) -> None:
            lists = {k: [v] if k in ("level", "spot", "sentiment") else v for k, v in job[1].items()}
            params = SearchParams.model_validate({"q": job[0], **lists})
            parsed = parse(params.q)
            await es.search(index=settings.es.name(POSTS), **search_body(params, parsed))

        async def app_screen(n: int, _job) -> None:
            (await clients[n].get("/api/screen")).raise_for_status()

        async def es_screen(n: int, _job) -> None:
            await snapshot(es, settings.es, spots)

        await _timed(app_search, jobs[:USERS])  # warm caches on both paths alike
        await _timed(es_search, jobs[:USERS])
        out = {
            "search via app": await _timed(app_search, jobs),
            "search straight to ES": await _timed(es_search, jobs),
            "screen via app": await _timed(app_screen, jobs[: max(USERS, requests // 3)]),
            "screen straight to ES": await _timed(es_screen, jobs[: max(USERS, requests // 3)]),
        }
    finally:
        await es.close()
        for client in clients:
            await client.aclose()
    return out


def _wall(settings, access, quick: bool) -> web_wall.Figures:
    """The wall screen and the console in Chromium, on `yuqing serve` in a process of its own, fed by a real
    worker on the bench's own topics."""
    from bench.rig import Mailbox, Worker, worker_env

    openings, posts, spacing = (20, 4, 1.5) if quick else (20, 12, 2.0)
    print(f"  wall screen and alert console: {openings} openings, then {posts} emergencies through a worker",
          flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        box = Mailbox(Path(tmp) / "mail").start()
        worker = Worker(worker_env(settings, box, Path(tmp) / "state"), Path(tmp) / "worker.log")
        try:
            t = time.perf_counter()
            with web_wall.Serve(settings, Path(tmp) / "serve.log") as serve:
                worker.start(ready_timeout=300)
                print(
                    f"  … yuqing serve and yuqing worker ready in {time.perf_counter() - t:.0f} s", flush=True
                )
                return web_wall.measure(
                    settings, serve.url, access, openings=openings, posts=posts, spacing_s=spacing,
                    say=lambda line: print(line, flush=True),
                )  # fmt: skip
        except Exception:
            if worker.proc is not None:
                print(worker.tail(30), flush=True)
            raise
        finally:
            worker.stop()
            box.stop()


def main(quick: bool = False) -> dict[str, Any]:
    """Print the figures; return them too (the search rows by name, the wall's `Figures`)."""
    from elasticsearch.helpers import bulk

    from dashboards.accounts import Accounts
    from yuqing import es as es_setup
    from yuqing import kafka as kafka_setup
    from yuqing.bootstrap import initialize
    from yuqing.settings import ElasticsearchSettings, get_settings

    logging.getLogger("httpx").setLevel(logging.WARNING)  # one INFO line per request otherwise
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd: every SMTP command at INFO
    n = int(os.environ.get("YUQING_BENCH_WEB_POSTS", 5_000 if quick else 100_000))
    requests = 60 if quick else 300
    base = get_settings()
    es_settings = ElasticsearchSettings(**{**base.es.model_dump(), "index_prefix": "bench-web-"})
    # Topics of the run's own for the worker the wall is fed by (its indices are the bench's).
    kafka = base.kafka.model_copy(update={"topic_prefix": f"bench-web-{uuid.uuid4().hex[:6]}."})
    settings = base.model_copy(update={"es": es_settings, "kafka": kafka})
    client = es_setup.client(es_settings)
    try:
        es_setup.delete_prefixed(client, es_settings)
        initialize(settings)
        t = time.perf_counter()
        docs = _documents(n, lambda when: es_setup.posts_index(es_settings, when))
        built = time.perf_counter() - t
        t = time.perf_counter()
        actions = ({"_index": index, "_id": doc_id, "_source": doc} for index, doc_id, doc in docs)
        bulk(client, actions, chunk_size=2000, request_timeout=120)
        client.indices.refresh(index=es_settings.name("posts"))
        print(f"  {n:,} posts built in {built:.1f} s, indexed in {time.perf_counter() - t:.1f} s", flush=True)

        async def add_users() -> None:
            aes = es_setup.async_client(es_settings)
            try:
                for i in range(USERS):
                    await Accounts(aes, es_settings).add(f"bench{i}", "bench-password", "analyst")
            finally:
                await aes.close()

        asyncio.run(add_users())
        access = web_wall.prepare(settings)
        server = _Server(settings)
        try:
            figures = asyncio.run(_measure(settings, server.url, requests))
        finally:
            server.stop()
        search = _print_search(n, requests, figures)
        wall = _wall(settings, access, quick)
        print(f"  wall screen and alert console (WEB_SCREEN_REFRESH_S {settings.web.screen_refresh_s:g}):")
        print(web_wall.format_rows(wall))
        print(json.dumps({"wall": {k: [round(x, 3) for x in v] if isinstance(v, list) else v
                                   for k, v in vars(wall).items()}}))  # fmt: skip
        return {"search": search, "wall": wall}
    finally:
        es_setup.delete_prefixed(client, es_settings)
        client.close()
        asyncio.run(kafka_setup.delete_prefixed_topics(settings.kafka))


def _print_search(n: int, requests: int, figures: dict[str, list[float]]) -> dict[str, tuple]:
    refreshes = len(figures["screen via app"])
    print(f"  {USERS} concurrent users, {requests} searches, {refreshes} screen refreshes")
    print(f"  {'':24} {'p50 ms':>8} {'p95 ms':>8} {'mean ms':>8}")
    rows = {}
    for name, times in figures.items():
        rows[name] = (_pct(times, 0.5), _pct(times, 0.95), statistics.mean(times))
        print(f"  {name:24} {rows[name][0]:8.1f} {rows[name][1]:8.1f} {rows[name][2]:8.1f}")
    for what, target in (("search", SEARCH_P95_MS), ("screen", SCREEN_P95_MS)):
        app, raw = rows[f"{what} via app"], rows[f"{what} straight to ES"]
        verdict = "met" if app[1] <= target else "NOT met"
        print(f"  {what}: app/ES p95 ratio {app[1] / raw[1]:.2f}, p50 ratio {app[0] / raw[0]:.2f}; "
              f"target p95 ≤ {target} ms {verdict}")  # fmt: skip
    print(json.dumps({"posts": n, "users": USERS, **{k: [round(x, 1) for x in v] for k, v in rows.items()}}))
    return rows
