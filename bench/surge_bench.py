"""A surge about one incident with unrelated emergencies inside it, on the real Kafka, Elasticsearch and SMTP:
does the duty room get one alert and a few e-mails for the incident, and every other emergency in seconds?

The scenario (texts in bench/data/surge.yaml, none generated from templates): ordinary tourism posts at 20/s
throughout (the data file's, topped up with the project's labelled posts of risk none or low); 5 s in, a
first post about a sightseeing boat capsizing at 湖泉生态园 with people in the water, then 40 s at 150 posts/s
of reposts (Weibo `转发理由//@原博主:原文`, half naming the first post in root_id and parent_id) and comments
(a third under the first post, with its text as parent_text; the rest standalone, some naming the spot,
some only 湖泉/游船); five emergencies at other spots 5, 12, 20, 28 and 35 s into the burst.
`--quick`: 50 posts/s for 10 s and two emergencies.

Everything is measured from the outside, as a duty room would see it: a `yuqing worker` process on the bench's
own topic and index prefix, an aiosmtpd mailbox that notes when it accepted each message.
- alerts for the incident: `alerts` documents whose post_ids, evidence.post_id or event_id belong to the
  incident's posts (their event ids read from the `posts` index);
- e-mails about it: messages whose X-Yuqing-Alert-Id is one of those alerts (updates included);
- each emergency: produce → its e-mail accepted (X-Yuqing-Post-Id is the emergency, or X-Yuqing-Alert-Id an
  alert about it), and whether it has an alert of its own (about neither the incident nor another emergency);
- last post produced → the `posts` index holding every produced post, by id;
- records on the bench's posts.dlq.
Then three small scenarios, each printed as "name: measured (goal)": one text posted by three accounts, a
police 通报 resolving a missing-visitor event, and a forum thread about overcharging (alerts and 公安提示函
drafts).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import math
import os
import random
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench.rig import (
    Mailbox,
    MailClock,
    Worker,
    consume_all,
    es_by_ids,
    es_docs,
    own_prefix,
    post_record,
    produce,
    wait_idle,
    wait_until,
    worker_env,
)
from yuqing import kafka as kafka_setup
from yuqing.schema import TOPIC_DLQ, TOPIC_RAW
from yuqing.settings import Settings, get_settings

DATA = Path(__file__).parent / "data" / "surge.yaml"
BACKGROUND_KINDS = ("praise", "questions", "complaints", "notices")
# Where each kind of ordinary post is found (source names as in config/sources.yaml where one exists).
BACKGROUND_SOURCES = {
    "praise": ("dianping_reviews", "xiaohongshu_search", "weibo_search"),
    "questions": ("tieba_mile", "xiaohongshu_search", "weibo_search"),
    "complaints": ("dianping_reviews", "tieba_mile", "weibo_search"),
    "notices": ("mile_gov_news", "weibo_search"),
}
# The labelled set's styles as sources.
STYLE_SOURCES = {
    "weibo": "weibo_search",
    "douyin": "douyin_search",
    "xiaohongshu": "xiaohongshu_search",
    "dianping": "dianping_reviews",
    "ctrip": "ctrip_reviews",
    "tieba": "tieba_mile",
    "news": "mile_gov_news",
    "notice": "mile_gov_news",
}
COMMENT_SOURCES = ("weibo_search", "douyin_search", "xiaohongshu_search")
INCIDENT_KINDS = ("incident", "repost", "comment")
MIN_COMMENTS = 40
PROGRESS_EVERY_S = 5.0
CLOCK_SKEW_S = 1.0  # the worker stamps raised_at on this machine's clock; allow for rounding
# What the old code gave on the full run (the figures).
BEFORE = {
    "alerts": "7",
    "mails": "6",
    "mail_s": "11.6, 12.9, 22.3, 28.2, 30.5",
    "p95": "30.5",
    "dlq": "103",
}


@dataclass(frozen=True)
class Shape:
    """Rates and times of a run; times in seconds from the first post produced."""

    background_rate: int = 20
    burst_rate: int = 150
    burst_s: int = 40
    lead_s: float = 5.0  # background alone before the incident's first post
    tail_s: float = 5.0  # background after the burst
    emergencies_at: tuple[float, ...] = (5, 12, 20, 28, 35)  # seconds into the burst
    index_wait_s: float = 180.0  # how long after the last post to wait for the index to hold every post

    @property
    def total_s(self) -> float:
        return self.lead_s + self.burst_s + self.tail_s


FULL = Shape()
QUICK = Shape(burst_rate=50, burst_s=10, lead_s=3.0, tail_s=3.0, emergencies_at=(3, 7), index_wait_s=120.0)


@dataclass(frozen=True)
class Planned:
    """One post of the scenario and when to produce it."""

    at: float
    kind: str  # background, incident (the first post), repost, comment, emergency
    post: dict[str, Any]

    @property
    def post_id(self) -> str:
        return f"{self.post['source']}:{self.post['source_id']}"


def load_texts(path: Path = DATA) -> dict[str, Any]:
    """The scenario's texts; ValueError naming what is short (a thin data file would make a weak bench)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for kind in BACKGROUND_KINDS:
        if not data.get("background", {}).get(kind):
            raise ValueError(f"{path}: background.{kind} is empty")
    if len(set(data["incident"]["comments"])) < MIN_COMMENTS:
        raise ValueError(f"{path}: incident.comments needs {MIN_COMMENTS} distinct wordings")
    if len(data["emergencies"]) < len(FULL.emergencies_at):
        raise ValueError(f"{path}: emergencies needs {len(FULL.emergencies_at)} entries")
    if data["tails"][0] != "":
        raise ValueError(f"{path}: tails must start with the empty tail (a text first appears as written)")
    return data


