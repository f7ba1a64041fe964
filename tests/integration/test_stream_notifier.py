"""The notifier against the real Elasticsearch and an SMTP server: digests, refreshes, people's fields."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.rig import Mailbox, own_prefix
from streams.notify.delivery import Notifier
from streams.rules import load_rules
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
    return Notifier(mine, es_setup.async_client(settings.es), load_stations(), {"low"}, rules=load_rules())


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


def _event_alert(size: int, level: str = "high", sources=("weibo",), status: str = "open", **kw) -> Alert:
    return _alert("event:inc-1", level).model_copy(
        update={
            "event_id": "ev-inc-1",
            "event_size": size,
            "similar_count": size - 1,
            "sources": list(sources),
            "event_status": status,
            **kw,
        }
    )


def _notifier_every(settings: Settings, mailbox: Mailbox, minutes: float) -> Notifier:
    notifier = _notifier(settings, mailbox)
    notifier.update_every = __import__("datetime").timedelta(minutes=minutes)
    return notifier


def test_concurrent_writers_on_one_alert_lose_no_update_and_send_once(
    initialized: Settings, tmp_path: Path, es_client
) -> None:
    """Many messages of one event in one batch and across batches, two notifiers (two workers, or the agent
    and the timer) on one alert at once, a person acknowledging meanwhile: no conflict escapes, the last
    count wins, one first e-mail."""
    mailbox = Mailbox(tmp_path / "mail").start()
    index = initialized.es.name("alerts")

    async def run() -> None:
        a, b = _notifier_every(initialized, mailbox, 60), _notifier_every(initialized, mailbox, 60)
        try:
            await a.handle(_event_alert(1))
            batches = [[_event_alert(n) for n in range(start, start + 20)] for start in range(2, 200, 20)]
            for batch in batches:
                await asyncio.gather(
                    a.handle_batch(batch),
                    b.handle_batch(list(reversed(batch))),
                    b.handle(_event_alert(batch[-1].event_size)),
                    a.client.update(
                        index=index, id="event:inc-1", doc={"status": "acknowledged"}, retry_on_conflict=10
                    ),
                )
            await a.handle(_event_alert(500))
            assert a.stats.get("alerts/coalesced", 0) >= 9 * 19
        finally:
            await a.client.close()
            await b.client.close()

    try:
        asyncio.run(run())
    finally:
        mailbox.stop()
    doc = es_client.get(index=index, id="event:inc-1")["_source"]
    assert doc["event_size"] == 500 and doc["status"] == "acknowledged"
    assert len(mailbox.message_ids()) == 1 and doc["update_due_at"]  # the growth waits for its interval


def test_a_batch_is_recorded_in_one_read_and_one_bulk_and_a_write_between_is_kept(
    initialized: Settings, tmp_path: Path, es_client
) -> None:
    """Twenty alerts recorded by one mget and one bulk; in the next batch a person acknowledges one alert
    between the notifier's read and its write: that alert's versioned update conflicts and is done again one
    by one, so the person's field and the new count both stay, and nothing is mailed twice."""
    mailbox = Mailbox(tmp_path / "mail").start()
    index = initialized.es.name("alerts")

    async def run() -> dict[str, int]:
        notifier = _notifier(initialized, mailbox)
        calls: list[str] = []
        bulk, mget = notifier.client.bulk, notifier.client.mget

        async def counted_mget(**kw):
            calls.append("mget")
            return await mget(**kw)

        async def bulk_after_a_person(**kw):
            calls.append("bulk")
            if len(calls) > 2:  # the second batch: a person acts after the read
                await notifier.client.update(index=index, id="b-7", doc={"status": "acknowledged"})
            return await bulk(**kw)

        notifier.client.bulk, notifier.client.mget = bulk_after_a_person, counted_mget
        try:
            first = await notifier.handle_batch([_alert(f"b-{i}", "medium") for i in range(20)])
            assert calls == ["mget", "bulk"] and first == ["sent"] * 20
            second = await notifier.handle_batch([_alert(f"b-{i}", "medium", similar=9) for i in range(20)])
            assert second == ["already notified"] * 20
            return notifier.stats
        finally:
            await notifier.client.close()

    try:
        stats = asyncio.run(run())
    finally:
        mailbox.stop()
    assert stats["alerts/created"] == 20 and stats["alerts/conflicts"] == 1
    assert stats["alerts/updated"] == 20  # 19 in the bulk, the conflicted one again on its own
    assert len(mailbox.message_ids()) == 20
    found = es_client.mget(index=index, ids=[f"b-{i}" for i in range(20)])["docs"]
    docs = {d["_id"]: d["_source"] for d in found}
    assert all(docs[f"b-{i}"]["similar_count"] == 9 for i in range(20))
    assert docs["b-7"]["status"] == "acknowledged"


