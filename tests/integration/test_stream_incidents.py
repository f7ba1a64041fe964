"""Incidents on the real Kafka, Elasticsearch and an SMTP server: a forum thread is one alert and one draft
per agency; a small viral incident is one event, one alert and one first e-mail while emergencies elsewhere
get their own; a found-safe 通报 resolves its case; copies by three accounts are three searchable posts of
one event."""

from __future__ import annotations

import collections
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bench.rig import (
    Mailbox,
    Worker,
    es_docs,
    own_prefix,
    post_record,
    produce,
    wait_idle,
    wait_until,
    worker_env,
)
from yuqing.segment import segment
from yuqing.settings import Settings

pytestmark = [pytest.mark.integration]

ZAIKE = "红河水乡景区门口那家农家乐太黑了，一盘小炒肉收我们三百八，不给就不让走，老板还骂人，大家千万别去"
REPLIES = ["太坑了，去年我也遇到过", "已经打12345反映了，等结果", "顶，帮转，让更多人看到"]
BOAT = "弥勒湖泉生态园刚刚游船翻了，好多人落水，救援正在进行，太吓人了"
COMMENTS = [
    "湖泉生态园游船翻了？天哪，希望大家都没事",
    "湖泉生态园那边救护车一直在响，好多人落水了",
    "刚路过湖泉生态园，湖边围了好多人，说是有人落水",
    "湖泉生态园翻船了，消防和救护车都来了",
]
EMERGENCIES = [
    "锦屏山后山起火了，火势很大，往游步道那边烧过来了，快报警",
    "可邑小镇刚刚一个老人走失了，穿蓝色外套，家人急疯了，看到的请联系",
]
MISSING = "弥勒太平湖森林公园一名游客下午走失至今未找到，家属非常着急，请看到的朋友帮忙留意"
FOUND = "【警情通报】太平湖森林公园走失游客已于昨晚被民警连夜搜寻安全找回，身体无恙"
COPIED = "白龙洞景区门口有人卖假门票，已经好几个游客被骗了，大家一定去官方窗口买票"


def _post(source: str, sid: str, text: str, **extra) -> dict:
    when = extra.pop("when", datetime.now(UTC))
    return {"source": source, "source_id": sid, "text": text, "published_at": when.isoformat(), **extra}


