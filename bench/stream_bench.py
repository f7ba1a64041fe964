"""The whole stream on the real Kafka and Elasticsearch, each figure beside its baseline measured in the same
run: throughput and CPU per post against a minimal consumer and the bare scorer, and latency at a steady
50 posts/s from produce to searchable and from produce to the alert e-mail.

Throughput: 20,000 realistic posts (labelled and hand-written tourism posts, later rounds as reposts) are
produced at once to a fresh prefix; the time from the first produce until Elasticsearch holds every document
the stream keeps. The same posts go, under a prefix of their own, through `bench.minimal_consumer` (parse,
score, bulk-index, commit: no events, rules or alerts), and through `Scorer.score` alone (ONNX, batches of 64)
in this process. Each consumer first handles a warm-up of 64 other posts (model, jieba and clients loaded).
CPU per post: the child process's user + system time (/proc/<pid>/stat, all threads) from after the warm-up
until the last document is indexed, over the posts; the bare scorer's is this process's `time.process_time()`
(ONNX Runtime's threads included).
Latency: posts at 50/s for 30 s, with a high-risk post (a new emergency) every 2 s; each post's first moment
in a search, each alert's moment in the mailbox (aiosmtpd), against the 60 s of rule-interval alerting.
"""

from __future__ import annotations

import asyncio
import logging
import math
import os
import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.minimal_consumer import MinimalConsumer, consumer_env
from bench.rig import (
    Mailbox,
    Worker,
    corpus,
    es_count,
    expected_documents,
    own_prefix,
    post_record,
    produce,
    wait_idle,
    worker_env,
)
from yuqing import es as es_setup
from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_RAW
from yuqing.settings import Settings, get_settings

EMERGENCIES = [
    "弥勒湖泉生态园刚刚有个小孩落水了，还在水里扑腾，快来人！",
    "红河水乡停车场两伙人打起来了，有人拿着刀，已经有人受伤了",
    "锦屏山后山起火了，火势很大，往游步道那边烧过来了，快报警",
    "可邑小镇刚刚一个老人走失了，穿蓝色外套，家人急疯了，看到的请联系",
    "太平湖森林公园刚才观光车翻了，车上好几个游客受伤，救护车还没到",
]

PROGRESS_EVERY_S = 5.0
SCORE_BATCH = 64
WARM_POSTS = 64
# Goals (issue 20): the stream's throughput at least 0.8 of a minimal consumer's, the worker's CPU per post at
# most twice the bare scorer's; the older goal of at most 25 % overhead on the bare scorer's throughput.
GOAL_VS_MINIMAL, GOAL_CPU_VS_SCORER, GOAL_VS_SCORER, GOAL_SEARCHABLE_P95_S = 0.8, 2.0, 0.75, 3.0


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


# --- figures: CPU, ratios, the table (pure, unit-tested) --------------------------------------------------


def cpu_seconds(stat_line: str, ticks_per_s: int) -> float:
    """User + system CPU seconds of a process (all its threads) from its /proc/<pid>/stat line. The command
    name (field 2) is in parentheses and may hold spaces and parentheses itself: fields count from the last
    `)`, where field 3 (state) begins; utime and stime are fields 14 and 15, in clock ticks."""
    fields = stat_line[stat_line.rindex(")") + 1 :].split()
    return (int(fields[11]) + int(fields[12])) / ticks_per_s


def process_cpu(pid: int) -> float:
    """CPU seconds the process `pid` has used so far."""
    return cpu_seconds(Path(f"/proc/{pid}/stat").read_text(), os.sysconf("SC_CLK_TCK"))


def ratio(a: float, b: float) -> float:
    """a / b, NaN where there is nothing to divide by (a figure that was not measured)."""
    return a / b if b and not (math.isnan(a) or math.isnan(b)) else float("nan")


def verdict(value: float, *, at_least: float | None = None, at_most: float | None = None) -> str:
    """The goal cell: the bound and whether `value` meets it."""
    bound = f"≥ {at_least:g}" if at_least is not None else f"≤ {at_most:g}"
    if math.isnan(value):
        return f"{bound}: not measured"
    met = (at_least is None or value >= at_least) and (at_most is None or value <= at_most)
    return f"{bound}: {'met' if met else '**not met**'}"


def _num(value: float, digits: int = 2) -> str:
    return "—" if math.isnan(value) else f"{value:,.{digits}f}"


@dataclass(frozen=True)
class Run:
    """One consumer's pass over posts produced at once: wall time and CPU time of its process."""

    posts: int
    documents: int
    seconds: float
    cpu_s: float

    @property
    def rate(self) -> float:
        """Posts per second, from the first produce until every document is indexed."""
        return ratio(self.posts, self.seconds)

    @property
    def cpu_ms(self) -> float:
        """CPU milliseconds per post."""
        return ratio(1000 * self.cpu_s, self.posts)


