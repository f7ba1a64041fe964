"""The stream end to end on the real Kafka, Elasticsearch and an SMTP server: crawled posts in, documents,
events, alerts and e-mails out; bad input to the dead-letter topic; nothing indexed or mailed twice."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from bench.rig import Mailbox, Worker, consume_all, own_prefix, post_record, produce, wait_until, worker_env
from yuqing import es as es_setup
from yuqing.schema import TOPIC_DLQ
from yuqing.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.e2e]

DROWNING = "弥勒湖泉生态园刚刚有个小孩落水了，还在水里扑腾，快来人！已经打了110"


def _post(source_id: str, text: str, source: str = "e2e_weibo", **extra) -> dict:
    return {"source": source, "source_id": source_id, "text": text, **extra}


GOOD = [
    _post("1", DROWNING, url="https://weibo.example/1", author="游客小王"),
    _post("2", "//@路人甲: 天哪 " + DROWNING),  # a repost: same event
    _post("3", DROWNING, source="e2e_tieba", author="另一个账号"),  # a copy: own document, same scores
    _post("1", DROWNING, url="https://weibo.example/1", author="游客小王"),  # the same post again: dropped
    _post(
        "4", "可邑小镇的阿细跳月太好看了，篝火晚会火爆，强烈推荐！", published_at="2026-05-01T20:00:00+08:00"
    ),
    _post("5", "家里供的弥勒佛像开光了，笑口常开，保佑全家平安"),
    _post("6", "锦屏山景区<script>alert('x')</script>索道今天排队两小时，管理混乱"),
]
BAD = [
    b"{not json",
    json.dumps({"source": "e2e", "source_id": 7, "text": "弥勒"}).encode(),  # wrong type
    json.dumps({"source": "e2e", "source_id": "8"}).encode(),  # missing text
    json.dumps(_post("9", "弥勒" + "a" * 1_000_000)).encode(),  # 1 MB of text (Kafka takes 1 MiB)
    b'{"source": "e2e", "source_id": "10", "text": "\xff\xfe\xfa"}',  # invalid UTF-8
    json.dumps(
        _post("11", "弥勒湖泉", published_at=(datetime.now(UTC) + timedelta(days=3)).isoformat())
    ).encode(),
    b"[1, 2, 3]",
]


@pytest.fixture(scope="module")
def stream(live_services: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple]:
    # Topics and indices of this module alone: the shared ones would carry these posts into other tests.
    with own_prefix(live_services) as settings:
        tmp = tmp_path_factory.mktemp("stream")
        mailbox = Mailbox(tmp / "mail").start()
        env = worker_env(settings, mailbox, tmp / "state")
        worker = Worker(env, tmp / "worker.log").start()
        try:
            # The original first: posts.raw is keyed by post id, so without waiting a copy could overtake it.
            produce(settings, [post_record(GOOD[0])])
            wait_until("the first post indexed", lambda: _search(settings, "posts"), 90)
            produce(settings, [post_record(p) for p in GOOD[1:]] + [(b"bad", raw) for raw in BAD])
            yield settings, mailbox, worker, env
        finally:
            worker.stop()
            mailbox.stop()


def _search(settings: Settings, index: str, **kw) -> list[dict]:
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name(index), ignore_unavailable=True)
        resp = client.search(index=settings.es.name(index), size=100, ignore_unavailable=True, **kw)
        return [h["_source"] for h in resp["hits"]["hits"]]
    finally:
        client.close()


def test_posts_are_indexed_once_and_copies_are_kept(stream) -> None:
    settings, _, worker, _ = stream
    posts = wait_until("6 indexed posts", lambda: len(_search(settings, "posts")) >= 6 or None, 90)
    posts = _search(settings, "posts")
    ids = sorted(p["id"] for p in posts)
    expected = ["e2e_tieba:3", "e2e_weibo:1", "e2e_weibo:2", "e2e_weibo:4", "e2e_weibo:5", "e2e_weibo:6"]
    assert ids == expected, worker.tail()
    by_id = {p["id"]: p for p in posts}
    assert by_id["e2e_weibo:1"]["event_id"] == by_id["e2e_weibo:2"]["event_id"]
    copy = by_id["e2e_tieba:3"]  # searchable under its own account, with the original's scores and event
    assert copy["author"] == "另一个账号" and copy["copy_of"] == "e2e_weibo:1" and copy["joined_by"] == "copy"
    original = by_id["e2e_weibo:1"]
    assert copy["event_id"] == original["event_id"] and copy["risk"] == original["risk"]
    assert (
        by_id["e2e_weibo:1"]["risk"]["level"] == "high"
        and by_id["e2e_weibo:1"]["jurisdiction"] == "弥阳派出所"
    )
    assert by_id["e2e_weibo:5"]["relevant"] is False  # 弥勒佛 is the Buddha: indexed, flagged, not Mile's
    # A dated post lands in its publication month; an undated one in the month it was first seen.
    client = es_setup.client(settings.es)
    try:
        dated = client.search(
            index=settings.es.name("posts-2026.05"), query={"ids": {"values": ["e2e_weibo:4"]}}
        )
        assert dated["hits"]["total"]["value"] == 1
    finally:
        client.close()


def test_the_event_counts_copies_and_reposts(stream) -> None:
    settings = stream[0]

    def drowning_event():
        events = [e for e in _search(settings, "events") if e["first_post_id"] == "e2e_weibo:1"]
        events = [e for e in events if {"e2e_weibo:2", "e2e_tieba:3"} <= set(e["post_ids"])]
        return (
            events[0]
            if events and events[0]["post_count"] == 3 and events[0]["peak_level"] == "high"
            else None
        )

    try:
        event = wait_until("the drowning event with 3 posts", drowning_event, 60)
    except AssertionError as exc:
        raise AssertionError(f"{exc}; events: {_search(settings, 'events')}") from None
    assert set(event["sources"]) == {"e2e_weibo", "e2e_tieba"} and event["spots"] == ["湖泉生态园"]


def test_one_alert_and_one_email_for_the_event(stream) -> None:
    settings, mailbox, _worker, _ = stream
    mails = wait_until(
        "the alert e-mail", lambda: [m for m in mailbox.messages() if "湖泉" in m["Subject"]], 60
    )
    alerts = [a for a in _search(settings, "alerts") if a["level"] == "high"]
    assert len(alerts) == 1, alerts
    alert = alerts[0]
    assert [str(m["X-Yuqing-Alert-Id"]) for m in mails] == [alert["id"]]
    mail = mails[0]
    assert mail["Subject"].startswith("【高风险】湖泉生态园｜弥阳派出所")
    assert "police.example" in mail["To"] and "miyang-chief@police.example" in mail["Cc"]
    plain = mail.get_body(("plain",)).get_content()
    for fact in ("游客小王", "https://weibo.example/1", "弥阳派出所", "落水", "/alerts/"):
        assert fact in plain, fact
    assert alert["status"] == "new" and alert["message_id"] == str(mail["Message-ID"])
    assert len(set(mailbox.message_ids())) == len(mailbox.message_ids())  # nothing mailed twice


def test_crawled_markup_is_escaped_in_the_html_part(stream) -> None:
    settings, mailbox, _, _ = stream
    wait_until(
        "the indexed script post",
        lambda: [p for p in _search(settings, "posts") if p["id"] == "e2e_weibo:6"],
        60,
    )
    for message in mailbox.messages():
        html = message.get_body(("html",)).get_content()
        assert "<script>" not in html


def test_bad_input_goes_to_the_dead_letter_topic_with_reasons(stream) -> None:
    settings = stream[0]

    def letters():
        found = [json.loads(r.value) for r in consume_all(settings, TOPIC_DLQ, timeout_s=3)]
        return found if len(found) >= len(BAD) else None

    found = wait_until("dead letters", letters, 60)
    time.sleep(2)
    found = [json.loads(r.value) for r in consume_all(settings, TOPIC_DLQ, timeout_s=3)]
    invalid = [d for d in found if d["stage"] == "validate"]
    assert len(invalid) == len(BAD)
    reasons = " | ".join(d["reason"] for d in invalid)
    for words in ("not valid JSON", "source_id", "text", "UTF-8", "future", "JSON object"):
        assert words in reasons, (words, reasons)
    assert all(d["original_b64"] for d in found)  # the original bytes are kept
    assert len(found) == len(BAD)  # the same post sent twice, unchanged, is counted, not dead-lettered


def test_worker_status_shows_the_counters(stream) -> None:
    _settings, _, _, env = stream

    def status():
        out = subprocess.run(
            [sys.executable, "-m", "yuqing.cli", "worker", "status", "--json"],
            env=env,
            capture_output=True,
            text=True,
        )
        workers = json.loads(out.stdout or "{}").get("workers") or []
        counters = workers[0]["counters"] if workers else {}
        return counters if counters.get("raw/in", 0) >= len(GOOD) + len(BAD) else None

    counters = wait_until("worker status", status, 30)
    assert counters["dlq/validate"] == len(BAD) and "dlq/dedup" not in counters
    assert counters["group/copy"] == 1 and counters["group/same_id"] == 1
