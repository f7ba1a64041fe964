"""`yuqing replay --dlq` on the real Kafka: of two dead letters, the one chosen (by the command its record
carries) goes back to posts.raw, byte for byte with its key; `--list` shows both and produces nothing."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys

import pytest

from bench.rig import consume_all, own_prefix, produce
from streams.envelope import Envelope, dead_letter
from yuqing.schema import TOPIC_DLQ, TOPIC_RAW
from yuqing.settings import Settings

pytestmark = [pytest.mark.integration]

BROKEN = {"source": "weibo", "source_id": "dlq1", "text": "湖泉生态园门口停车太难了，绕了三圈"}
OTHER = {"source": "weibo", "source_id": "dlq2", "text": "锦屏山今天人不多，缆车不用排队"}


def _cli(settings: Settings, args: list[str]) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
        "KAFKA_TOPIC_PREFIX": settings.kafka.topic_prefix,
        "ES_URL": settings.es.url,
        "ES_INDEX_PREFIX": settings.es.index_prefix,
    }
    return subprocess.run(
        [sys.executable, "-m", "yuqing.cli", *args], env=env, capture_output=True, text=True, timeout=120
    )


def test_replay_dlq_re_offers_only_the_chosen_record(live_services: Settings) -> None:
    raw = json.dumps(BROKEN, ensure_ascii=False).encode()
    envelope = Envelope(
        post={**OTHER, "id": "weibo:dlq2"}, normalized=OTHER["text"], place="锦屏山", origin="raw:0:1"
    ).dumps()
    first = dead_letter("validate", "text: too short", raw, origin="raw:0:0", key=b"weibo:dlq1")
    second = dead_letter("score", "scorer failed", envelope, origin="raw:0:1", post_id="weibo:dlq2")
    with own_prefix(live_services) as settings:
        produce(settings, [(b"weibo:dlq1", first), (None, second)], topic=TOPIC_DLQ)

        listed = _cli(settings, ["replay", "--dlq", "--list"])
        assert listed.returncode == 0, listed.stderr
        assert "weibo:dlq1" in listed.stdout and "weibo:dlq2" in listed.stdout
        assert "2 dead letters would be replayed" in listed.stdout
        assert consume_all(settings, TOPIC_RAW, timeout_s=3) == []

        command = shlex.split(json.loads(first)["replay"])
        assert command[0] == "yuqing"
        out = _cli(settings, command[1:])
        assert out.returncode == 0, out.stderr
        assert "replayed 1, skipped 0, failed 0" in out.stdout

        received = consume_all(settings, TOPIC_RAW, timeout_s=5)
        assert [(r.key, r.value) for r in received] == [(b"weibo:dlq1", raw)]