@dataclass(frozen=True)
class Row:
    measure: str
    stream: str
    baseline: str
    ratio: str
    goal: str


def format_table(table: list[Row]) -> str:
    lines = ["| measure | stream | baseline | ratio | goal |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| {r.measure} | {r.stream} | {r.baseline} | {r.ratio} | {r.goal} |" for r in table]
    return "\n".join(lines)


def throughput_rows(n: int, stream: Run, minimal: Run, bare: Run) -> list[Row]:
    vs_minimal, vs_bare = ratio(stream.rate, minimal.rate), ratio(stream.rate, bare.rate)
    cpu_vs_bare, cpu_vs_minimal = ratio(stream.cpu_ms, bare.cpu_ms), ratio(stream.cpu_ms, minimal.cpu_ms)
    return [
        Row(f"throughput, posts/s ({n:,} posts at once)", _num(stream.rate, 1),
            f"minimal consumer {_num(minimal.rate, 1)}", _num(vs_minimal),
            verdict(vs_minimal, at_least=GOAL_VS_MINIMAL)),
        Row(f"throughput, posts/s ({n:,} posts at once)", _num(stream.rate, 1),
            f"bare scorer {_num(bare.rate, 1)}", _num(vs_bare),
            verdict(vs_bare, at_least=GOAL_VS_SCORER) + " (overhead ≤ 25 %)"),
        Row("CPU per post, ms (worker process)", _num(stream.cpu_ms),
            f"bare scorer {_num(bare.cpu_ms)}", _num(cpu_vs_bare),
            verdict(cpu_vs_bare, at_most=GOAL_CPU_VS_SCORER)),
        Row("CPU per post, ms (worker process)", _num(stream.cpu_ms),
            f"minimal consumer {_num(minimal.cpu_ms)}", _num(cpu_vs_minimal), "—"),
    ]  # fmt: skip


def latency_rows(lat: dict[str, list[float]]) -> list[Row]:
    s, m = lat["searchable"], lat["mail"]
    emergencies = int(lat["emergencies"][0]) if lat["emergencies"] else 0
    p95_mail = _pct(m, 0.95)
    faster = ratio(60, p95_mail)
    joined = int((lat.get("joined") or [0])[0])
    told = f" ({joined} more joined incidents mailed before them)" if joined else ""
    return [
        Row(f"produce → searchable, p50 / p95 s ({len(s):,} posts at 50/s)",
            f"{_num(_pct(s, 0.5))} / {_num(_pct(s, 0.95))}", "—", "—",
            verdict(_pct(s, 0.95), at_most=GOAL_SEARCHABLE_P95_S) + " (p95, s)"),
        Row("produce → alert e-mail accepted, p50 / p95 s", f"{_num(_pct(m, 0.5))} / {_num(p95_mail)}",
            "rule-interval alerting ≈ 60", "—" if math.isnan(faster) else f"{faster:.0f}× faster",
            f"every emergency mailed: {len(m)} of {emergencies}{told}"),
    ]  # fmt: skip


# --- measuring ---------------------------------------------------------------------------------------------


def wait_count(what: str, count: Callable[[], int], target: int, timeout: float, every: float = 1.0) -> float:
    """Seconds until `count()` reaches `target`, with a progress line every few seconds."""
    start = last = time.perf_counter()
    seen = 0
    while (now := time.perf_counter()) - start < timeout:
        seen = count()
        if seen >= target:
            return time.perf_counter() - start
        if now - last >= PROGRESS_EVERY_S:
            print(f"  … {what}: {seen:,} of {target:,} ({now - start:.0f} s)", flush=True)
            last = now
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}: {seen} of {target}")


def bare_scorer(texts: list[str]) -> Run:
    """`Scorer.score` alone on `texts` in batches of 64, in this process: wall time and process time."""
    from models.runtime.scorer import Scorer

    scorer = Scorer.from_settings()
    scorer.score(texts[:SCORE_BATCH])
    last = t = time.perf_counter()
    cpu = time.process_time()
    for i in range(0, len(texts), SCORE_BATCH):
        scorer.score(texts[i : i + SCORE_BATCH])
        if (now := time.perf_counter()) - last >= PROGRESS_EVERY_S:
            print(f"  … bare scorer: {i + SCORE_BATCH:,} of {len(texts):,} ({now - t:.0f} s)", flush=True)
            last = now
    return Run(len(texts), len(texts), time.perf_counter() - t, time.process_time() - cpu)


