"""What the alert console shows: one page of alerts with waiting times and Chinese labels, the shift's
counts (unacknowledged, overdue), the open high alerts (a new one is seen on any page), who can be assigned.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from dashboards.accounts import Accounts, User
from dashboards.alert_labels import LEVEL_LABELS, STATUS_NAMES
from dashboards.alert_timing import GOALS_S, with_wait
from dashboards.alerts import AlertStore, Sort
from yuqing.labels import rule_name

PAGE_SIZE = 25
LIST_FIELDS = (
    "id", "rule", "level", "summary", "spots", "jurisdiction", "status", "raised_at", "similar_count",
    "assignee", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by",
)  # fmt: skip


def alert_filters(
    scope: str | None,
    status: str = "open",
    levels: list[str] | None = None,
    station: str | None = None,
    spot: str | None = None,
    days: int | None = None,
) -> list[dict[str, Any]]:
    """Filters for one viewer: `scope` is a duty officer's own station (None: every station)."""
    filters: list[dict[str, Any]] = []
    if scope is not None or station:
        filters.append({"term": {"jurisdiction": station if scope is None else scope}})
    if status == "open":
        filters.append({"terms": {"status": ["new", "acknowledged"]}})
    elif status != "any":
        filters.append({"term": {"status": status}})
    if levels:
        filters.append({"terms": {"level": levels}})
    if spot:
        filters.append({"term": {"spots": spot}})
    if days:
        since = datetime.now(UTC) - timedelta(days=days)
        filters.append({"range": {"raised_at": {"gte": since.isoformat()}}})
    return filters


def labelled(alert: dict[str, Any], now: datetime) -> dict[str, Any]:
    """One list row: the alert's own fields plus its waiting time and Chinese labels."""
    row = {k: alert.get(k) for k in LIST_FIELDS}
    row["status"] = row["status"] or "new"
    row |= {
        "rule_name": rule_name(alert.get("rule")),
        "level_name": LEVEL_LABELS.get(alert.get("level") or "", alert.get("level")),
        "status_name": STATUS_NAMES.get(row["status"], row["status"]),
    }
    return with_wait(row, now)


async def listing(
    store: AlertStore, scope: str | None, status: str, levels: list[str], station: str | None,
    spot: str | None, sort: Sort, page: int, size: int = PAGE_SIZE,
) -> dict[str, Any]:  # fmt: skip
    """One page of the console, with the counts of the viewer's whole shift (not just this page)."""
    now = datetime.now(UTC)
    filters = alert_filters(scope, status, levels, station, spot)
    total, items = await store.search(filters, size=size, page=page, sort=sort)
    mine = alert_filters(scope, "new", None, station)
    overdue_since = (now - timedelta(seconds=GOALS_S[-1])).isoformat()
    unacked = await store.count(mine)
    overdue = await store.count([*mine, {"range": {"raised_at": {"lt": overdue_since}}}])
    _, high = await store.search(alert_filters(scope, "new", ["high"], station), size=200, sort="newest")
    return {
        "now": now.isoformat(),
        "total": total,
        "page": page,
        "size": size,
        "pages": max(1, -(-total // size)),
        "sort": sort,
        "unacknowledged": unacked,
        "overdue": overdue,
        "new_high": [{"id": a["id"], "summary": a.get("summary") or ""} for a in high],
        "alerts": [labelled(a, now) for a in items],
    }


def change_key(page: dict[str, Any]) -> str:
    """What must differ for the stream to send a page again (the clock and running waits aside)."""
    rows = [{k: v for k, v in a.items() if k not in ("wait_s", "wait_class")} for a in page["alerts"]]
    rest = {k: v for k, v in page.items() if k not in ("now", "alerts")}
    return json.dumps([rest, rows], ensure_ascii=False, sort_keys=True, default=str)


def display_name(user: User) -> str:
    """The officer's name (姓名) and account, or the account alone when no name was given."""
    return f"{user.display_name}（{user.username}）" if user.display_name else user.username


async def duty_officers(accounts: Accounts, station: str | None) -> list[dict[str, str]]:
    """The active duty officers of the alert's station (admins and analysts do not work alerts)."""
    users = await accounts.list()
    return [
        {"username": u.username, "name": display_name(u)}
        for u in sorted(users, key=lambda u: u.username)
        if u.role == "duty_officer" and not u.disabled and station and u.station == station
    ]
