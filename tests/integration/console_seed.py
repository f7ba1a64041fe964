"""Alerts and accounts for the alert console's tests, on top of the dashboard seed (web_seed).

西三派出所 gets 60 more alerts (every level and status, raised 1-120 minutes ago) so its open list runs past
one page of 50; 虹溪派出所 gets five alerts whose statistics must agree: two acknowledged within 30 seconds,
three unacknowledged for 10 minutes; 东风派出所 gets four new alerts waiting 0.5, 2, 4 and 10 minutes.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from web_seed import PASSWORD

from dashboards.accounts import Accounts
from yuqing import es as es_setup
from yuqing.schema import Alert
from yuqing.settings import Settings

OFFICERS = (  # username, station, 姓名
    ("duty_xisan2", "西三派出所", "李明"),
    ("duty_dongfeng", "东风派出所", None),
    ("duty_hongxi", "虹溪派出所", None),
)
LEVELS = ("high", "medium", "low")
WAITS_MIN = {"wait-ok": 0.5, "wait-warn": 2, "wait-late": 4, "wait-overdue": 10}


def _alert(alert_id: str, station: str, level: str, raised: datetime, **people: Any) -> Alert:
    return Alert.model_validate(
        {"id": alert_id, "rule": "high_risk_post" if level == "high" else "medium_risk_post",
         "level": level, "jurisdiction": station, "summary": f"{station} 测试预警 {alert_id}",
         "spots": [], "raised_at": raised.isoformat(), **people}
    )  # fmt: skip


def console_alerts(now: datetime) -> list[Alert]:
    out = []
    for i in range(60):
        status = "acknowledged" if i % 4 == 3 else "new"
        people = (
            {"acknowledged_by": "duty_xisan", "acknowledged_at": (now - timedelta(minutes=i)).isoformat()}
            if status == "acknowledged"
            else {}
        )
        raised = now - timedelta(minutes=1 + 2 * i)
        if i == 4:  # the one closed as a false alarm and reopened: its evidence post gets the mark
            people["post_ids"] = ["console:xs-04"]
        out.append(_alert(f"xs-{i:02d}", "西三派出所", LEVELS[i % 3], raised, status=status, **people))
    for i in range(2):
        raised = now - timedelta(minutes=20)
        acked = (raised + timedelta(seconds=30)).isoformat()
        out.append(_alert(f"hx-ack{i}", "虹溪派出所", "high", raised, status="acknowledged",
                          acknowledged_by="duty_hongxi", acknowledged_at=acked))  # fmt: skip
    for i in range(3):
        out.append(_alert(f"hx-wait{i}", "虹溪派出所", "high", now - timedelta(minutes=10)))
    for name, minutes in WAITS_MIN.items():
        out.append(_alert(name, "东风派出所", "medium", now - timedelta(minutes=minutes)))
    return out


def seed_console(settings: Settings) -> None:
    client = es_setup.client(settings.es)
    try:
        for alert in console_alerts(datetime.now(UTC)):
            es_setup.index_alert(client, settings.es, alert)
        client.indices.refresh(index=settings.es.name("alerts"))
    finally:
        client.close()

    async def add_users() -> None:
        client = es_setup.async_client(settings.es)
        try:
            accounts = Accounts(client, settings.es)
            for name, station, person in OFFICERS:
                if await accounts.get(name) is None:
                    await accounts.add(name, PASSWORD, "duty_officer", station, display_name=person)
        finally:
            await client.close()

    asyncio.run(add_users())