def at_once(
    label: str,
    settings: Settings,
    pid: int,
    posts: list[dict],
    warm: list[dict],
    counts: tuple[int, int],
    settle: Callable[[], None] = lambda: None,
) -> tuple[Run, float]:
    """Warm the consumer `pid` up on `warm` (then `settle`), produce `posts` at once and time them until the
    index holds `counts[1]` documents (`counts[0]` after the warm-up); its CPU time over the same span. Also
    its CPU clock where the span began."""
    produce(settings, [post_record(p) for p in warm])
    wait_count(f"{label} warm-up indexed", lambda: es_count(settings), counts[0], 300)
    settle()
    cpu = process_cpu(pid)
    t = time.perf_counter()
    produce(settings, [post_record(p) for p in posts])
    wait_count(f"{label} indexed", lambda: es_count(settings), counts[1], 1800)
    took = time.perf_counter() - t
    return Run(len(posts), counts[1] - counts[0], took, process_cpu(pid) - cpu), cpu


def stream_run(settings: Settings, posts: list[dict], warm: list[dict], folder: Path) -> tuple[Run, float]:
    """The worker on `posts` at once (after `warm`); and its CPU ms a post until it is idle, alerts mailed."""
    counts = (expected_documents(warm), expected_documents(warm + posts))
    box = Mailbox(folder / "mail").start()
    worker = Worker(worker_env(settings, box, folder / "state"), folder / "worker.log").start()
    pid = worker.proc.pid
    try:
        # the warm-up's alerts and e-mails must not count as the posts'
        run, cpu = at_once("stream", settings, pid, posts, warm, counts, settle=lambda: wait_idle(settings))
        wait_idle(settings)
        idle_ms = ratio(1000 * (process_cpu(pid) - cpu), len(posts))
    finally:
        worker.stop()
        box.stop()
    return run, idle_ms


def minimal_run(settings: Settings, posts: list[dict], warm: list[dict], folder: Path) -> Run:
    """`bench.minimal_consumer` on the same posts (it keeps every post: no copies are dropped)."""
    folder.mkdir(parents=True, exist_ok=True)
    consumer = MinimalConsumer(consumer_env(settings), folder / "minimal.log").start()
    try:
        counts = (len(warm), len(warm) + len(posts))
        return at_once("minimal consumer", settings, consumer.proc.pid, posts, warm, counts)[0]
    finally:
        consumer.stop()


class Searchable(threading.Thread):
    """Polls Elasticsearch for produced posts and notes when each first turns up in a search."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(daemon=True)
        self.settings, self.produced, self.found = settings, {}, {}
        self.lock, self.stopped = threading.Lock(), threading.Event()

    def run(self) -> None:
        client = es_setup.client(self.settings.es)
        try:
            while not self.stopped.is_set():
                with self.lock:
                    pending = [i for i in self.produced if i not in self.found][:1000]
                if pending:
                    resp = client.search(
                        index=self.settings.es.name(es_setup.POSTS), query={"ids": {"values": pending}},
                        size=len(pending), source=False, ignore_unavailable=True,
                    )  # fmt: skip
                    now = time.time()
                    with self.lock:
                        for hit in resp["hits"]["hits"]:
                            self.found.setdefault(hit["_id"], now)
                time.sleep(0.05)
        finally:
            client.close()

    def latencies(self) -> list[float]:
        with self.lock:
            return [self.found[i] - t for i, t in self.produced.items() if i in self.found]


def latency(settings: Settings, posts: list[dict], seconds: int, folder: Path) -> dict[str, list[float]]:
    """Produce at 50 posts/s (an emergency every 2 s); time each post's way to a search and to a mailbox."""
    arrivals: dict[str, float] = {}  # alert id → when its first e-mail was accepted

    def on_mail(path: Path) -> None:
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        for line in head.splitlines():
            if line.lower().startswith("x-yuqing-alert-id:"):
                arrivals.setdefault(line.split(":", 1)[1].strip(), time.time())

    box = Mailbox(folder / "mail", on_message=on_mail).start()
    worker = Worker(worker_env(settings, box, folder / "state"), folder / "worker.log").start()
    poller = Searchable(settings)
    poller.start()
    spots = ["湖泉生态园", "红河水乡", "锦屏山", "可邑小镇", "太平湖森林公园", "东风韵", "白龙洞"]
    emergencies: dict[str, float] = {}
    try:
        asyncio.run(_steady(settings, posts, seconds, spots, poller, emergencies))
        wait_count("latency: posts searchable", lambda: len(poller.latencies()), len(poller.produced), 60)
        time.sleep(10)  # the last alerts' e-mails
        alert_of = _alert_per_post(settings, list(emergencies))
    finally:
        poller.stopped.set()
        worker.stop()
        box.stop()
    # An emergency is timed to the first e-mail of its event's alert. One that joined an incident whose alert
    # had been mailed before it was produced needed no e-mail of its own (the same happening, told already).
    mail, joined = [], 0
    for post_id, produced in emergencies.items():
        at = arrivals.get(alert_of.get(post_id, ""))
        if at is not None and at < produced:
            joined += 1
        elif at is not None:
            mail.append(at - produced)
    counted = float(len(emergencies) - joined)
    return {
        "searchable": poller.latencies(),
        "mail": mail,
        "emergencies": [counted],
        "joined": [float(joined)],
    }


