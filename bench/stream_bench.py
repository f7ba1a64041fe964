"""The whole stream on the real Kafka and Elasticsearch: throughput against the bare scorer in the same run,
and latency at a steady 50 posts/s from produce to searchable and from produce to the alert e-mail.

Throughput: 20,000 realistic posts (labelled and hand-written tourism posts, later rounds as reposts) are
produced at once to a fresh prefix; the time from the first produce until Elasticsearch holds every document
the stream keeps, against `Scorer.score` alone (ONNX, micro-batched) on the same texts in this process.
Latency: posts at 50/s for 30 s, with a high-risk post (a new emergency) every 2 s; each post's first moment
in a search, each alert's moment in the mailbox (aiosmtpd), against the 60 s of rule-interval alerting.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import tempfile
import threading
import time
from pathlib import Path

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
    wait_until,
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


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))] if values else float("nan")


def bare_scorer_rate(texts: list[str]) -> float:
    from models.scorer import Scorer

    scorer = Scorer.from_settings()
    scorer.score(texts[:64])
    t = time.perf_counter()
    for i in range(0, len(texts), 64):
        scorer.score(texts[i : i + 64])
    return len(texts) / (time.perf_counter() - t)


def stream_rate(settings: Settings, posts: list[dict], folder: Path) -> tuple[float, int]:
    """Documents indexed per second for `posts` produced at once, and how many documents that is."""
    expected = expected_documents(posts)
    box = Mailbox(folder / "mail").start()
    worker = Worker(worker_env(settings, box, folder / "state"), folder / "worker.log").start()
    try:
        t = time.perf_counter()
        produce(settings, [post_record(p) for p in posts])
        wait_until("every post indexed", lambda: es_count(settings) >= expected or None, 1800, every=1.0)
        took = time.perf_counter() - t
        wait_idle(settings)
    finally:
        worker.stop()
        box.stop()
    return expected / took, expected


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
    arrivals: dict[str, float] = {}

    def on_mail(path: Path) -> None:
        head = path.read_bytes().split(b"\r\n\r\n", 1)[0].decode("utf-8", "replace")
        for line in head.splitlines():
            if line.lower().startswith("x-yuqing-post-id:"):
                arrivals.setdefault(line.split(":", 1)[1].strip(), time.time())

    box = Mailbox(folder / "mail", on_message=on_mail).start()
    worker = Worker(worker_env(settings, box, folder / "state"), folder / "worker.log").start()
    poller = Searchable(settings)
    poller.start()
    spots = ["湖泉生态园", "红河水乡", "锦屏山", "可邑小镇", "太平湖森林公园", "东风韵", "白龙洞"]
    emergencies: dict[str, float] = {}
    try:
        asyncio.run(_steady(settings, posts, seconds, spots, poller, emergencies))
        wait_until(
            "the last post searchable", lambda: len(poller.latencies()) >= len(poller.produced) or None, 60
        )
        time.sleep(10)  # the last alerts' e-mails
    finally:
        poller.stopped.set()
        worker.stop()
        box.stop()
    mail = [arrivals[i] - t for i, t in emergencies.items() if i in arrivals]
    return {"searchable": poller.latencies(), "mail": mail, "emergencies": [float(len(emergencies))]}


async def _steady(settings, posts, seconds, spots, poller: Searchable, emergencies: dict[str, float]) -> None:
    rate, topic = 50, settings.kafka.topic(TOPIC_RAW)
    async with kafka_setup.producer(settings.kafka) as producer:
        start = time.perf_counter()
        for i in range(rate * seconds):
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
    posts = corpus(n, "bench")
    print(
        f"stream benchmark: {n} posts, then {seconds} s at 50 posts/s (real Kafka, Elasticsearch, SMTP)",
        flush=True,
    )
    bare = bare_scorer_rate([p["text"] for p in posts])
    print(f"  … bare scorer: {bare:.1f} posts/s", flush=True)
    with tempfile.TemporaryDirectory() as tmp, own_prefix(settings) as mine:
        whole, kept = stream_rate(mine, posts, Path(tmp) / "throughput")
    print(f"  … whole stream: {whole:.1f} posts/s ({kept} documents)", flush=True)
    with tempfile.TemporaryDirectory() as tmp, own_prefix(settings) as mine:
        lat = latency(mine, corpus(50 * seconds, "steady"), seconds, Path(tmp) / "latency")
    s, m = lat["searchable"], lat["mail"]
    print()
    print("| measure | stream | baseline | ratio |")
    print("| --- | --- | --- | --- |")
    print(f"| throughput, posts/s ({n} posts, 2 cores) | {whole:.1f} | bare scorer {bare:.1f} | "
          f"{whole / bare:.2f} (overhead {1 - whole / bare:.0%}, goal ≤ 25%) |")  # fmt: skip
    print(f"| produce → searchable, p50 / p95 s (50 posts/s) | {_pct(s, 0.5):.2f} / {_pct(s, 0.95):.2f} | "
          f"goal p95 ≤ 3 | {len(s)} posts |")  # fmt: skip
    print(f"| produce → alert e-mail accepted, p50 / p95 s | {_pct(m, 0.5):.2f} / {_pct(m, 0.95):.2f} | "
          f"rule-interval alerting ≈ 60 | {60 / _pct(m, 0.95):.0f}× faster ({len(m)}/"
          f"{int(lat['emergencies'][0])} emergencies mailed) |")  # fmt: skip
    if s:
        print(f"  (searchable: mean {statistics.mean(s):.2f} s, max {max(s):.2f} s)")
