"""The alert workflow (new → acknowledged → resolved | false alarm; assign while open) and response times.

The stream owns an alert's evidence fields and may refresh them; this module changes only the people's fields
(status, assignee, acknowledged_*, resolved_*, note) with partial updates guarded by the document's sequence
number, so a concurrent change by the stream or a colleague is never overwritten (409: reload).
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from yuqing.settings import ElasticsearchSettings

ACTIONS = ("acknowledge", "assign", "resolve", "false_alarm")
OPEN = ("new", "acknowledged")
STATUS_NAMES = {"new": "待处置", "acknowledged": "已签收", "resolved": "已办结", "false_alarm": "误报"}
# The article's 1-3-5 minute quick-response circles: what share of alerts is handled within each.
GOALS_S = (60, 180, 300)


class AlertActionError(Exception):
    """An action the alert's state does not allow; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def _parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def plan(
    alert: dict[str, Any], action: str, user: str, assignee: str | None, note: str | None
) -> dict[str, Any]:
    """The partial document an action writes, or AlertActionError when the state does not allow it."""
    status = alert.get("status") or "new"
    now = datetime.now(UTC).isoformat()
    if action not in ACTIONS:
        raise AlertActionError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}", 422)
    if status not in OPEN:
        raise AlertActionError(f"the alert is already {status}")
    if action == "acknowledge":
        if status != "new":
            raise AlertActionError("the alert is already acknowledged")
        return {"status": "acknowledged", "acknowledged_at": now, "acknowledged_by": user}
    if action == "assign":
        if not assignee:
            raise AlertActionError("name the colleague to assign", 422)
        return {"assignee": assignee}
    note = (note or "").strip()
    if action == "resolve" and not note:
        raise AlertActionError("resolving needs a note saying what was done", 422)
    if len(note) > 4000:
        raise AlertActionError("the note is longer than 4000 characters", 422)
    doc = {
        "status": "resolved" if action == "resolve" else "false_alarm",
        "resolved_at": now,
        "resolved_by": user,
        "note": note or None,
    }
    if status == "new":  # closing an alert nobody acknowledged acknowledges it at the same moment
        doc |= {"acknowledged_at": now, "acknowledged_by": user}
    return doc


class AlertStore:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name("alerts")

    async def get(self, alert_id: str) -> dict[str, Any] | None:
        try:
            doc = await self.es.get(index=self.index, id=alert_id)
        except NotFoundError:
            return None
        return doc["_source"] | {"_seq_no": doc["_seq_no"], "_primary_term": doc["_primary_term"]}

    async def apply(self, alert: dict[str, Any], doc: dict[str, Any]) -> None:
        try:
            await self.es.update(
                index=self.index,
                id=alert["id"],
                doc=doc,
                if_seq_no=alert["_seq_no"],
                if_primary_term=alert["_primary_term"],
                refresh="wait_for",
            )
        except ConflictError as exc:
            raise AlertActionError("the alert changed meanwhile: reload and try again") from exc

    async def search(
        self, filters: list[dict[str, Any]], size: int = 50, page: int = 1
    ) -> tuple[int, list[dict[str, Any]]]:
        resp = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            sort=[{"raised_at": "desc"}, {"id": "asc"}],
            size=size,
            from_=(page - 1) * size,
            track_total_hits=True,
        )
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]


def response_stats(alerts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per station: alerts, still open, minutes to acknowledge and to resolve (median, p90), and the share
    acknowledged / resolved within 1, 3 and 5 minutes (of all the station's alerts: an open one missed)."""
    by_station: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts:
        by_station.setdefault(alert.get("jurisdiction") or "（未定）", []).append(alert)
    rows = []
    for station, items in sorted(by_station.items(), key=lambda kv: -len(kv[1])):
        ack, res = [], []
        for a in items:
            raised = _parse_time(a.get("raised_at"))
            acked, resolved = _parse_time(a.get("acknowledged_at")), _parse_time(a.get("resolved_at"))
            if raised and acked:
                ack.append(max(0.0, (acked - raised).total_seconds()))
            if raised and resolved:
                res.append(max(0.0, (resolved - raised).total_seconds()))
        rows.append(
            {
                "station": station,
                "alerts": len(items),
                "open": sum(1 for a in items if (a.get("status") or "new") in OPEN),
                "ack_median_s": statistics.median(ack) if ack else None,
                "ack_p90_s": _p90(ack),
                "resolve_median_s": statistics.median(res) if res else None,
                "resolve_p90_s": _p90(res),
                "ack_within": {g: sum(1 for s in ack if s <= g) / len(items) for g in GOALS_S},
                "resolve_within": {g: sum(1 for s in res if s <= g) / len(items) for g in GOALS_S},
            }
        )
    return rows


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