def _alert_per_post(settings: Settings, post_ids: list[str]) -> dict[str, str]:
    """The event alert (medium or high) of each post, through the post's event id."""
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name("posts"))
        client.indices.refresh(index=settings.es.name("alerts"))
        posts = client.search(
            index=settings.es.name("posts"), query={"ids": {"values": post_ids}}, size=len(post_ids)
        )
        event_of = {h["_id"]: h["_source"].get("event_id") for h in posts["hits"]["hits"]}
        events = sorted({e for e in event_of.values() if e})
        alerts = client.search(
            index=settings.es.name("alerts"),
            query={
                "bool": {
                    "filter": [{"terms": {"event_id": events}}, {"terms": {"level": ["medium", "high"]}}]
                }
            },
            size=1000,
        )
        alert_of_event = {h["_source"]["event_id"]: h["_id"] for h in alerts["hits"]["hits"]}
    finally:
        client.close()
    return {post: alert_of_event[event] for post, event in event_of.items() if event in alert_of_event}


async def _steady(settings, posts, seconds, spots, poller: Searchable, emergencies: dict[str, float]) -> None:
    rate, topic = 50, settings.kafka.topic(TOPIC_RAW)
    async with kafka_setup.producer(settings.kafka) as producer:
        start = last = time.perf_counter()
        for i in range(rate * seconds):
            if (now := time.perf_counter()) - last >= PROGRESS_EVERY_S:
                found = len(poller.latencies())
                print(f"  … latency: {i:,} posts produced at {rate}/s, {found:,} searchable", flush=True)
                last = now
            if i % (2 * rate) == 0:  # an emergency every 2 s, each at its own spot or with its own wording
                n = i // (2 * rate)
                text = EMERGENCIES[n % len(EMERGENCIES)]
                for spot in spots:
                    text = text.replace(spot, spots[n % len(spots)]) if spot in text else text
                post = {"source": "bench_alarm", "source_id": f"e{n}", "text": text}
            else:
                post = posts[i]
            key, value = post_record(post)
            produced = time.time()
            await kafka_setup.send(producer, topic, value, key)
            post_id = key.decode()
            with poller.lock:
                poller.produced[post_id] = produced
            if post["source"] == "bench_alarm":
                emergencies[post_id] = produced
            await asyncio.sleep(max(0.0, start + (i + 1) / rate - time.perf_counter()))


def main(quick: bool = False) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    settings = get_settings()
    n, seconds = (2000, 10) if quick else (20_000, 30)
    both = corpus(n + WARM_POSTS, "bench")  # the warm-up posts are the last: texts of their own
    posts, warm = both[:n], both[n:]
    print(
        f"stream benchmark: {n:,} posts at once through the worker, a minimal consumer and the bare scorer, "
        f"then {seconds} s at 50 posts/s (real Kafka, Elasticsearch, SMTP)",
        flush=True,
    )
    bare = bare_scorer([p["text"] for p in posts])
    print(f"  … bare scorer: {bare.rate:.1f} posts/s, {bare.cpu_ms:.2f} ms CPU a post", flush=True)
    with tempfile.TemporaryDirectory() as tmp, own_prefix(settings) as mine:
        stream, idle_ms = stream_run(mine, posts, warm, Path(tmp) / "throughput")
    print(f"  … whole stream: {stream.rate:.1f} posts/s ({stream.documents:,} documents), "
          f"{stream.cpu_ms:.2f} ms CPU a post", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, own_prefix(settings) as mine:
        minimal = minimal_run(mine, posts, warm, Path(tmp) / "minimal")
    print(f"  … minimal consumer: {minimal.rate:.1f} posts/s ({minimal.documents:,} documents), "
          f"{minimal.cpu_ms:.2f} ms CPU a post", flush=True)  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp, own_prefix(settings) as mine:
        lat = latency(mine, corpus(50 * seconds, "steady"), seconds, Path(tmp) / "latency")
    print()
    print(format_table(throughput_rows(n, stream, minimal, bare) + latency_rows(lat)))
    print(
        f"  (CPU per post: the process's user + system time from after a warm-up of {WARM_POSTS} posts until "
        f"the last document is indexed; the worker's until idle, alerts mailed: {_num(idle_ms)} ms; minimal "
        f"consumer / bare scorer: {_num(ratio(minimal.cpu_ms, bare.cpu_ms))})"
    )
    s = lat["searchable"]
    if s:
        print(f"  (searchable: mean {statistics.mean(s):.2f} s, max {max(s):.2f} s)")