def _user(rng: random.Random) -> str:
    return f"用户{rng.randrange(10**9, 10**10)}"  # how Weibo names an account nobody renamed


def labelled_background() -> list[tuple[tuple[str, ...], str]]:
    """The project's labelled tourism posts that are relevant, at a spot, and of risk none or low (praise,
    questions, minor complaints, notices), as (sources, text). A 50 s run needs about a thousand distinct
    ordinary posts: a handful of texts repeated would be a spreading event of its own, not background."""
    from models.data import __path__ as data_path

    with Path(data_path[0], "tourism_posts.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return [
        ((STYLE_SOURCES.get(r["style"], "weibo_search"),), r["text"])
        for r in rows
        if r["relevant"] and r["level"] in ("none", "low") and r["spots"]
    ]


def background(
    texts: dict[str, Any], shape: Shape, rng: random.Random, labelled: list[tuple[tuple[str, ...], str]]
) -> list[Planned]:
    """Ordinary posts at a steady rate for the whole run: the data file's and the labelled set's, each once
    (past the end of the pool a text comes again with another tail)."""
    pool = [(BACKGROUND_SOURCES[kind], t) for kind in BACKGROUND_KINDS for t in texts["background"][kind]]
    pool += labelled
    rng.shuffle(pool)
    tails = texts["tails"]
    out = []
    for i in range(int(shape.background_rate * shape.total_s)):
        sources, text = pool[i % len(pool)]
        source = rng.choice(sources)
        post = {
            "source": source,
            "source_id": f"bg-{i}",
            "author": "弥勒文旅" if source == "mile_gov_news" else _user(rng),
            "text": text + tails[(i // len(pool)) % len(tails)],
        }
        out.append(Planned(i / shape.background_rate, "background", post))
    return out


def incident(texts: dict[str, Any], shape: Shape, rng: random.Random) -> list[Planned]:
    """The first post, then the burst: reposts and comments alternating at the burst rate."""
    inc = texts["incident"]
    first = {"source": inc["source"], "source_id": "inc-0", "author": inc["author"], "text": inc["first"]}
    out = [Planned(shape.lead_s, "incident", first)]
    earlier: list[dict[str, str]] = []  # reposts so far: a later repost may repost one of them
    for i in range(shape.burst_rate * shape.burst_s):
        at = shape.lead_s + (i + 1) / shape.burst_rate
        if i % 2 == 0:
            out.append(Planned(at, "repost", _repost(i, first, inc, texts["tails"], earlier, rng)))
        else:
            out.append(Planned(at, "comment", _comment(i, first, inc, texts["tails"], rng)))
    return out


def _repost(
    i: int, first: dict, inc: dict, tails: list[str], earlier: list[dict], rng: random.Random
) -> dict:
    author = rng.choice(inc["reposters"]) if rng.random() < 0.3 else _user(rng)
    reason = rng.choice(inc["repost_reasons"]) + rng.choice(tails)
    via = rng.choice(earlier) if earlier and rng.random() < 0.4 else None
    chain = f"//@{via['author']}:{via['reason']}" if via else ""
    post = {
        "source": first["source"],
        "source_id": f"rp-{i}",
        "author": author,
        "text": f"{reason}{chain}//@{first['author']}:{first['text']}",
    }
    if rng.random() < 0.5:  # half as a crawler following the chain sees them: the links are known
        post.update(root_id=first["source_id"], parent_id=via["source_id"] if via else first["source_id"])
    earlier.append({"author": author, "reason": reason, "source_id": post["source_id"]})
    return post


def _comment(i: int, first: dict, inc: dict, tails: list[str], rng: random.Random) -> dict:
    post = {
        "source_id": f"cm-{i}",
        "author": _user(rng),
        "text": rng.choice(inc["comments"]) + rng.choice(tails),
    }
    if rng.random() < 1 / 3:  # under the first post, with its text beside it
        sid = first["source_id"]
        post.update(source=first["source"], thread_id=sid, parent_id=sid, parent_text=first["text"])
    else:
        post["source"] = rng.choice(COMMENT_SOURCES)
    return post


def emergencies(texts: dict[str, Any], shape: Shape, rng: random.Random) -> list[Planned]:
    out = []
    for n, (offset, item) in enumerate(zip(shape.emergencies_at, texts["emergencies"], strict=False)):
        post = {"source": item["source"], "source_id": f"em-{n}", "author": _user(rng), "text": item["text"]}
        out.append(Planned(shape.lead_s + offset, "emergency", post))
    return out


def build(
    texts: dict[str, Any], shape: Shape, seed: int = 2025, labelled: list | None = None
) -> list[Planned]:
    """The whole surge, in produce order (the same for the same seed, so runs compare)."""
    rng = random.Random(seed)
    ordinary = background(texts, shape, rng, labelled_background() if labelled is None else labelled)
    plan = ordinary + incident(texts, shape, rng) + emergencies(texts, shape, rng)
    return sorted(plan, key=lambda p: p.at)


def stamped(post: dict[str, Any]) -> dict[str, Any]:
    """The post as a crawler sends it: published and crawled just now."""
    now = datetime.now(UTC).isoformat()
    return {**post, "published_at": now, "crawled_at": now}


async def produce_plan(settings: Settings, plan: list[Planned]) -> dict[str, float]:
    """Produce each post at its time (pipelined, confirmed at the end); when each was sent, by post id."""
    topic, produced, counts = settings.kafka.topic(TOPIC_RAW), {}, Counter()
    async with kafka_setup.producer(settings.kafka) as producer:
        start, next_report, pending = time.perf_counter(), PROGRESS_EVERY_S, []
        for item in plan:
            await asyncio.sleep(max(0.0, start + item.at - time.perf_counter()))
            key, value = post_record(stamped(item.post))
            produced[item.post_id] = time.time()
            pending.append(await producer.send(topic, value=value, key=key))
            counts[item.kind] += 1
            if (elapsed := time.perf_counter() - start) >= next_report:
                next_report += PROGRESS_EVERY_S
                print(
                    f"  … {elapsed:4.0f} s: {sum(counts.values())} posts produced ({_kinds(counts)})",
                    flush=True,
                )
        await asyncio.gather(*pending)
    print(f"  … done: {sum(counts.values())} posts in {time.perf_counter() - start:.1f} s", flush=True)
    return produced


def _kinds(counts: Counter) -> str:
    return ", ".join(
        f"{k} {counts[k]}" for k in ("background", "repost", "comment", "emergency") if counts[k]
    )


def wait_indexed(
    settings: Settings, ids: list[str], since: float, limit_s: float
) -> tuple[float | None, int]:
    """Seconds from `since` until the posts index held every id (None if not within `limit_s`), and how many
    it held at the end."""
    missing = set(ids)
    while missing and time.time() < since + limit_s:
        missing -= set(es_by_ids(settings, "posts", missing, source=False))
        if missing:
            time.sleep(1.0)
    return (None if missing else time.time() - since), len(ids) - len(missing)


def wait_found(settings: Settings, ids: list[str], limit_s: float = 60.0, grace_s: float = 15.0) -> dict:
    """The posts among `ids` the index holds once all are there, or `grace_s` after the first one turned up
    (a stream that drops copies never shows the rest), or after `limit_s`."""
    start, first_seen, docs = time.time(), None, {}
    while time.time() < start + limit_s:
        docs = es_by_ids(settings, "posts", ids)
        first_seen = first_seen or (time.time() if docs else None)
        if len(docs) == len(ids) or (first_seen and time.time() > first_seen + grace_s):
            break
        time.sleep(1.0)
    return docs


def event_ids(settings: Settings, post_ids: set[str]) -> set[str]:
    """The events the stream put these posts in (the `event_id` of their documents)."""
    docs = es_by_ids(settings, "posts", post_ids, source=["event_id"])
    return {d["event_id"] for d in docs.values() if d.get("event_id")}


def alerts_about(alerts: list[dict], post_ids: set[str], events: set[str]) -> list[dict]:
    """Alerts whose posts, evidence or event belong to these posts or events."""

    def about(a: dict) -> bool:
        evidence = (a.get("evidence") or {}).get("post_id")
        return (
            bool(set(a.get("post_ids") or []) & post_ids)
            or evidence in post_ids
            or a.get("event_id") in events
        )

    return [a for a in alerts if about(a)]


def pct(values: list[float], q: float) -> float | None:
    """Nearest-rank percentile (p95 of five values is the largest)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)] if ordered else None


@dataclass
class Figures:
    """What one surge run measured."""

    incident_alerts: int = 0
    incident_mails: int = 0
    mail_s: list[float | None] = field(default_factory=list)  # per emergency, None when not mailed
    own_alerts: int = 0
    distinct_alerts: int = 0
    emergencies: int = 0
    index_s: float | None = None
    indexed: int = 0
    produced: int = 0
    dlq: int = 0


def _raised_at(alert: dict) -> float:
    try:
        return datetime.fromisoformat(str(alert.get("raised_at"))).timestamp()
    except ValueError:
        return 0.0


def emergency_figures(
    produced: dict[str, float],
    about: dict[str, list[dict]],
    incident_ids: set[str],
    mails: list[tuple[float, str | None, str | None]],
) -> tuple[list[float | None], int, int]:
    """Per emergency (post id → the alerts that name it):
    - produce → the first e-mail accepted after it that is about it: its post id in X-Yuqing-Post-Id, or one
      of those alerts (an update counts; the incident's alert does not: it tells about the boat);
    - whether it has an alert of its own: one raised for it (its evidence, or raised after it was produced:
      an older alert of an event it was wrongly put in does not count) and naming neither the incident nor
      another emergency; and how many distinct such alerts there are."""
    mail_s: list[float | None] = []
    for e, sent in produced.items():
        ids = {a.get("id") for a in about.get(e, [])} - incident_ids - {None}
        times = [t for t, alert, post in mails if t >= sent and (post == e or alert in ids)]
        mail_s.append(min(times) - sent if times else None)
    own = {
        e: {
            a.get("id")
            for a in about.get(e, [])
            if (a.get("evidence") or {}).get("post_id") == e or _raised_at(a) >= sent - CLOCK_SKEW_S
        }
        - incident_ids
        - {None}
        for e, sent in produced.items()
    }
    alone = sum(bool(mine - set().union(*(v for k, v in own.items() if k != e))) for e, mine in own.items())
    return mail_s, alone, len(set().union(*own.values()))


def surge(settings: Settings, plan: list[Planned], shape: Shape, clock: MailClock) -> Figures:
    """Produce the plan on a running worker, wait for the stream, then read what it did."""
    produced = asyncio.run(produce_plan(settings, plan))
    last = max(produced.values())
    figures = Figures(produced=len(plan))
    print(f"  … waiting (at most {shape.index_wait_s:.0f} s) for the index to hold all posts", flush=True)
    figures.index_s, figures.indexed = wait_indexed(
        settings, [p.post_id for p in plan], last, shape.index_wait_s
    )
    urgent = {p.post_id: produced[p.post_id] for p in plan if p.kind == "emergency"}
    with contextlib.suppress(AssertionError):  # an emergency never mailed is a figure, not a crash
        wait_until("every emergency mailed", lambda: all(_mailed(settings, urgent, clock)), 60, every=2.0)
    settle(settings)
    figures.dlq = len(consume_all(settings, TOPIC_DLQ, timeout_s=5))
    alerts = es_docs(settings, "alerts")
    incident_posts = {p.post_id for p in plan if p.kind in INCIDENT_KINDS}
    incident = alerts_about(alerts, incident_posts, event_ids(settings, incident_posts))
    incident_ids = {a.get("id") for a in incident} - {None}
    mails = clock.snapshot()
    figures.incident_alerts = len(incident)
    _dump(incident, alerts, urgent)
    figures.incident_mails = sum(alert in incident_ids for _, alert, _ in mails)
    about = {e: alerts_about(alerts, {e}, event_ids(settings, {e})) for e in urgent}
    figures.mail_s, figures.own_alerts, figures.distinct_alerts = emergency_figures(
        urgent, about, incident_ids, mails
    )
    figures.emergencies = len(urgent)
    return figures


def _dump(incident: list[dict], alerts: list[dict], urgent: dict[str, float]) -> None:
    """With YUQING_BENCH_DUMP=path, the alerts (incident's and the rest) are written there for reading."""
    path = os.environ.get("YUQING_BENCH_DUMP")
    if path:
        others = [a for a in alerts if a not in incident]
        doc = {"incident": incident, "others": others, "urgent": list(urgent)}
        Path(path).write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str), encoding="utf-8")


def _mailed(settings: Settings, urgent: dict[str, float], clock: MailClock) -> list[bool]:
    alerts = es_docs(settings, "alerts")
    about = {e: alerts_about(alerts, {e}, set()) for e in urgent}
    return [s is not None for s in emergency_figures(urgent, about, set(), clock.snapshot())[0]]


def settle(settings: Settings, timeout: float = 120.0) -> None:
    """Until the worker has done everything it was given (a stuck stream shows in the figures instead)."""
    with contextlib.suppress(AssertionError):
        wait_idle(settings, timeout)


@dataclass(frozen=True)
class Row:
    measure: str
    before: str
    now: str
    goal: str


def _seconds(values: list[float | None]) -> str:
    return ", ".join("not mailed" if v is None else f"{v:.1f}" for v in values) or "—"


def rows(f: Figures, shape: Shape) -> list[Row]:
    mailed = [v for v in f.mail_s if v is not None]
    p95 = pct(mailed, 0.95)
    unmailed = len(f.mail_s) - len(mailed)
    index = (
        f"{f.index_s:.1f}"
        if f.index_s is not None
        else f"not within {shape.index_wait_s:.0f} ({f.indexed} of {f.produced} held)"
    )
    return [
        Row("alerts for the incident", BEFORE["alerts"], str(f.incident_alerts), "1"),
        Row("e-mails about the incident", BEFORE["mails"], str(f.incident_mails), "≤ 3"),
        Row("emergencies: produce → e-mail accepted, s", BEFORE["mail_s"], _seconds(f.mail_s), "all mailed"),
        Row(
            "emergencies: p95 produce → e-mail, s",
            BEFORE["p95"],
            ("—" if p95 is None else f"{p95:.1f}") + (f" ({unmailed} not mailed)" if unmailed else ""),
            "≤ 5",
        ),
        Row(
            "emergencies with an alert of their own",
            "—",
            f"{f.own_alerts} of {f.emergencies} ({f.distinct_alerts} distinct alerts)",
            f"{f.emergencies} distinct",
        ),
        Row("last post → index holds every post, s", "—", index, "≤ 30"),
        Row("records on posts.dlq", BEFORE["dlq"], str(f.dlq), "0"),
    ]


def format_table(table: list[Row]) -> str:
    lines = ["| measure | before | now | goal |", "| --- | --- | --- | --- |"]
    lines += [f"| {r.measure} | {r.before} | {r.now} | {r.goal} |" for r in table]
    return "\n".join(lines)


def extra_line(name: str, measured: Any, goal: Any) -> str:
    return f"{name}: {measured} ({goal})"


def copies_posts(texts: dict[str, Any]) -> list[dict[str, Any]]:
    item = texts["extras"]["copies"]
    return [
        {"source": item["source"], "source_id": f"copy-{n}", "author": author, "text": item["text"]}
        for n, author in enumerate(item["authors"])
    ]


def missing_posts(texts: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    item = texts["extras"]["missing"]
    first = {**item["first"], "source_id": "missing-0"}
    return first, {**item["notice"], "source_id": "notice-0"}


def thread_posts(texts: dict[str, Any]) -> list[dict[str, Any]]:
    item = texts["extras"]["thread"]
    opening = {"source": item["source"], "source_id": "thread-0", "thread_id": "thread-0", **item["opening"]}
    replies = [
        {"source": item["source"], "source_id": f"thread-{n}", "thread_id": "thread-0",
         "parent_id": "thread-0", "parent_text": opening["text"], **reply}
        for n, reply in enumerate(item["replies"], 1)
    ]  # fmt: skip
    return [opening, *replies]


def _id(post: dict[str, Any]) -> str:
    return f"{post['source']}:{post['source_id']}"


def copies(settings: Settings, texts: dict[str, Any]) -> list[str]:
    """(a) One text by three accounts: each is a post of its own, and all are one event."""
    posts = copies_posts(texts)
    produce(settings, [post_record(stamped(p)) for p in posts])
    docs = wait_found(settings, [_id(p) for p in posts])
    events = {d.get("event_id") for d in docs.values()}
    shared = f"only {len(docs)} indexed" if len(docs) < 2 else ("yes" if len(events) == 1 else "no")
    name = "(a) same text by three accounts"
    return [
        extra_line(f"{name}, searchable", f"{len(docs)} of {len(posts)}", f"goal {len(posts)}"),
        extra_line(f"{name}, one event_id", shared, "goal yes"),
    ]


def resolved(settings: Settings, texts: dict[str, Any]) -> list[str]:
    """(b) A police 通报 after an open missing-visitor event: the event reported resolved, one high alert."""
    first, notice = missing_posts(texts)
    produce(settings, [post_record(stamped(first))])
    event = _event_of(settings, _id(first))
    produce(settings, [post_record(stamped(notice))])

    def status() -> str | None:
        return (es_by_ids(settings, "events", [event]).get(event) or {}).get("status")

    with contextlib.suppress(AssertionError):
        wait_until("the event reported resolved", lambda: status() == "reported_resolved", 45, every=1.0)
    wait_found(settings, [_id(notice)], limit_s=30)
    settle(settings, 60)
    ids = {_id(first), _id(notice)}
    about = alerts_about(es_docs(settings, "alerts"), ids, event_ids(settings, ids) | {event})
    high = sum(a.get("level") == "high" for a in about)
    name = "(b) 通报 after a missing visitor at 太平湖森林公园"
    return [
        extra_line(f"{name}, event status", status() or "none", "goal reported_resolved"),
        extra_line(f"{name}, high alerts", high, "goal 1, not 2"),
    ]


def _event_of(settings: Settings, post_id: str) -> str:
    """The event a post was put in, once the events index holds it."""

    def indexed() -> str | None:
        event = es_by_ids(settings, "posts", [post_id]).get(post_id, {}).get("event_id")
        return event if event and es_by_ids(settings, "events", [event]) else None

    return wait_until(f"{post_id}'s event indexed", indexed, 60, every=1.0)


def thread(settings: Settings, texts: dict[str, Any]) -> list[str]:
    """(c) A forum thread about overcharging: one alert, at most one 公安提示函 draft per agency."""
    posts = thread_posts(texts)
    for post in posts:  # a thread grows over minutes; a second apart keeps the order
        produce(settings, [post_record(stamped(post))])
        time.sleep(1.0)
    ids = {_id(p) for p in posts}
    wait_found(settings, sorted(ids))
    settle(settings, 60)
    events = event_ids(settings, ids)
    about = alerts_about(es_docs(settings, "alerts"), ids, events)
    alert_ids = {a.get("id") for a in about}
    letters = [
        d for d in es_docs(settings, "letters")
        if d.get("event_id") in events or d.get("alert_id") in alert_ids
        or any(e.get("post_id") in ids for e in d.get("evidence") or [])
    ]  # fmt: skip
    per_agency = Counter(str(d.get("agency")) for d in letters)
    most = max(per_agency.values(), default=0)
    spread = ", ".join(f"{k} {v}" for k, v in sorted(per_agency.items())) or "none"
    name = "(c) forum thread about 宰客 at 红河水乡"
    return [
        extra_line(f"{name}, alerts", len(about), "goal 1"),
        extra_line(
            f"{name}, letters", f"{len(letters)}, at most {most} per agency ({spread})", "goal ≤ 1 per agency"
        ),
    ]


def main(quick: bool = False) -> None:
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every SMTP command at INFO
    logging.getLogger("aiokafka").setLevel(logging.WARNING)  # reading posts.dlq logs its metadata at INFO
    shape = QUICK if quick else FULL
    texts = load_texts()
    plan = build(texts, shape)
    print(
        f"surge benchmark: {shape.background_rate} ordinary posts/s for {shape.total_s:.0f} s; an "
        f"incident at 湖泉生态园, then {shape.burst_rate} posts/s about it for {shape.burst_s} s; "
        f"{len(shape.emergencies_at)} emergencies elsewhere: {len(plan)} posts "
        "(real Kafka, Elasticsearch, SMTP)",
        flush=True,
    )
    with tempfile.TemporaryDirectory() as tmp, own_prefix(get_settings()) as mine:
        clock = MailClock()
        box = Mailbox(Path(tmp) / "mail", on_message=clock).start()
        worker = Worker(worker_env(mine, box, Path(tmp) / "state"), Path(tmp) / "worker.log").start()
        try:
            figures = surge(mine, plan, shape, clock)
            print("  … the three small scenarios", flush=True)
            extras = copies(mine, texts) + resolved(mine, texts) + thread(mine, texts)
        finally:
            worker.stop()
            box.stop()
    print()
    print(format_table(rows(figures, shape)))
    if quick:
        print(
            "  (before: the old code on the full run; --quick is smaller: compare the shape, not the numbers)"
        )
    print()
    for line in extras:
        print(line)
