"""Faults on the local cluster while the stream runs: each case must lose no post and double no document.

The cluster is the one `yuqing services up --cluster` runs (3 Kafka nodes: topics with 3 replicas, 2 in sync;
2 Elasticsearch nodes: one replica). Each case gets topics and indices of its own and a real worker (`yuqing
worker`); posts are produced at 50/s, each to be searchable once. A third of the way in, one node is hit:

- a broker killed (SIGKILL to its process group) and started again after 15 s;
- an Elasticsearch node killed and started again after 15 s (the node that is not the elected master: with
  two master-eligible nodes only one of them votes, so losing the master stops writes until it is back);
- a broker paused (SIGSTOP) for 30 s, then resumed (SIGCONT): the network to it cut, as far as others know;
- a rolling restart: each broker in turn stopped cleanly (SIGTERM) and started again.

Afterwards every produced post id must be in Elasticsearch exactly once, and every alert owed an e-mail (not
low: those go in digests) must have had exactly one. Printed per case: posts, lost, doubled, how often a send
was retried, produce → searchable p50 / p95 over the posts produced while the node was out, how long after its
return the last post was searchable, the e-mails filed, offered twice, and owed but not sent.
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import json
import logging
import os
import signal
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from aiokafka.errors import KafkaError

from bench.rig import (
    Mailbox,
    Worker,
    corpus,
    es_docs,
    own_prefix,
    post_record,
    wait_idle,
    wait_until,
    worker_env,
)
from devtools.services import layout as layouts
from devtools.services import manager
from devtools.services.base import Service
from devtools.services.kafka import KafkaService
from yuqing import es as es_setup
from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_RAW, Post
from yuqing.settings import Settings, get_settings

RATE = 50  # posts a second
BATCH = 5  # sent together, every BATCH / RATE seconds
DRAIN_TIMEOUT_S = 300.0


@dataclass(frozen=True)
class Fault:
    name: str
    kind: str  # the service hit: kafka or elasticsearch
    # SIGKILL: the node is started again after `hold_s`; SIGSTOP: resumed after `hold_s`; SIGTERM: every node
    # of the kind in turn stopped cleanly and started again (a rolling restart), `hold_s` between
    signal: int
    hold_s: float


CASES = {
    "broker-kill": Fault("a broker killed (kill -9), back after 15 s", "kafka", signal.SIGKILL, 15.0),
    "search-kill": Fault(
        "a search node killed (kill -9), back after 15 s", "elasticsearch", signal.SIGKILL, 15.0
    ),
    "broker-pause": Fault("a broker paused 30 s (SIGSTOP, SIGCONT)", "kafka", signal.SIGSTOP, 30.0),
    "broker-rolling": Fault("every broker restarted in turn (SIGTERM)", "kafka", signal.SIGTERM, 0.0),
}


@dataclass
class Outcome:
    case: str
    node: str
    produced: int
    lost: list[str]
    doubled: list[str]
    send_retries: int
    during: list[float]  # produce → searchable (s) of the posts produced while the node was out
    drained_s: float  # from the node's return until the last post was searchable
    mails: int  # alert e-mails the mailbox filed
    mailed_twice: list[str]  # Message-IDs offered to the mailbox again after it had filed them
    unmailed: list[str]  # alerts owed an e-mail (not low) that none of the filed ones is

    def line(self) -> str:
        p50 = statistics.median(self.during) if self.during else float("nan")
        p95 = _pct(self.during, 0.95)
        return (
            f"{self.case:<48} {self.node:<16} {self.produced:>6,} {len(self.lost):>5} {len(self.doubled):>7} "
            f"{self.send_retries:>7} {p50:>6.2f} / {p95:<6.2f} {self.drained_s:>9.1f} {self.mails:>5} "
            f"{len(self.mailed_twice):>6} {len(self.unmailed):>8}"
        )


HEADER = (
    f"{'case':<48} {'node':<16} {'posts':>6} {'lost':>5} {'doubled':>7} {'retries':>7} "
    f"{'searchable p50 / p95 s':>15} {'drained s':>9} {'mails':>5} {'twice':>6} {'unmailed':>8}"
)


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def cluster_settings(settings: Settings) -> Settings:
    """`settings` pointed at the local cluster, with its replication (whatever the environment says)."""
    layout = layouts.cluster(settings.services)
    kafka = settings.kafka.model_copy(
        update={
            "bootstrap_servers": layout.bootstrap_servers,
            "replication_factor": layout.replication_factor,
            "min_insync_replicas": layout.min_insync_replicas,
        }
    )
    es = settings.es.model_copy(update={"url": layout.es_url, "replicas": layout.es_replicas})
    return settings.model_copy(update={"kafka": kafka, "es": es})


class Producer(threading.Thread):
    """Produces posts at RATE/s to posts.raw; a batch the brokers refuse (a leader gone) is sent again, so
    nothing is dropped here: a post the stream gets twice must still be one document."""

    def __init__(self, settings: Settings, posts: list[dict]) -> None:
        super().__init__(daemon=True)
        self.settings, self.posts = settings, posts
        self.sent_at: dict[str, float] = {}  # post id (once confirmed) → when it was first sent
        self.retries = 0
        self.error: BaseException | None = None
        self.lock = threading.Lock()

    def run(self) -> None:
        try:
            asyncio.run(self._run())
        except BaseException as exc:  # reported by the caller
            self.error = exc

    async def _run(self) -> None:
        topic = self.settings.kafka.topic(TOPIC_RAW)
        async with kafka_setup.producer(self.settings.kafka) as producer:
            start = time.perf_counter()
            for i in range(0, len(self.posts), BATCH):
                await asyncio.sleep(max(0.0, start + i / RATE - time.perf_counter()))
                records = [post_record(p) for p in self.posts[i : i + BATCH]]
                attempted = time.time()  # latency counts from here: a refused send's wait is part of it
                while True:
                    try:
                        await kafka_setup.send_many(producer, topic, records)
                        break
                    except KafkaError:
                        self.retries += 1
                        await asyncio.sleep(0.5)
                with self.lock:
                    self.sent_at.update({post_id(p): attempted for p in self.posts[i : i + BATCH]})

    @property
    def sent(self) -> int:
        with self.lock:
            return len(self.sent_at)


class Searchable(threading.Thread):
    """Notes when each sent post first turns up in a search; an unreachable cluster is asked again."""

    def __init__(self, settings: Settings, producer: Producer) -> None:
        super().__init__(daemon=True)
        self.settings, self.producer = settings, producer
        self.found: dict[str, float] = {}
        self.stopped = threading.Event()

    def run(self) -> None:
        client = es_setup.client(self.settings.es)
        index = self.settings.es.name(es_setup.POSTS)
        try:
            while not self.stopped.is_set():
                with self.producer.lock:
                    pending = [i for i in self.producer.sent_at if i not in self.found][:1000]
                if pending:
                    try:
                        resp = client.search(
                            index=index, query={"ids": {"values": pending}}, size=len(pending), source=False,
                            ignore_unavailable=True,
                        )  # fmt: skip
                    except Exception:  # a node down on purpose: the other answers, or later
                        time.sleep(0.5)
                        continue
                    now = time.time()
                    for hit in resp["hits"]["hits"]:
                        self.found.setdefault(hit["_id"], now)
                time.sleep(0.1)
        finally:
            client.close()


def post_id(post: dict) -> str:
    return Post.parse(json.dumps(post, ensure_ascii=False)).id


def indexed_ids(settings: Settings) -> list[str]:
    """The id of every document in the posts indices (several copies of an id would all be listed)."""
    client = es_setup.client(settings.es)
    index = settings.es.name(es_setup.POSTS)
    try:
        client.indices.refresh(index=index, ignore_unavailable=True)
        resp = client.search(index=index, size=10_000, source=False, ignore_unavailable=True)
        return [hit["_id"] for hit in resp["hits"]["hits"]]
    finally:
        client.close()


def mail_outcome(
    settings: Settings, box: Mailbox, within_s: float = 60.0
) -> tuple[int, list[str], list[str]]:
    """E-mails filed, e-mails offered twice, and the alerts owed an e-mail without one; read again until every
    owed alert has its e-mail or `within_s` passed (an alert's record follows its e-mail)."""
    deadline = time.monotonic() + within_s
    while True:
        ids = set(box.message_ids())
        owed = [a for a in es_docs(settings, "alerts") if a["level"] != "low"]
        unmailed = [a["id"] for a in owed if not a.get("notified_at") or a.get("message_id") not in ids]
        if not unmailed or time.monotonic() > deadline:
            return len(ids), box.resent(), unmailed
        time.sleep(2)


def victim(settings: Settings, kind: str) -> Service:
    """The node a case hits: a broker leading a partition of posts.raw; the search node not elected master."""
    nodes = manager.select(settings, [kind], cluster=True)
    if kind == "kafka":
        leader = asyncio.run(_leader(settings))
        return next(n for n in nodes if isinstance(n, KafkaService) and n.node.node_id == leader)
    client = es_setup.client(settings.es)
    try:
        master = client.cat.master(format="json")[0]["node"]
    finally:
        client.close()
    return next(n for n in nodes if n.name != master)


async def _leader(settings: Settings) -> int:
    async with kafka_setup.admin(settings.kafka) as client:
        (described,) = await client.describe_topics([settings.kafka.topic(TOPIC_RAW)])
    return described["partitions"][0]["leader"]


def hit(settings: Settings, node: Service, case: Fault) -> None:
    """Hit `node`, wait out the hold, bring it back and wait until every node sees all the others."""
    if case.signal == signal.SIGTERM:
        for each in manager.select(settings, [case.kind], cluster=True):
            each.stop()  # a clean shutdown: its partitions' leadership moves before it goes
            manager.up(settings, cluster=True)
            time.sleep(case.hold_s)
        return
    pid = node.pid()
    if pid is None:
        raise RuntimeError(f"{node.name} does not run: start the cluster (yuqing services up --cluster)")
    os.killpg(pid, case.signal)  # the whole group: Elasticsearch's server JVM runs under its launcher
    time.sleep(case.hold_s)
    if case.signal == signal.SIGSTOP:
        os.killpg(pid, signal.SIGCONT)
    manager.up(settings, cluster=True)  # starts a killed node again


def run_case(settings: Settings, name: str, n_posts: int, folder: Path) -> Outcome:
    """One fault while `n_posts` posts stream through a worker; what was lost, doubled, and how slow."""
    case = CASES[name]
    posts = corpus(n_posts, name.replace("-", "_"))
    expected = {post_id(p) for p in posts}
    with own_prefix(settings) as mine:
        box = Mailbox(folder / "mail").start()
        env = worker_env(mine, box, folder / "state")
        worker = Worker(env, folder / "worker.log").start()
        producer = Producer(mine, posts)
        poller = Searchable(mine, producer)
        try:
            producer.start()
            poller.start()
            wait_until("a third of the posts sent", lambda: producer.sent >= n_posts // 3 or None, 120)
            node = victim(mine, case.kind)
            out_from = time.time()
            hit(settings, node, case)
            back_at = time.time()
            producer.join(DRAIN_TIMEOUT_S)
            if producer.error:
                raise RuntimeError(f"producing failed: {producer.error!r}")
            with contextlib.suppress(AssertionError):  # what never turned up is reported as lost
                wait_until("every post searchable", lambda: len(poller.found) >= len(expected) or None, 300)
            drained = max(poller.found.values(), default=back_at) - back_at
            ids = indexed_ids(mine)
            wait_idle(mine, DRAIN_TIMEOUT_S)  # the alerts' e-mails go after the posts are indexed
            mails, mailed_twice, unmailed = mail_outcome(mine, box)
        finally:
            poller.stopped.set()
            worker.stop()
            box.stop()
    counts = collections.Counter(ids)
    during = [
        poller.found[i] - t
        for i, t in producer.sent_at.items()
        if out_from <= t <= back_at and i in poller.found
    ]
    return Outcome(
        case=case.name,
        node=f"every {case.kind} node" if case.signal == signal.SIGTERM else node.name,
        produced=len(expected),
        lost=sorted(expected - set(counts)),
        doubled=sorted(i for i, n in counts.items() if n > 1 or i not in expected),
        send_retries=producer.retries,
        during=during,
        drained_s=max(0.0, drained),
        mails=mails,
        mailed_twice=mailed_twice,
        unmailed=unmailed,
    )


def main(quick: bool = False, cases: list[str] | None = None) -> list[Outcome]:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    logging.getLogger("aiokafka").setLevel(logging.CRITICAL)  # a node down on purpose: every retry logged
    settings = cluster_settings(get_settings())
    n_posts = 600 if quick else 1500
    print(f"fault benchmark: {n_posts:,} posts at {RATE}/s per case on the local cluster", flush=True)
    for line in (s.line() for s in manager.up(settings, cluster=True)):
        print(f"  {line}", flush=True)
    outcomes = []
    print(HEADER)
    for name in cases or list(CASES):
        with tempfile.TemporaryDirectory(prefix=f"yuqing-fault-{name}-") as tmp:
            outcome = run_case(settings, name, n_posts, Path(tmp))
        print(outcome.line(), flush=True)
        outcomes.append(outcome)
    return outcomes
