"""The fast lane on the real Kafka, Elasticsearch and an SMTP server: an emergency produced behind 5,000
ordinary posts is e-mailed before those posts are indexed, and still indexed and grouped like any post."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.rig import Mailbox, Worker, es_count, own_prefix, post_record, produce, wait_until, worker_env
from yuqing.settings import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BACKLOG = 5000
SPOTS = ["湖泉生态园", "红河水乡", "锦屏山", "可邑小镇", "东风韵", "白龙洞"]
ORDINARY = [
    "{spot}今天天气不错，拍了好多照片，第{i}次来了",
    "请问{spot}门票多少钱？学生有没有优惠，第{i}个问题",
    "{spot}的小吃还可以，排队的人有点多，编号{i}",
    "周末带娃去了{spot}，孩子玩得很开心，推荐{i}",
]
EMERGENCY = "太平湖森林公园刚刚观光车翻了，车上好几个游客受伤，救护车还没到，快来人"


@pytest.fixture
def fresh(live_services: Settings) -> Iterator[Settings]:
    with own_prefix(live_services) as settings:
        yield settings


def test_an_emergency_behind_a_backlog_is_mailed_before_the_backlog_is_indexed(
    fresh: Settings, tmp_path: Path
) -> None:
    mailbox = Mailbox(tmp_path / "mail").start()
    worker = Worker(worker_env(fresh, mailbox, tmp_path / "state"), tmp_path / "worker.log").start()
    try:
        backlog = [
            {"source": "bg", "source_id": str(i),
             "text": ORDINARY[i % len(ORDINARY)].format(spot=SPOTS[i % len(SPOTS)], i=i)}
            for i in range(BACKLOG)
        ]  # fmt: skip
        produce(fresh, [post_record(p) for p in backlog])
        produced = time.time()
        produce(fresh, [post_record({"source": "wb", "source_id": "sos", "text": EMERGENCY})])

        def mailed():
            return [m for m in mailbox.messages() if str(m["X-Yuqing-Post-Id"] or "") == "wb:sos"] or None

        (mail,) = wait_until("the emergency's e-mail", mailed, 120, every=0.2)
        took, indexed = time.time() - produced, es_count(fresh)
        assert indexed < BACKLOG, f"mailed after {took:.1f}s, when {indexed} posts were indexed already"
        assert mail["Subject"].startswith("【高风险】太平湖森林公园")
        wait_until("every post indexed", lambda: es_count(fresh) >= BACKLOG + 1 or None, 300)
    finally:
        worker.stop()
        mailbox.stop()
    print(f"emergency mailed {took:.1f} s after the backlog was produced, {indexed} of {BACKLOG} indexed")
