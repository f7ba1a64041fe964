"""The wall screen and the alert console as a duty room sees them, part of `yuqing bench web`: real Chromium
(Playwright, headless), the web app, a real `yuqing worker` process, the real Kafka and Elasticsearch.

- **Screen first data**: a wall opens `/screen` on its screen token in a new browser profile (nothing
  cached), and the time runs from the navigation's start (the page's `performance` time origin) until the
  first snapshot is in the page (`#screen[data-updates]` set by screen.js) and the next frame is drawn; then
  until its charts are drawn too (they follow: ECharts runs after the first data). One opening before them
  is not counted (the server's templates compiled). The baseline: the same snapshot fetched as JSON
  (`GET /api/screen`, the same token) without a browser.
- **A post on the wall**: with the wall open, emergencies (distinct places and kinds, each with a marker) are
  produced to `posts.raw` a couple of seconds apart; the time runs from the produce until the marker shows in
  the wall's risky-post feed (a MutationObserver in the page notes the first moment). The baseline: the same
  post's first moment in an Elasticsearch search.
- **A new high alert on the console**: `/alerts` open for a signed-in admin; for each high alert the worker
  raises on those posts, the time runs from its `raised_at` (the worker's clock, the same machine) until its
  row is in the console. The baseline: the same alert's first moment in an Elasticsearch search.

The web app is `yuqing serve` in a process of its own. A first emergency warms the worker up (its model,
the pipeline's first batch) and is not counted.
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.rig import free_port, post_record, wait_until
from yuqing import es as es_setup
from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_RAW
from yuqing.settings import Settings

GOAL_FIRST_DATA_MS, GOAL_WALL_S, GOAL_CONSOLE_S = 500.0, 3.0, 3.0  # issue 21, "Figures"
VIEWPORT = {"width": 1920, "height": 1080}
ADMIN, ADMIN_PASSWORD = "benchwall", "bench-wall-password"
PROGRESS_EVERY_S = 5.0
# Emergencies at distinct places and of distinct kinds (each its own event, so each may raise its own alert);
# every one scores high, relevant, at one spot. The first warms the worker up.
EMERGENCIES = [
    "白龙洞景区里面刚刚有游客从栈道上摔下去了，头上流了好多血，人已经昏迷，赶紧叫救护车",
    "弥勒湖泉生态园刚刚有个小孩落水了，还在水里扑腾，快来人！",
    "红河水乡停车场两伙人打起来了，有人拿着刀，已经有人受伤了",
    "锦屏山后山起火了，火势很大，往游步道那边烧过来了，快报警",
    "可邑小镇刚刚一个老人走失了，穿蓝色外套，家人急疯了，看到的请联系",
    "太平湖森林公园刚才观光车翻了，车上好几个游客受伤，救护车还没到",
    "东风韵刚才有人在景区门口持刀抢劫游客，抢完往停车场跑了",
    "白龙洞里面人太多发生踩踏了，好几个人被压在下面，现场一片混乱",
    "湖泉生态园餐厅吃完饭十几个游客上吐下泻，怀疑食物中毒，已经送医院了",
    "锦屏山索道突然停了，几十个游客被困在半空一个多小时，有老人晕倒了",
    "红河水乡河边有人溺水，被捞上来已经没有呼吸了，正在抢救",
    "可邑小镇广场上有人突然倒地抽搐，口吐白沫，现场没有医生，谁快打120",
    "太平湖森林公园露营区烧烤引燃了草地，火已经蔓延到树林里了",
]

# When the first snapshot is drawn (performance.now(), ms since the navigation began): screen.js and
# alerts.js count their updates in data-updates, and the frame after it; on the wall also when every chart
# shown has its canvas (charts follow the numbers and lists), and the frame after that.
FIRST_DATA_JS = """(() => {
  const yq = window.__yq = window.__yq || {first: null, drawn: null, charts: null, seen: {}};
  let charted = false;
  new MutationObserver(() => {
    const root = document.getElementById('screen') || document.getElementById('console');
    if (!root || !(Number(root.dataset.updates) > 0)) return;
    if (yq.first === null) {
      yq.first = performance.now();
      requestAnimationFrame(() => { yq.drawn = performance.now(); });
    }
    const charts = [...root.querySelectorAll('.chart')].filter((el) => el.offsetParent !== null);
    if (!charted && charts.every((el) => el.querySelector('canvas'))) {
      charted = true;
      requestAnimationFrame(() => { yq.charts = performance.now(); });
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, attributeFilter: ['data-updates']});
})();"""
# The first moment (Date.now(), ms) each marked post shows in the wall's risky-post feed, and each alert row
# in the console.
SEEN_JS = """(() => {
  const yq = window.__yq = window.__yq || {first: null, drawn: null, charts: null, seen: {}};
  const scan = () => {
    const now = Date.now();
    document.querySelectorAll('#latest li').forEach((li) => {
      for (const m of li.textContent.matchAll(/WB[0-9a-f]{6}-[0-9]+/g)) {
        if (!(m[0] in yq.seen)) yq.seen[m[0]] = now;
      }
    });
    document.querySelectorAll('#alert-rows tr[data-id]').forEach((tr) => {
      const id = 'alert:' + tr.dataset.id;
      if (!(id in yq.seen)) yq.seen[id] = now;
    });
  };
  new MutationObserver(scan).observe(document, {subtree: true, childList: true});
})();"""


@dataclass(frozen=True)
class Access:
    """How the browser gets in: the wall's screen token, the console's admin account."""

    token: str
    username: str = ADMIN
    password: str = ADMIN_PASSWORD


@dataclass
class Figures:
    first_data_ms: list[float]  # navigation start → first snapshot drawn, one per opening
    charts_ms: list[float]  # navigation start → its charts drawn
    first_data_api_ms: list[float]  # GET /api/screen, the same number of times
    wall_s: list[float]  # produce → the post in the wall's feed
    wall_es_s: list[float]  # produce → the post searchable
    console_s: list[float]  # raised_at → the alert's row on the console
    console_es_s: list[float]  # raised_at → the alert searchable
    produced_console_s: list[float]  # produce → the row of the alert it raised
    posts: int = 0
    alerts: int = 0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))] if ordered else float("nan")


def _num(value: float, digits: int) -> str:
    return "—" if math.isnan(value) else f"{value:,.{digits}f}"


def _verdict(p95: float, goal: float, unit: str) -> str:
    if math.isnan(p95):
        return f"p95 ≤ {goal:g} {unit}: not measured"
    return f"p95 ≤ {goal:g} {unit}: {'met' if p95 <= goal else 'NOT met'}"


def rows(f: Figures) -> list[tuple[str, str, str, str]]:
    """(measure, p50 / p95 / max, baseline p50 / p95, goal) for the table."""

    def three(v: list[float], d: int) -> str:
        return f"{_num(pct(v, 0.5), d)} / {_num(pct(v, 0.95), d)} / {_num(max(v) if v else math.nan, d)}"

    def two(v: list[float], d: int) -> str:
        return f"{_num(pct(v, 0.5), d)} / {_num(pct(v, 0.95), d)}"

    n, p, a = len(f.first_data_ms), f.posts, f.alerts
    return [
        (f"screen first data, ms ({n} openings, new profile)", three(f.first_data_ms, 0),
         f"GET /api/screen {two(f.first_data_api_ms, 0)}",
         _verdict(pct(f.first_data_ms, 0.95), GOAL_FIRST_DATA_MS, "ms")),
        ("… and its three charts drawn, ms", three(f.charts_ms, 0), "—", "—"),
        (f"post on the wall, s ({len(f.wall_s)} of {p} posts)", three(f.wall_s, 2),
         f"searchable in ES {two(f.wall_es_s, 2)}", _verdict(pct(f.wall_s, 0.95), GOAL_WALL_S, "s")),
        (f"high alert on the console, s ({len(f.console_s)} of {a} alerts)", three(f.console_s, 2),
         f"searchable in ES {two(f.console_es_s, 2)}",
         _verdict(pct(f.console_s, 0.95), GOAL_CONSOLE_S, "s")),
        ("post produced → its alert on the console, s", three(f.produced_console_s, 2), "—", "—"),
    ]  # fmt: skip


def format_rows(f: Figures) -> str:
    lines = ["| measure | p50 / p95 / max | baseline p50 / p95 | goal |", "| --- | --- | --- | --- |"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(f)]
    return "\n".join(lines)


def met(f: Figures) -> dict[str, bool]:
    """Each goal of issue 21 this run met (p95 within the bound; every post and alert seen)."""
    return {
        "first data": pct(f.first_data_ms, 0.95) <= GOAL_FIRST_DATA_MS,
        "wall": len(f.wall_s) == f.posts and pct(f.wall_s, 0.95) <= GOAL_WALL_S,
        "console": bool(f.console_s) and len(f.console_s) == f.alerts
        and pct(f.console_s, 0.95) <= GOAL_CONSOLE_S,
    }  # fmt: skip


# --- what the browser needs ------------------------------------------------------------------------------


def prepare(settings: Settings) -> Access:
    """An admin account for the console and a city-wide screen token for the wall (before Playwright starts:
    its sync API holds an event loop, where asyncio.run cannot start)."""
    from dashboards.accounts import Accounts
    from dashboards.screen_tokens import ScreenTokens

    async def run() -> str:
        client = es_setup.async_client(settings.es)
        try:
            accounts = Accounts(client, settings.es)
            if await accounts.get(ADMIN) is None:
                await accounts.add(ADMIN, ADMIN_PASSWORD, "admin")
            _, secret = await ScreenTokens(client, settings.es).create("基准测试大屏", None, ADMIN)
            return secret
        finally:
            await client.close()

    return Access(token=asyncio.run(run()))


class Serve:
    """`yuqing serve` as a child process on a free port (the web app in a process of its own, as deployed:
    not sharing this one's interpreter with Playwright and the pollers), its output in a log file."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.port, self.log = free_port(), log
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "ES_URL": settings.es.url,
            "ES_INDEX_PREFIX": settings.es.index_prefix,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
            "PYTHONUNBUFFERED": "1",
        }
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Serve:
        import httpx

        command = [
            sys.executable,
            "-m",
            "yuqing.cli",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(command, env=self.env, stdout=out, stderr=subprocess.STDOUT)

        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(f"yuqing serve exited with {self.proc.returncode}: {self.tail()}")
            try:
                return httpx.get(self.url + "/login", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until("yuqing serve to answer", up, 120, every=0.3)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(30)

    def tail(self, lines: int = 30) -> str:
        return "\n".join(self.log.read_text("utf-8", "replace").splitlines()[-lines:])


class Producer:
    """One Kafka producer on an event loop of its own thread (Playwright's sync API holds this thread's)."""

    def __init__(self, settings: Settings) -> None:
        self.topic = settings.kafka.topic(TOPIC_RAW)
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self._context = kafka_setup.producer(settings.kafka)
        self.client = self._run(self._context.__aenter__())

    def _run(self, coro: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(60)

    def send(self, post: dict[str, Any]) -> float:
        """Produce one post and wait for the broker; the wall-clock time the send began."""
        key, value = post_record(post)
        started = time.time()
        self._run(kafka_setup.send(self.client, self.topic, value, key))
        return started

    def close(self) -> None:
        try:
            self._run(self._context.__aexit__(None, None, None))
        finally:
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)


class Watcher(threading.Thread):
    """Polls Elasticsearch (no refresh: what a search sees) for the produced posts and for high alerts,
    noting the first moment each turns up, and each alert's `raised_at` and posts."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings = settings
        self.lock, self.stopped = threading.Lock(), threading.Event()
        self.produced: dict[str, float] = {}  # post id → produced
        self.posts: dict[str, float] = {}  # post id → searchable
        self.alerts: dict[str, tuple[float, float, list[str]]] = {}  # id → (searchable, raised_at, post ids)

    def run(self) -> None:
        client = es_setup.client(self.settings.es)
        name = self.settings.es.name
        try:
            while not self.stopped.is_set():
                with self.lock:
                    pending = [i for i in self.produced if i not in self.posts]
                try:
                    found = []
                    if pending:
                        resp = client.search(
                            index=name(es_setup.POSTS), query={"ids": {"values": pending}},
                            size=len(pending), source=False, ignore_unavailable=True,
                        )  # fmt: skip
                        found = [h["_id"] for h in resp["hits"]["hits"]]
                    alerts = client.search(
                        index=name(es_setup.ALERTS), query={"term": {"level": "high"}}, size=1000,
                        source=["raised_at", "post_ids"], ignore_unavailable=True,
                    )["hits"]["hits"]  # fmt: skip
                except Exception:  # a failed poll is tried again
                    time.sleep(0.2)
                    continue
                now = time.time()
                with self.lock:
                    for post_id in found:
                        self.posts.setdefault(post_id, now)
                    for hit in alerts:
                        if hit["_id"] not in self.alerts:
                            raised = _epoch(hit["_source"].get("raised_at"))
                            self.alerts[hit["_id"]] = (
                                now,
                                raised,
                                list(hit["_source"].get("post_ids") or []),
                            )
                time.sleep(0.05)
        finally:
            client.close()

    def snapshot(self) -> tuple[dict[str, float], dict[str, tuple[float, float, list[str]]]]:
        with self.lock:
            return dict(self.posts), dict(self.alerts)


def _epoch(iso: str | None) -> float:
    from datetime import datetime

    return datetime.fromisoformat(str(iso).replace("Z", "+00:00")).timestamp() if iso else math.nan


# --- measuring -------------------------------------------------------------------------------------------


def first_data(
    browser: Any, url: str, access: Access, rounds: int, say: Callable[[str], None]
) -> tuple[list[float], list[float]]:
    """Open the wall `rounds` times, each in a new browser profile: ms from navigation start until the first
    snapshot is drawn, and until its charts are."""
    host = url.split("//", 1)[1].split(":")[0]
    times, charts = [], []
    for i in range(-1, rounds):  # -1: one opening first, not counted (the server's templates compiled)
        context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
        try:
            context.add_cookies([{"name": "yq_screen", "value": access.token, "domain": host, "path": "/"}])
            context.add_init_script(FIRST_DATA_JS)
            page = context.new_page()
            page.goto(url + "/screen")
            page.wait_for_function(
                "() => window.__yq && window.__yq.drawn !== null && window.__yq.charts !== null",
                timeout=30_000,
            )
            drawn, charted = page.evaluate("() => [window.__yq.drawn, window.__yq.charts]")
        finally:
            context.close()
        if i < 0:
            continue
        times.append(drawn)
        charts.append(charted)
        say(f"  … screen opening {i + 1} of {rounds}: first data {drawn:.0f} ms, charts {charted:.0f} ms")
    return times, charts


def api_snapshot(url: str, access: Access, rounds: int) -> list[float]:
    """GET /api/screen on the same token, `rounds` times after one warm-up: ms each."""
    import httpx

    times = []
    with httpx.Client(base_url=url, cookies={"yq_screen": access.token}, timeout=30) as client:
        client.get("/api/screen").raise_for_status()
        for _ in range(rounds):
            t = time.perf_counter()
            client.get("/api/screen").raise_for_status()
            times.append((time.perf_counter() - t) * 1000)
    return times


def _wall_page(browser: Any, url: str, access: Access) -> Any:
    host = url.split("//", 1)[1].split(":")[0]
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.add_cookies([{"name": "yq_screen", "value": access.token, "domain": host, "path": "/"}])
    context.add_init_script(FIRST_DATA_JS)
    context.add_init_script(SEEN_JS)
    page = context.new_page()
    page.goto(url + "/screen")
    page.wait_for_function("() => window.__yq && window.__yq.first !== null", timeout=30_000)
    return page


def _console_page(browser: Any, url: str, access: Access) -> Any:
    context = browser.new_context(viewport=VIEWPORT, locale="zh-CN")
    context.add_init_script(FIRST_DATA_JS)
    context.add_init_script(SEEN_JS)
    page = context.new_page()
    page.goto(url + "/login?next=/alerts")
    page.fill("input[name=username]", access.username)
    page.fill("input[name=password]", access.password)
    page.click("button[type=submit]")
    page.wait_for_url("**/alerts*", timeout=30_000)
    page.wait_for_function("() => window.__yq && window.__yq.first !== null", timeout=30_000)
    return page


def _seen(page: Any) -> dict[str, float]:
    return {k: v / 1000 for k, v in page.evaluate("() => (window.__yq && window.__yq.seen) || {}").items()}


def live(
    browser: Any,
    url: str,
    access: Access,
    settings: Settings,
    posts: int,
    spacing_s: float,
    say: Callable[[str], None],
) -> dict[str, Any]:
    """The wall and the console open; a warm-up emergency, then `posts` more `spacing_s` apart; each post's
    moment on the wall and in ES, each new high alert's on the console and in ES."""
    tag = uuid.uuid4().hex[:6]
    texts = [f"{EMERGENCIES[i % len(EMERGENCIES)]} #WB{tag}-{i:02d}" for i in range(posts + 1)]
    post_of = {f"WB{tag}-{i:02d}": {"source": "bench_wall", "source_id": f"{tag}-{i}", "text": texts[i]}
               for i in range(posts + 1)}  # fmt: skip
    markers = list(post_of)
    wall, console = _wall_page(browser, url, access), _console_page(browser, url, access)
    watcher = Watcher(settings)
    watcher.start()
    producer = Producer(settings)
    produced: dict[str, float] = {}  # marker → produced

    def send(marker: str) -> None:
        post = post_of[marker]
        with watcher.lock:  # noted before the send: the poller may find it before send() returns
            watcher.produced[f"{post['source']}:{post['source_id']}"] = math.inf
        produced[marker] = at = producer.send(post)
        with watcher.lock:
            watcher.produced[f"{post['source']}:{post['source_id']}"] = at

    def wait(what: str, done: Callable[[], bool], timeout: float) -> bool:
        deadline, last = time.monotonic() + timeout, time.monotonic()
        while time.monotonic() < deadline:
            if done():
                return True
            if time.monotonic() - last >= PROGRESS_EVERY_S:
                say(f"  … waiting for {what}")
                last = time.monotonic()
            wall.wait_for_timeout(200)  # Playwright's own wait: the pages' events go on meanwhile
        return False

    try:
        send(markers[0])
        if not wait("the warm-up post on the wall", lambda: markers[0] in _seen(wall), 180):
            raise AssertionError("the warm-up post never reached the wall")
        start = time.time()
        say(f"  … warm-up post on the wall after {_seen(wall)[markers[0]] - produced[markers[0]]:.1f} s; "
            f"producing {posts} more, {spacing_s:g} s apart")  # fmt: skip
        for i, marker in enumerate(markers[1:], 1):
            send(marker)
            wall.wait_for_timeout(spacing_s * 1000)
            on_wall = sum(m in _seen(wall) for m in markers[1:])
            _, alerts = watcher.snapshot()
            new = [a for a, (_, raised, _) in alerts.items() if raised >= start]
            shown = _seen(console)
            say(f"  … {i} of {posts} produced: {on_wall} on the wall; {len(new)} new high alerts, "
                f"{sum(f'alert:{a}' in shown for a in new)} on the console")  # fmt: skip

        def all_on_wall() -> bool:
            return all(m in _seen(wall) for m in markers[1:])

        def all_on_console() -> bool:
            _, alerts = watcher.snapshot()
            shown = _seen(console)
            return all(f"alert:{a}" in shown for a, (_, raised, _) in alerts.items() if raised >= start)

        wait("every post on the wall", all_on_wall, 60)
        wall.wait_for_timeout(3000)  # alerts of the last posts
        wait("every new high alert on the console", all_on_console, 60)
        found, alerts = watcher.snapshot()
        on_wall, on_console = _seen(wall), _seen(console)
    finally:
        watcher.stopped.set()
        producer.close()
        wall.context.close()
        console.context.close()
    measured = markers[1:]
    post_id = {m: f"{post_of[m]['source']}:{post_of[m]['source_id']}" for m in markers}
    produced_by_id = {post_id[m]: produced[m] for m in markers}
    new = {a: v for a, v in alerts.items() if v[1] >= start}
    first_post = {a: produced_by_id.get(ids[0]) if ids else None for a, (_, _, ids) in new.items()}
    return {
        "posts": len(measured),
        "alerts": len(new),
        "wall_s": [on_wall[m] - produced[m] for m in measured if m in on_wall],
        "wall_es_s": [found[post_id[m]] - produced[m] for m in measured if post_id[m] in found],
        "console_s": [on_console[f"alert:{a}"] - raised for a, (_, raised, _) in new.items()
                      if f"alert:{a}" in on_console],
        "console_es_s": [searchable - raised for searchable, raised, _ in new.values()],
        "produced_console_s": [on_console[f"alert:{a}"] - at for a, at in first_post.items()
                               if f"alert:{a}" in on_console and at is not None],
    }  # fmt: skip


def measure(
    settings: Settings,
    url: str,
    access: Access,
    *,
    openings: int,
    posts: int,
    spacing_s: float,
    say: Callable[[str], None] = print,
) -> Figures:
    """Everything above, on a running app at `url` whose worker reads `settings`' topics."""
    from playwright.sync_api import sync_playwright

    api = api_snapshot(url, access, openings)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=settings.web.chromium,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        try:
            say(f"  … Chromium {browser.version}: opening the wall {openings} times")
            first, charts = first_data(browser, url, access, openings, say)
            got = live(browser, url, access, settings, posts, spacing_s, say)
        finally:
            browser.close()
    return Figures(first_data_ms=first, charts_ms=charts, first_data_api_ms=api, **got)
