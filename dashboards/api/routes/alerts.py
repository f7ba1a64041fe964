"""The alert console's API: a live, paged list with waiting times, one alert with its evidence, the workflow
actions (签收 / 指派 / 办结 / 误报 and its reopening), response times against the 1-3-5 minute goals (the
console's pages: dashboards/api/pages/alerts.py).

A duty officer sees and works their own station's alerts only (`ViewerStation`, as the screen). The list is
kept live by server-sent events like the screen's stream. A form post that cannot be done goes back to the
alert's page with a notice (never a JSON page); a JSON call gets the Chinese reason with its status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from dashboards.alert_console import PAGE_SIZE, alert_filters, change_key, duty_officers, listing
from dashboards.alert_timing import GOALS_S, response_stats
from dashboards.alerts import AlertActionError, AlertStore, Sort, plan
from dashboards.api.deps import (
    CsrfBody,
    CurrentUser,
    ServicesDep,
    ViewerStation,
    client_ip,
    is_form,
    local_path,
    session_holds,
    visible,
)
from dashboards.api.services import Services
from dashboards.messages import say
from yuqing.schema import RiskLevel

router = APIRouter(tags=["alerts"])

Status = Literal["new", "acknowledged", "resolved", "false_alarm", "open", "any"]
ALERT_ID_CHARS = 400


def levels(values: list[str]) -> list[str]:
    try:
        return [RiskLevel(v).value for v in values if v]
    except ValueError as exc:
        raise HTTPException(422, say("alert_level", choices="、".join(v.value for v in RiskLevel))) from exc


async def station_stats(svc: Services, scope: str | None, days: int) -> list[dict[str, Any]]:
    _, items = await svc.alerts.search(alert_filters(scope, "any", days=days), size=10_000)
    return response_stats(items)


@dataclass(frozen=True)
class AlertList:
    """Which alerts a console list shows: the same parameters for the API, its stream and the page."""

    scope: str | None
    status: Status
    levels: list[str]
    station: str | None
    spot: str | None
    sort: Sort
    page: int

    async def listing(self, store: AlertStore, size: int = PAGE_SIZE) -> dict[str, Any]:
        return await listing(
            store, self.scope, self.status, self.levels, self.station, self.spot, self.sort, self.page, size
        )


def alert_list(
    scope: ViewerStation,
    status: Status = "open",
    level: list[str] = Query([]),
    station: str | None = Query(None, max_length=100),
    spot: str | None = Query(None, max_length=100),
    sort: Sort = "severity",
    page: int = Query(1, ge=1, le=400),
) -> AlertList:
    # The page's form sends "" for 全部: no filter, as when the parameter is left out.
    return AlertList(scope, status, levels(level), station or None, spot or None, sort, page)


AlertListQuery = Annotated[AlertList, Depends(alert_list)]


@router.get("/alerts")
async def api_alerts(
    wanted: AlertListQuery, svc: ServicesDep, size: int = Query(PAGE_SIZE, ge=1, le=200)
) -> dict[str, Any]:
    """One page of alerts (a duty officer's own station only), most severe or longest waiting or newest
    first; each with `wait_s` / `wait_class` (ok, warn, late, overdue: ≤1, ≤3, ≤5, past 5 minutes to 签收)."""
    return await wanted.listing(svc.alerts, size)


@router.get("/alerts/stream")
async def alerts_stream(request: Request, wanted: AlertListQuery, principal: CurrentUser, svc: ServicesDep):
    """Server-sent events: a `listing` event (the page as `/api/alerts` gives it) now and whenever it changes,
    checked every WEB_SCREEN_REFRESH_S seconds while the session holds."""
    every = svc.settings.web.screen_refresh_s

    async def events() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            try:
                page_ = await wanted.listing(svc.alerts)
                key = change_key(page_)
            except Exception as exc:  # shown on the console; the next try may work
                page_, key = {"error": say("refresh_failed", error=type(exc).__name__)}, "error"
            if key != last:
                yield f"event: listing\ndata: {json.dumps(page_, ensure_ascii=False, default=str)}\n\n"
                last = key
            else:
                yield ": unchanged\n\n"
            await asyncio.sleep(every)
            if not await session_holds(svc, principal):
                return

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/alerts/stats")
async def api_alert_stats(
    scope: ViewerStation, svc: ServicesDep, days: int = Query(7, ge=1, le=365)
) -> dict[str, Any]:
    """Per station: time from alert to 签收 and to 办结 against the 1-3-5 minute goals; an alert still
    unacknowledged past a goal counts as late in every figure."""
    return {"days": days, "goals_s": list(GOALS_S), "stations": await station_stats(svc, scope, days)}


async def visible_alert(alert_id: str, scope: ViewerStation, svc: ServicesDep) -> dict[str, Any]:
    """The alert of the path, if the viewer may see it: another station's answers like a missing one (404),
    so a duty officer learns nothing about it."""
    if len(alert_id) > ALERT_ID_CHARS:
        raise HTTPException(422, say("alert_id_long", limit=ALERT_ID_CHARS))
    return visible(
        await svc.alerts.get(alert_id), scope, HTTPException(404, say("alert_missing", alert_id=alert_id))
    )


VisibleAlert = Annotated[dict[str, Any], Depends(visible_alert)]


@router.get("/alerts/{alert_id:path}")
async def api_alert(alert: VisibleAlert) -> dict[str, Any]:
    """One alert with its evidence and reason."""
    return {k: v for k, v in alert.items() if not k.startswith("_")}


def _alert_path(alert_id: str) -> str:
    return "/alerts/" + quote(alert_id, safe=":")


@router.post("/alerts/{alert_id:path}/{action}")
async def act(
    request: Request,
    alert_id: str,
    action: str,
    body: CsrfBody,
    alert: VisibleAlert,
    principal: CurrentUser,
    svc: ServicesDep,
):
    """acknowledge | assign (`assignee`) | resolve (`note` required) | false_alarm (`note`: the reason,
    required) | reopen (a false alarm back to work; `note` required). A 签收 that a colleague made first
    answers 409 with 已被 X 于 HH:MM 签收."""
    assignee = str(body.get("assignee") or "").strip() or None
    note = body.get("note")
    try:
        if action == "assign":
            await _check_assignee(svc, alert, assignee)
        doc = plan(alert, action, principal.name, assignee, note if isinstance(note, str) else None)
        await svc.alerts.apply(alert, doc)
    except AlertActionError as exc:
        if is_form(request):
            notice = "conflict" if exc.status == 409 else "reason" if exc.status == 400 else "invalid"
            return RedirectResponse(f"{_alert_path(alert_id)}?notice={notice}", 303)
        raise HTTPException(exc.status, str(exc)) from exc
    if action in ("false_alarm", "reopen") and alert.get("post_ids"):
        corrections, evidence = svc.corrections, alert["post_ids"][0]
        if action == "false_alarm":
            await corrections.mark_false_alarm(evidence, alert_id, principal.name, doc.get("note"))
        else:  # the evidence post counts again as the model judged it
            await corrections.clear_false_alarm(evidence, alert_id)
    await svc.audit.record(
        principal.name,
        f"alert_{action}",
        target=alert_id,
        role=principal.role,
        ip=client_ip(request),
        details={"from": alert.get("status") or "new", **doc},
        # A form's redirect shows the history at once; the console's JSON call is not kept waiting for it.
        refresh=is_form(request),
    )
    if is_form(request):
        return RedirectResponse(local_path(body.get("next"), _alert_path(alert_id)), 303)
    return {"id": alert_id, **doc}


async def _check_assignee(svc: Services, alert: dict[str, Any], assignee: str | None) -> None:
    if not assignee:
        raise AlertActionError(say("assignee_missing"), 422)
    officers = await duty_officers(svc.accounts, alert.get("jurisdiction"))
    if assignee not in {o["username"] for o in officers}:
        station = alert.get("jurisdiction") or say("station_unknown")
        raise AlertActionError(say("assignee_not_on_duty", assignee=assignee, station=station), 422)
