"""The alert console: a live, paged list with waiting times, one alert with its evidence, the workflow
actions (签收 / 指派 / 办结 / 误报 and its reopening), response times against the 1-3-5 minute goals.

A duty officer sees and works their own station's alerts only (`ViewerStation`, as the screen). The list is
kept live by server-sent events like the screen's stream. A form post that cannot be done goes back to the
alert's page with a notice (never a JSON page); a JSON call gets the Chinese reason with its status.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from dashboards.alert_console import PAGE_SIZE, alert_filters, change_key, duty_officers, listing
from dashboards.alert_labels import ACTION_NAMES, STATUS_NAMES, WAIT_NAMES, reason_rows
from dashboards.alert_timing import GOALS_S, response_stats, with_wait
from dashboards.alerts import AlertActionError, AlertStore, Sort, plan, taken_message
from dashboards.api.deps import (
    Principal,
    Services,
    ViewerStation,
    client_ip,
    csrf_checked,
    current_user,
    is_form,
    local_path,
    services,
    session_ended,
)
from dashboards.corrections import Corrections
from dashboards.messages import say
from yuqing.labels import RULE_NAMES, rule_name
from yuqing.schema import RiskLevel

router = APIRouter(tags=["alerts"])

Status = Literal["new", "acknowledged", "resolved", "false_alarm", "open", "any"]
NOTICES = {"reason": "notice_reason", "invalid": "notice_invalid"}  # ?notice= → a catalogue key


def _store(svc: Services) -> AlertStore:
    return AlertStore(svc.es, svc.settings.es)


def _levels(values: list[str]) -> list[str]:
    try:
        return [RiskLevel(v).value for v in values if v]
    except ValueError as exc:
        raise HTTPException(422, say("alert_level", choices="、".join(v.value for v in RiskLevel))) from exc


async def station_stats(svc: Services, scope: str | None, days: int) -> list[dict[str, Any]]:
    _, items = await _store(svc).search(alert_filters(scope, "any", days=days), size=10_000)
    return response_stats(items)


@router.get("/api/alerts")
async def api_alerts(
    scope: ViewerStation,
    status: Status = "open",
    level: list[str] = Query([]),
    station: str | None = Query(None, max_length=100),
    spot: str | None = Query(None, max_length=100),
    sort: Sort = "severity",
    page: int = Query(1, ge=1, le=400),
    size: int = Query(PAGE_SIZE, ge=1, le=200),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """One page of alerts (a duty officer's own station only), most severe or longest waiting or newest
    first; each with `wait_s` / `wait_class` (ok, warn, late, overdue: ≤1, ≤3, ≤5, past 5 minutes to 签收)."""
    return await listing(_store(svc), scope, status, _levels(level), station, spot, sort, page, size)


async def _session_holds(svc: Services, principal: Principal) -> bool:
    if principal.session.expired:
        return False
    user = await svc.accounts.get(principal.name)
    return not session_ended(user, principal.session, svc.settings.web.idle_timeout_min * 60)


@router.get("/api/alerts/stream")
async def alerts_stream(
    request: Request,
    scope: ViewerStation,
    status: Status = "open",
    level: list[str] = Query([]),
    station: str | None = Query(None, max_length=100),
    spot: str | None = Query(None, max_length=100),
    sort: Sort = "severity",
    page: int = Query(1, ge=1, le=400),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    """Server-sent events: a `listing` event (the page as `/api/alerts` gives it) now and whenever it changes,
    checked every WEB_SCREEN_REFRESH_S seconds while the session holds."""
    levels, every = _levels(level), svc.settings.web.screen_refresh_s

    async def events() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            try:
                page_ = await listing(_store(svc), scope, status, levels, station, spot, sort, page)
                key = change_key(page_)
            except Exception as exc:  # shown on the console; the next try may work
                page_, key = {"error": say("refresh_failed", error=type(exc).__name__)}, "error"
            if key != last:
                yield f"event: listing\ndata: {json.dumps(page_, ensure_ascii=False, default=str)}\n\n"
                last = key
            else:
                yield ": unchanged\n\n"
            await asyncio.sleep(every)
            if not await _session_holds(svc, principal):
                return

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/api/alerts/stats")
async def api_alert_stats(
    scope: ViewerStation, days: int = Query(7, ge=1, le=365), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Per station: time from alert to 签收 and to 办结 against the 1-3-5 minute goals; an alert still
    unacknowledged past a goal counts as late in every figure."""
    return {"days": days, "goals_s": list(GOALS_S), "stations": await station_stats(svc, scope, days)}


async def visible_alert(svc: Services, principal: Principal, alert_id: str) -> dict[str, Any]:
    if len(alert_id) > 400:
        raise HTTPException(422, say("alert_id_long", limit=400))
    alert = await _store(svc).get(alert_id)
    # Another station's alert answers like a missing one: a duty officer learns nothing about it.
    if alert is None or not principal.can_see_station(alert.get("jurisdiction")):
        raise HTTPException(404, say("alert_missing", alert_id=alert_id))
    return alert


@router.get("/api/alerts/{alert_id:path}")
async def api_alert(
    alert_id: str, principal: Principal = Depends(current_user), svc: Services = Depends(services)
) -> dict[str, Any]:
    """One alert with its evidence and reason."""
    alert = await visible_alert(svc, principal, alert_id)
    return {k: v for k, v in alert.items() if not k.startswith("_")}


def _alert_path(alert_id: str) -> str:
    return "/alerts/" + quote(alert_id, safe=":")


@router.post("/api/alerts/{alert_id:path}/{action}")
async def act(
    request: Request,
    alert_id: str,
    action: str,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    """acknowledge | assign (`assignee`) | resolve (`note` required) | false_alarm (`note`: the reason,
    required) | reopen (a false alarm back to work; `note` required). A 签收 that a colleague made first
    answers 409 with 已被 X 于 HH:MM 签收."""
    alert = await visible_alert(svc, principal, alert_id)
    assignee = str(body.get("assignee") or "").strip() or None
    note = body.get("note")
    try:
        if action == "assign":
            await _check_assignee(svc, alert, assignee)
        doc = plan(alert, action, principal.name, assignee, note if isinstance(note, str) else None)
        await _store(svc).apply(alert, doc)
    except AlertActionError as exc:
        if is_form(request):
            notice = "conflict" if exc.status == 409 else "reason" if exc.status == 400 else "invalid"
            return RedirectResponse(f"{_alert_path(alert_id)}?notice={notice}", 303)
        raise HTTPException(exc.status, str(exc)) from exc
    if action in ("false_alarm", "reopen") and alert.get("post_ids"):
        corrections, evidence = Corrections(svc.es, svc.settings.es), alert["post_ids"][0]
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


@router.get("/alerts", include_in_schema=False)
async def alerts_page(
    request: Request,
    scope: ViewerStation,
    status: Status = "open",
    level: list[str] = Query([]),
    station: str | None = Query(None, max_length=100),
    spot: str | None = Query(None, max_length=100),
    sort: Sort = "severity",
    page: int = Query(1, ge=1, le=400),
    days: int = Query(7, ge=1, le=365),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    station, spot, levels = station or None, spot or None, _levels(level)  # the form sends "" for 全部
    page_ = await listing(_store(svc), scope, status, levels, station, spot, sort, page)
    filters = {"status": status, "level": levels, "station": station, "spot": spot, "sort": sort}
    return render(
        request,
        "alerts.html",
        listing=page_,
        stats=await station_stats(svc, scope, days),
        goals=GOALS_S,
        days=days,
        filters=filters,
        query={k: v for k, v in {**filters, "level": levels[0] if levels else None}.items() if v},
        STATUS_NAMES=STATUS_NAMES,
        WAIT_NAMES=WAIT_NAMES,
        stations=[s.name for s in svc.stations.stations],
        spots=svc.spots,
    )


@router.get("/alerts/{alert_id:path}", include_in_schema=False)
async def alert_page(
    request: Request,
    alert_id: str,
    notice: str | None = Query(None, max_length=20),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    alert = await visible_alert(svc, principal, alert_id)
    _, history = await svc.audit.search(target=alert_id, size=100, oldest_first=True)
    key = NOTICES.get(notice or "")
    message = taken_message(alert) if notice == "conflict" else (say(key) if key else None)
    now = datetime.now(UTC)
    return render(
        request,
        "alert.html",
        alert=with_wait(alert, now),
        now=now.isoformat(),
        notice=message,
        rule=rule_name(alert.get("rule")),
        reasons=reason_rows(alert.get("reason")),
        STATUS_NAMES=STATUS_NAMES,
        WAIT_NAMES=WAIT_NAMES,
        RULE_NAMES=RULE_NAMES,
        ACTION_NAMES=ACTION_NAMES,
        officers=await duty_officers(svc.accounts, alert.get("jurisdiction")),
        history=[e for e in history if e["action"] in ACTION_NAMES],
    )
