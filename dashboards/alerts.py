"""The alert workflow (new → acknowledged → resolved | false alarm → reopened; assign while open).

The stream owns an alert's evidence fields and may refresh them; this module changes only the people's fields
(status, assignee, acknowledged_*, resolved_*, note) with partial updates guarded by the document's sequence
number, so a concurrent change by the stream or a colleague is never overwritten: the loser is told in Chinese
what happened (for a 签收, who acknowledged it first and when).

Exceptions, drawn:

    AlertActionError    the alert's state does not allow the action (409), or the request lacks what it needs
                        (400: a reason; 422: an unknown action or colleague)
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from dashboards.alert_labels import ACTION_NAMES, STATUS_NAMES
from dashboards.alert_timing import GOALS_S, OPEN, response_stats
from dashboards.messages import say
from yuqing.schema import TZ
from yuqing.settings import ElasticsearchSettings

__all__ = ["GOALS_S", "OPEN", "STATUS_NAMES", "AlertActionError", "AlertStore", "plan", "response_stats"]

ACTIONS = ("acknowledge", "assign", "resolve", "false_alarm", "reopen")
Sort = Literal["severity", "waiting", "newest"]
NOTE_LIMIT = 4000
# Elasticsearch pages no further than this (index.max_result_window).
MAX_WINDOW = 10_000
_LEVEL_WEIGHT = {"high": 4, "medium": 3, "low": 2}  # `none` and anything else: 1


class AlertActionError(Exception):
    """An action the alert's state does not allow; `status` is the HTTP status to answer."""

    def __init__(self, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.status = status


def hhmm(value: Any) -> str:
    moment = value if isinstance(value, datetime) else None
    if moment is None and value:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(TZ).strftime("%H:%M") if moment else "—"


def taken_message(alert: dict[str, Any]) -> str:
    """What a colleague's earlier action left: 已被 X 于 HH:MM 签收, or the state it is in now."""
    status = alert.get("status") or "new"
    if status == "acknowledged" and alert.get("acknowledged_by"):
        at = hhmm(alert.get("acknowledged_at"))
        return say("alert_taken_acknowledged", who=alert["acknowledged_by"], at=at)
    if status in ("resolved", "false_alarm") and alert.get("resolved_by"):
        return say(f"alert_taken_{status}", who=alert["resolved_by"], at=hhmm(alert.get("resolved_at")))
    return say("alert_taken_updated", status=STATUS_NAMES.get(status, status))


def _reason(note: str | None, what: str) -> str:
    note = (note or "").strip()
    if not note:
        raise AlertActionError(say("alert_reason", what=what), 400)
    if len(note) > NOTE_LIMIT:
        raise AlertActionError(say("alert_note_long", limit=NOTE_LIMIT), 400)
    return note


def plan(
    alert: dict[str, Any], action: str, user: str, assignee: str | None, note: str | None
) -> dict[str, Any]:
    """The partial document an action writes, or AlertActionError when the state does not allow it."""
    status = alert.get("status") or "new"
    now = datetime.now(UTC).isoformat()
    if action not in ACTIONS:
        raise AlertActionError(say("alert_action_unknown", action=action, choices="、".join(ACTIONS)), 422)
    if action == "reopen":
        if status != "false_alarm":
            raise AlertActionError(say("alert_reopen_only_false"))
        note = _reason(note, ACTION_NAMES["alert_reopen"])
        # Back to the duty room: the first 签收 (and its time) still counts for the response figures.
        back = "acknowledged" if alert.get("acknowledged_at") else "new"
        return {"status": back, "resolved_at": None, "resolved_by": None, "note": note}
    if status not in OPEN:
        raise AlertActionError(taken_message(alert))
    if action == "acknowledge":
        if status != "new":
            raise AlertActionError(taken_message(alert))
        return {"status": "acknowledged", "acknowledged_at": now, "acknowledged_by": user}
    if action == "assign":
        if not assignee:
            raise AlertActionError(say("alert_assignee"), 422)
        return {"assignee": assignee}
    note = _reason(note, ACTION_NAMES[f"alert_{action}"])
    doc = {
        "status": "resolved" if action == "resolve" else "false_alarm",
        "resolved_at": now,
        "resolved_by": user,
        "note": note,
    }
    if status == "new":  # closing an alert nobody acknowledged acknowledges it at the same moment
        doc |= {"acknowledged_at": now, "acknowledged_by": user}
    return doc


def sorted_query(filters: list[dict[str, Any]], sort: Sort) -> tuple[dict[str, Any], list[Any]]:
    """The query and sort for one order: most severe first, longest waiting first, or newest first.

    Without painless (this Elasticsearch has none), a rank is a function_score of weighted filters."""
    base = {"bool": {"filter": filters}}
    oldest = [{"raised_at": "asc"}, {"id": "asc"}]
    if sort == "newest":
        return base, [{"raised_at": "desc"}, {"id": "asc"}]
    if sort == "waiting":  # the unacknowledged first, each group by how long it has waited
        functions = [{"filter": {"term": {"status": "new"}}, "weight": 2}]
    else:
        functions = [{"filter": {"term": {"level": lv}}, "weight": w} for lv, w in _LEVEL_WEIGHT.items()]
    query = {
        "function_score": {
            "query": base,
            "functions": functions,
            "score_mode": "max",
            "boost_mode": "replace",
        }
    }
    return query, [{"_score": "desc"}, *oldest]


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
            # A colleague (or the stream) wrote first: say what they did, from the document as it is now.
            now = await self.get(alert["id"]) or alert
            raise AlertActionError(taken_message(now)) from exc

    async def search(
        self, filters: list[dict[str, Any]], size: int = 50, page: int = 1, sort: Sort = "newest"
    ) -> tuple[int, list[dict[str, Any]]]:
        start = min((page - 1) * size, MAX_WINDOW)
        query, order = sorted_query(filters, sort)
        resp = await self.es.search(
            index=self.index,
            query=query,
            sort=order,
            size=min(size, MAX_WINDOW - start),
            from_=start,
            track_total_hits=True,
        )
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]

    async def count(self, filters: list[dict[str, Any]]) -> int:
        resp = await self.es.count(index=self.index, query={"bool": {"filter": filters}})
        return resp["count"]
