"""The notifier against the real Elasticsearch and an SMTP server: digests, refreshes, people's fields."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.rig import Mailbox, own_prefix
from streams.notify.delivery import Notifier
from yuqing import es as es_setup
from yuqing.config import load_stations
from yuqing.schema import Alert
from yuqing.settings import Settings


@pytest.fixture
def initialized(live_services: Settings) -> Iterator[Settings]:
    """An alerts index of this module alone (others count their alerts)."""
    with own_prefix(live_services) as settings:
        yield settings


@pytest.fixture
def es_client(initialized: Settings):
    client = es_setup.client(initialized.es)
    yield client
    client.close()


def _alert(alert_id: str, level: str, station: str = "弥阳派出所", similar: int = 0) -> Alert:
    return Alert(
        id=alert_id,
        rule="r",
        rule_type="level",
        level=level,
        summary=f"{alert_id} 摘要",
        spots=["湖泉生态园"],
        jurisdiction=station,
        recipients=["duty@police.example"],
        similar_count=similar,
    )


def _notifier(settings: Settings, mailbox: Mailbox) -> Notifier:
    smtp = settings.smtp.model_copy(update={"host": "127.0.0.1", "port": mailbox.port})
    mine = settings.model_copy(update={"smtp": smtp})
    return Notifier(mine, es_setup.async_client(settings.es), load_stations(), {"low"})


def test_low_alerts_go_out_as_one_digest_per_station(
    initialized: Settings, tmp_path: Path, es_client
) -> None:
    mailbox = Mailbox(tmp_path / "mail").start()

    async def run() -> tuple[list[str], int, int]:
        notifier = _notifier(initialized, mailbox)
        try:
            outcomes = [await notifier.handle(_alert(f"low-{i}", "low")) for i in range(3)]
            outcomes.append(await notifier.handle(_alert("low-x", "low", station="虹溪派出所")))
            await notifier.client.indices.refresh(index=initialized.es.name("alerts"))
            covered = await notifier.send_digests()
            await notifier.client.indices.refresh(index=initialized.es.name("alerts"))
            again = await notifier.send_digests()
            return outcomes, covered, again
        finally:
            await notifier.client.close()

    try:
        outcomes, covered, again = asyncio.run(run())
    finally:
        mailbox.stop()
    assert outcomes == ["queued for digest"] * 4
    assert covered == 4 and again == 0
    subjects = sorted(m["Subject"] for m in mailbox.messages())
    assert len(subjects) == 2 and "3 条" in subjects[1] + subjects[0]
    docs = es_client.search(index=initialized.es.name("alerts"), query={"prefix": {"id": "low-"}})["hits"][
        "hits"
    ]
    assert all(d["_source"]["notified_at"] for d in docs)


def test_a_refresh_keeps_the_people_fields_and_sends_nothing(
    initialized: Settings, tmp_path: Path, es_client
) -> None:
    mailbox = Mailbox(tmp_path / "mail").start()
    index = initialized.es.name("alerts")

    async def run() -> list[str]:
        notifier = _notifier(initialized, mailbox)
        try:
            first = await notifier.handle(_alert("high-1", "high"))
            await notifier.client.update(
                index=index, id="high-1", doc={"status": "acknowledged", "assignee": "张三"}
            )
            second = await notifier.handle(_alert("high-1", "high", similar=4))
            return [first, second]
        finally:
            await notifier.client.close()

    try:
        outcomes = asyncio.run(run())
    finally:
        mailbox.stop()
    assert outcomes == ["sent", "already notified"]
    assert len(mailbox.message_ids()) == 1
    doc = es_client.get(index=index, id="high-1")["_source"]
    assert doc["status"] == "acknowledged" and doc["assignee"] == "张三" and doc["similar_count"] == 4
