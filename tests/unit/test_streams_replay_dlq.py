"""`yuqing replay --dlq` without Kafka: which dead letters a selection takes, what each one becomes, and the
command every dead letter carries."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from streams.envelope import DLQ_MAX_ORIGINAL_BYTES, Envelope, dead_letter
from streams.replay import DeadLetter, Selection, Skip, choose, parse_offset, plan
from yuqing.schema import TOPIC_ALERTS, TOPIC_RAW

RAW = {"source": "weibo", "source_id": "42", "text": "湖泉生态园的游船好像翻了，有人落水"}
RAW_BYTES = json.dumps(RAW, ensure_ascii=False).encode()


def _letter(value: bytes, partition: int = 0, offset: int = 0, ts_ms: int = 0) -> DeadLetter:
    return DeadLetter.parse(partition, offset, ts_ms, value)


def _envelope(post: dict) -> bytes:
    env = Envelope(post={**post, "id": "weibo:42"}, normalized=post["text"], place="湖泉生态园", origin="x")
    return env.dumps()


def test_every_dead_letter_says_how_to_replay_it() -> None:
    by_post = json.loads(dead_letter("score", "model failed", b"{}", post_id="weibo:42"))
    assert by_post["replay"] == "yuqing replay --dlq --stage score --post-id weibo:42"
    by_key = json.loads(dead_letter("validate", "bad", b"{", key=b"weibo:7"))
    assert by_key["replay"] == "yuqing replay --dlq --stage validate --post-id weibo:7"
    # no post id (an alert, or a later hop keyed by place): the record's own id selects it
    anonymous = json.loads(dead_letter("notify", "boom", b"{}", key=b"\xe6\xb9\x96\xe6\xb3\x89"))
    assert anonymous["replay"] == f"yuqing replay --dlq --stage notify --id {anonymous['id']}"
    # a key that would break a command line is not used
    evil = json.loads(dead_letter("validate", "bad", b"x", key=b"a\nrm -rf /"))
    assert "--id" in evil["replay"] and "\n" not in evil["replay"]
    quoted = json.loads(dead_letter("validate", "bad", b"x", key=b"weibo:a b"))
    assert shlex.split(quoted["replay"])[-2:] == ["--post-id", "weibo:a b"]


def test_dead_letter_keeps_its_old_signature() -> None:
    record = json.loads(dead_letter("validate", "bad", RAW_BYTES, origin="t:0:1", key=b"k", field="text"))
    assert {"stage", "reason", "field", "post_id", "origin", "key", "at", "original_b64"} <= set(record)
    assert json.loads(dead_letter("x", "y", None, letter_id="fixed"))["id"] == "fixed"


def test_selection_by_stage_post_offset_id_and_time() -> None:
    t0 = datetime(2025, 5, 1, 12, tzinfo=UTC)
    letters = [
        _letter(dead_letter("validate", "bad", b"{", key=b"weibo:1"), 0, 5),
        _letter(dead_letter("score", "failed", RAW_BYTES, post_id="weibo:42"), 1, 3),
        _letter(dead_letter("notify", "smtp", b"{}", letter_id="abc"), 2, 9),
    ]
    assert [d.stage for d in choose(letters, Selection())] == ["validate", "score", "notify"]
    assert [d.stage for d in choose(letters, Selection(stage="score"))] == ["score"]
    assert [d.where for d in choose(letters, Selection(post_ids=frozenset({"weibo:1"})))] == ["0:5"]
    assert [d.stage for d in choose(letters, Selection(offsets=frozenset({(2, 9)})))] == ["notify"]
    assert [d.stage for d in choose(letters, Selection(ids=frozenset({"abc"})))] == ["notify"]
    assert choose(letters, Selection(stage="score", post_ids=frozenset({"weibo:1"}))) == []
    # time: the record's `at`, [since, until); the Kafka timestamp when `at` is missing
    at = {"stage": "validate", "at": (t0 + timedelta(minutes=5)).isoformat()}
    old = {"stage": "validate"}
    timed = [
        _letter(json.dumps(at).encode()),
        _letter(json.dumps(old).encode(), ts_ms=int((t0 - timedelta(days=1)).timestamp() * 1000)),
    ]
    assert len(choose(timed, Selection(since=t0))) == 1
    assert [d.record for d in choose(timed, Selection(until=t0))] == [old]
    assert choose(timed, Selection(since=t0, until=t0 + timedelta(minutes=5))) == []


def test_offsets_parse_or_say_the_form() -> None:
    assert parse_offset("3:1200") == (3, 1200)
    for bad in ("3", "a:1", "1:-2", ":4"):
        with pytest.raises(ValueError, match="PARTITION:OFFSET"):
            parse_offset(bad)


def test_validate_goes_back_as_it_came_with_its_key() -> None:
    resend = plan(_letter(dead_letter("validate", "bad", b"not json", key=b"weibo:9")))
    assert (resend.topic, resend.key, resend.value) == (TOPIC_RAW, b"weibo:9", b"not json")


def test_an_internal_envelope_gives_back_its_raw_post() -> None:
    for stage in ("dedup", "group", "score", "index", "judge"):
        resend = plan(_letter(dead_letter(stage, "x", _envelope(RAW), post_id="weibo:42")))
        assert resend.topic == TOPIC_RAW and resend.key == b"weibo:42"
        post = json.loads(resend.value)
        assert post["text"] == RAW["text"] and post["source_id"] == "42"
    # a raw post as original (an older stream, or a stage that kept the raw bytes) goes back unchanged
    assert plan(_letter(dead_letter("judge", "x", RAW_BYTES))).value == RAW_BYTES


def test_an_original_with_no_post_is_skipped_with_the_reason() -> None:
    with pytest.raises(Skip, match="not a raw post"):
        plan(_letter(dead_letter("score", "x", b'{"something": "else"}')))
    with pytest.raises(Skip, match="not a valid raw post"):
        plan(_letter(dead_letter("group", "x", json.dumps({"post": {"text": "no source"}}).encode())))
    with pytest.raises(Skip, match="not a raw post"):
        plan(_letter(dead_letter("index", "x", b"\xff\xfe")))


def test_notify_goes_back_to_alerts_keyed_by_alert_id() -> None:
    alert = json.dumps({"id": "alert-1", "rule": "r"}).encode()
    resend = plan(_letter(dead_letter("notify", "smtp down", alert)))
    assert (resend.topic, resend.key, resend.value) == (TOPIC_ALERTS, b"alert-1", alert)


def test_truncated_missing_unknown_and_garbage_are_skipped() -> None:
    with pytest.raises(Skip, match="truncated"):
        plan(_letter(dead_letter("validate", "big", b"x" * (DLQ_MAX_ORIGINAL_BYTES + 1))))
    with pytest.raises(Skip, match="no original"):
        plan(_letter(dead_letter("validate", "?", None)))
    with pytest.raises(Skip, match="cannot be replayed"):
        plan(_letter(dead_letter("mystery", "?", RAW_BYTES)))
    with pytest.raises(Skip, match="not a dead-letter record"):
        plan(_letter(b"\x00garbage"))
    broken = json.loads(dead_letter("validate", "?", RAW_BYTES))
    broken["original_b64"] = "%%%"
    with pytest.raises(Skip, match="not base64"):
        plan(_letter(json.dumps(broken).encode()))


def test_list_line_names_offset_stage_post_and_reason() -> None:
    line = _letter(dead_letter("score", "model\nfailed", RAW_BYTES, post_id="weibo:42"), 1, 7).line()
    assert line.split()[:3] == ["1:7", "score", "weibo:42"] and "model failed" in line


def test_kafka_unreachable_is_exit_3_and_bad_options_exit_2() -> None:
    def run(*args: str, **env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "yuqing.cli", "replay", *args],
            env={**os.environ, **env}, capture_output=True, text=True, timeout=60,
        )  # fmt: skip

    out = run("--dlq", "--list", KAFKA_BOOTSTRAP_SERVERS="127.0.0.1:9", KAFKA_REQUEST_TIMEOUT_S="2")
    assert out.returncode == 3 and "kafka" in out.stderr.lower()
    assert run("--dlq", "--offset", "zero").returncode == 2
    assert run("--stage", "validate").returncode == 2  # a DLQ option without --dlq
    assert run().returncode == 2  # neither --since nor --dlq