def test_updates_are_threaded_escalations_go_at_once_growth_waits(
    initialized: Settings, tmp_path: Path, es_client
) -> None:
    mailbox = Mailbox(tmp_path / "mail").start()
    index = initialized.es.name("alerts")

    async def run() -> list[str]:
        notifier = _notifier_every(initialized, mailbox, 60)
        try:
            out = [await notifier.handle(_event_alert(1, "medium"))]
            out.append(await notifier.handle(_event_alert(2, "medium")))  # nothing new enough
            out.append(await notifier.handle(_event_alert(3, "high")))  # escalated: at once
            out.append(await notifier.handle(_event_alert(40, "high", sources=("weibo", "douyin"))))
            # the interval has passed (as the leader's timer would find it)
            await notifier.client.update(index=index, id="event:inc-1", refresh="wait_for",
                                         doc={"update_due_at": "2020-01-01T00:00:00+00:00"})  # fmt: skip
            out.append(str(await notifier.send_due_updates()))
            out.append(
                await notifier.handle(_event_alert(41, "high", ("weibo", "douyin"), "reported_resolved"))
            )
            out.append(str(await notifier.send_due_updates()))  # nothing owed any more
            return out
        finally:
            await notifier.client.close()

    try:
        outcomes = asyncio.run(run())
        mails = mailbox.messages()
    finally:
        mailbox.stop()
    assert outcomes == ["sent", "already notified", "update sent", "update owed", "1", "update sent", "0"]
    assert len(mails) == 4
    first, *updates = mails
    assert all(m["In-Reply-To"] == first["Message-ID"] for m in updates)
    bodies = [m.get_body(("plain",)).get_content() for m in updates]
    assert "预警升级" in bodies[0] and "miyang-chief" not in str(first["Cc"] or "")
    assert "douyin" in bodies[1] and "3 → 40 条（×5" in bodies[1] and "已处置" in bodies[2]
    doc = es_client.get(index=index, id="event:inc-1")["_source"]
    whats = [h["what"] for h in doc["history"]]
    assert whats[:2] == ["raised", "mailed"] and "escalated" in whats and whats.count("update") == 3
    assert "reported_resolved" in whats and doc["update_due_at"] is None


def test_letters_to_agencies_are_drafts_never_mail(initialized: Settings, tmp_path: Path, es_client) -> None:
    mailbox = Mailbox(tmp_path / "mail").start()
    alert = _alert("event:zaike", "medium").model_copy(
        update={"rule": "medium_risk_post", "event_id": "ev-zaike", "categories": ["consumer"],
                "evidence": {"post_id": "tieba:t1", "url": "https://tieba.example/p/1", "source": "tieba"}}
    )  # fmt: skip

    async def run() -> None:
        notifier = _notifier(initialized, mailbox)
        try:
            await notifier.handle(alert)
            reply = alert.model_copy(update={"evidence": {**alert.evidence, "post_id": "tieba:p2"}})
            await notifier.handle(reply)
        finally:
            await notifier.client.close()

    try:
        asyncio.run(run())
        mails = mailbox.messages()
    finally:
        mailbox.stop()
    assert [str(m["X-Yuqing-Alert-Id"]) for m in mails] == ["event:zaike"]  # the station's, nobody else's
    assert all("gov.example" not in str(m["To"]) for m in mails)
    es_client.indices.refresh(index=initialized.es.name("letters"))
    drafts = es_client.search(index=initialized.es.name("letters"), size=10)["hits"]["hits"]
    assert sorted(d["_source"]["agency"] for d in drafts) == ["culture_tourism", "market"]
    assert all(d["_source"]["status"] == "draft" and d["_source"]["number"] is None for d in drafts)
    assert all(d["_source"]["event_id"] == "ev-zaike" for d in drafts)


def test_a_forged_alert_cannot_choose_where_mail_and_letters_go(
    initialized: Settings, tmp_path: Path, es_client
) -> None:
    """Whatever can write to the alerts topic names recipients, copies and agencies in vain: the notifier
    addresses every alert from the roster (the station's duty officers, its supervisors when high)."""
    mailbox = Mailbox(tmp_path / "mail").start()
    forged = _alert("forged:1", "high").model_copy(
        update={"rule": "no_such_rule", "recipients": ["attacker@evil.example"], "cc": ["spy@evil.example"],
                "agencies": ["market"], "event_id": "ev-forged", "categories": ["consumer"]}
    )  # fmt: skip
    stations = load_stations()
    station = stations.get("弥阳派出所")

    async def run() -> Notifier:
        notifier = _notifier(initialized, mailbox)
        try:
            await notifier.handle_batch([forged])
        finally:
            await notifier.client.close()
        return notifier

    try:
        notifier = asyncio.run(run())
        (mail,) = mailbox.messages()
    finally:
        mailbox.stop()
    everyone = f"{mail['To']},{mail['Cc']}"
    assert "evil.example" not in everyone
    assert {p.email for p in station.duty_officers} & set(everyone.replace(" ", "").split(","))
    assert all(p.email in everyone for p in station.supervisors)  # high: the supervisors are copied
    assert notifier.stats["alerts/readdressed"] == 1
    doc = es_client.get(index=initialized.es.name("alerts"), id="forged:1")["_source"]
    assert "attacker@evil.example" not in doc["recipients"] and doc["agencies"] == []
    es_client.indices.refresh(index=initialized.es.name("letters"))
    drafts = es_client.search(index=initialized.es.name("letters"), query={"term": {"event_id": "ev-forged"}})
    assert drafts["hits"]["total"]["value"] == 0