@pytest.fixture(scope="module")
def stream(live_services: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    with own_prefix(live_services) as settings:
        tmp = tmp_path_factory.mktemp("incidents")
        mailbox = Mailbox(tmp / "mail").start()
        worker = Worker(worker_env(settings, mailbox, tmp / "state"), tmp / "worker.log").start()
        try:
            # the first post of each happening first, as a real thread or incident begins
            produce(settings, [post_record(p) for p in FIRSTS])
            wait_until(
                "the first posts indexed", lambda: len(es_docs(settings, "posts")) >= len(FIRSTS) or None, 90
            )
            produce(settings, [post_record(p) for p in FOLLOWERS])
            wait_idle(settings, 180)
            time.sleep(2)  # alert refreshes held back for a second go out on the worker's timer
            wait_idle(settings, 60)
            yield settings, mailbox, worker
        finally:
            worker.stop()
            mailbox.stop()


FIRSTS = [
    _post("tieba", "t100", ZAIKE, title="红河水乡被宰了", thread_id="t100", author="楼主"),
    _post("weibo", "b1", BOAT, author="目击者"),
    _post("weibo", "m1", MISSING, when=datetime.now(UTC) - timedelta(hours=10)),
    _post("weibo", "c1", COPIED, author="账号甲"),
]
FOLLOWERS = [
    *(
        _post(
            "tieba",
            f"p10{i}",
            text,
            title="红河水乡被宰了",
            thread_id="t100",
            parent_id="t100",
            parent_text=ZAIKE,
            author=f"回复者{i}",
        )
        for i, text in enumerate(REPLIES)
    ),
    *(_post("weibo", f"r{i}", f"转发微博//@目击者:{BOAT}", root_id="b1", parent_id="b1") for i in range(60)),
    *(_post("douyin", f"k{i}", COMMENTS[i % len(COMMENTS)] + "！" * (i // 4)) for i in range(40)),
    *(_post("weibo", f"e{i}", text) for i, text in enumerate(EMERGENCIES)),
    _post("police", "n1", FOUND),
    _post("douyin", "c2", COPIED, author="账号乙"),
    _post("kuaishou", "c3", COPIED, author="账号丙"),
]


def _events_of(settings: Settings, post_ids: set[str]) -> set[str]:
    return {p["event_id"] for p in es_docs(settings, "posts") if p["id"] in post_ids}


def _alerts_of(settings: Settings, event_ids: set[str]) -> list[dict]:
    return [a for a in es_docs(settings, "alerts") if a.get("event_id") in event_ids]


def test_a_thread_is_one_alert_and_one_draft_per_agency(stream) -> None:
    settings, mailbox, worker = stream
    ids = {"tieba:t100", *(f"tieba:p10{i}" for i in range(3))}
    events = _events_of(settings, ids)
    assert len(events) == 1, worker.tail()
    alerts = _alerts_of(settings, events)
    assert len(alerts) == 1 and alerts[0]["level"] == "medium", alerts
    letters = [d for d in es_docs(settings, "letters") if d["event_id"] in events]
    by_agency = collections.Counter(d["agency"] for d in letters)
    assert letters and max(by_agency.values()) == 1 and all(d["status"] == "draft" for d in letters)
    assert all("gov.example" not in str(m["To"]) for m in mailbox.messages())  # no letter left unapproved


def test_a_viral_incident_is_one_event_one_alert_and_emergencies_elsewhere_their_own(stream) -> None:
    """One event holds the incident (reposts, and comments in four wordings that overtake them in the fast
    lane, each wording's copies scored in any order): one alert, one first e-mail and at most two updates;
    emergencies elsewhere apart."""
    settings, mailbox, worker = stream
    ids = {"weibo:b1", *(f"weibo:r{i}" for i in range(60)), *(f"douyin:k{i}" for i in range(40))}
    posts = [p for p in es_docs(settings, "posts") if p["id"] in ids]
    main = next(p["event_id"] for p in posts if p["id"] == "weibo:b1")
    strays = sorted((p["event_id"], p["id"], p["text"][:20]) for p in posts if p["event_id"] != main)
    assert len(posts) == len(ids) and not strays, (strays, worker.tail())
    (event,) = [e for e in es_docs(settings, "events") if e["id"] == main]
    assert {"weibo", "douyin"} <= set(event["sources"]) and event["peak_level"] == "high"
    alerts = [a for a in _alerts_of(settings, {main}) if a["level"] in ("medium", "high")]
    assert len(alerts) == 1 and alerts[0]["level"] == "high", alerts
    mails = [m for m in mailbox.messages() if str(m["X-Yuqing-Alert-Id"]) == alerts[0]["id"]]
    assert len([m for m in mails if not m["In-Reply-To"]]) == 1 and len(mails) <= 3  # the rest threaded
    emergencies = _events_of(settings, {"weibo:e0", "weibo:e1"})
    own = [a for a in _alerts_of(settings, emergencies) if a["level"] == "high"]
    assert len(own) == 2 and main not in emergencies, worker.tail()


def test_a_found_safe_report_resolves_its_case(stream) -> None:
    settings, _, _ = stream
    (event_id,) = _events_of(settings, {"weibo:m1"})
    assert _events_of(settings, {"police:n1"}) == {event_id}
    (event,) = [e for e in es_docs(settings, "events") if e["id"] == event_id]
    assert event["status"] == "reported_resolved" and event["resolved_post_id"] == "police:n1"
    highs = [a for a in _alerts_of(settings, {event_id}) if a["level"] == "high"]
    assert len(highs) <= 1 and all(a["event_status"] == "reported_resolved" for a in highs)


def test_copies_by_three_accounts_are_three_searchable_posts_of_one_event(stream) -> None:
    settings, _, _ = stream
    words = {"match": {"text_seg": {"query": segment("卖假门票"), "operator": "and"}}}
    hits = es_docs(settings, "posts", query=words)
    copies = sorted((p["id"], p["author"]) for p in hits)
    assert copies == [("douyin:c2", "账号乙"), ("kuaishou:c3", "账号丙"), ("weibo:c1", "账号甲")]
    assert len({p["event_id"] for p in hits}) == 1
    assert len({(p["risk"]["level"], p["sentiment"]["label"]) for p in hits}) == 1  # scored once
