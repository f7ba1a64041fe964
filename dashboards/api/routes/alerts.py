"""The alert console: list and filter, one alert with its evidence, the workflow actions, response times."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dashboards.alerts import GOALS_S, STATUS_NAMES, AlertActionError, AlertStore, plan, response_stats
from dashboards.api.deps import (
    Principal,
    Services,
    client_ip,
    csrf_checked,
    current_user,
    is_form,
    local_path,
    services,
)
from dashboards.corrections import Corrections
from yuqing.schema import RiskLevel

router = APIRouter(tags=["alerts"])

Status = Literal["new", "acknowledged", "resolved", "false_alarm", "open", "any"]


def alert_filters(
    principal: Principal,
    status: str = "open",
    level: list[RiskLevel] | None = None,
    station: str | None = None,
    spot: str | None = None,
    days: int | None = None,
) -> list[dict[str, Any]]:
    filters: list[dict[str, Any]] = []
    own = principal.station_scope  # a duty officer sees only their own station's alerts
    if own is not None or station:
        filters.append({"term": {"jurisdiction": station if own is None else own}})
    if status == "open":
        filters.append({"terms": {"status": ["new", "acknowledged"]}})
    elif status != "any":
        filters.append({"term": {"status": status}})
    if level:
        filters.append({"terms": {"level": [lv.value for lv in level]}})
    if spot:
        filters.append({"term": {"spots": spot}})
    if days:
        since = datetime.now(UTC) - timedelta(days=days)
        filters.append({"range": {"raised_at": {"gte": since.isoformat()}}})
    return filters


def _levels(values: list[str]) -> list[RiskLevel]:
    try:
        return [RiskLevel(v) for v in values if v]
    except ValueError as exc:
        raise HTTPException(422, f"level: one of {', '.join(v.value for v in RiskLevel)}") from exc


async def list_alerts(
    svc: Services,
    principal: Principal,
    status: str,
    level: list[RiskLevel] | None,
    station: str | None,
    spot: str | None,
    page: int,
    size: int,
) -> dict[str, Any]:
    filters = alert_filters(principal, status, level, station, spot)
    total, items = await AlertStore(svc.es, svc.settings.es).search(filters, size=size, page=page)
    return {"total": total, "page": page, "size": size, "alerts": items}


async def station_stats(svc: Services, principal: Principal, days: int) -> list[dict[str, Any]]:
    filters = alert_filters(principal, "any", days=days)
    _, items = await AlertStore(svc.es, svc.settings.es).search(filters, size=10_000)
    return response_stats(items)


@router.get("/api/alerts")
async def api_alerts(
    status: Status = "open",
    level: list[RiskLevel] | None = Query(None),
    station: str | None = Query(None, max_length=100),
    spot: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1, le=200),
    size: int = Query(50, ge=1, le=200),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Alerts, newest first (a duty officer's own station only); `status=open` is new + acknowledged."""
    return await list_alerts(svc, principal, status, level, station, spot, page, size)


@router.get("/api/alerts/stats")
async def api_alert_stats(
    days: int = Query(7, ge=1, le=365),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Per station: time from alert to acknowledgement and to resolution, against the 1-3-5 minute goals."""
    return {"days": days, "goals_s": list(GOALS_S), "stations": await station_stats(svc, principal, days)}


async def visible_alert(svc: Services, principal: Principal, alert_id: str) -> dict[str, Any]:
    if len(alert_id) > 400:
        raise HTTPException(422, "an alert id is at most 400 characters")
    alert = await AlertStore(svc.es, svc.settings.es).get(alert_id)
    # Another station's alert answers like a missing one: a duty officer learns nothing about it.
    if alert is None or not principal.can_see_station(alert.get("jurisdiction")):
        raise HTTPException(404, f"no alert {alert_id!r}")
    return alert


@router.get("/api/alerts/{alert_id:path}")
async def api_alert(
    alert_id: str, principal: Principal = Depends(current_user), svc: Services = Depends(services)
) -> dict[str, Any]:
    """One alert with its evidence and reason."""
    alert = await visible_alert(svc, principal, alert_id)
    return {k: v for k, v in alert.items() if not k.startswith("_")}


@router.post("/api/alerts/{alert_id:path}/{action}")
async def act(
    request: Request,
    alert_id: str,
    action: str,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    """acknowledge | assign (`assignee`) | resolve (`note` required) | false_alarm (`note` optional)."""
    alert = await visible_alert(svc, principal, alert_id)
    assignee = str(body.get("assignee") or "").strip() or None
    note = body.get("note")
    try:
        if action == "assign":
            await _check_assignee(svc, alert, assignee)
        doc = plan(alert, action, principal.name, assignee, note if isinstance(note, str) else None)
        await AlertStore(svc.es, svc.settings.es).apply(alert, doc)
    except AlertActionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    if action == "false_alarm" and alert.get("post_ids"):
        await Corrections(svc.es, svc.settings.es).mark_false_alarm(
            alert["post_ids"][0], alert_id, principal.name, doc.get("note")
        )
    await svc.audit.record(
        principal.name,
        f"alert_{action}",
        target=alert_id,
        role=principal.role,
        ip=client_ip(request),
        details={"from": alert.get("status") or "new", **doc},
        refresh=True,  # the alert's page shows its history straight after the redirect
    )
    if is_form(request):
        return RedirectResponse(local_path(body.get("next"), "/alerts/" + quote(alert_id, safe=":")), 303)
    return {"id": alert_id, **doc}


async def _check_assignee(svc: Services, alert: dict[str, Any], assignee: str | None) -> None:
    if not assignee:
        raise AlertActionError("name the colleague to assign", 422)
    user = await svc.accounts.get(assignee)
    if user is None or user.disabled:
        raise AlertActionError(f"no active user {assignee!r}", 422)
    if user.role == "duty_officer" and user.station != alert.get("jurisdiction"):
        raise AlertActionError(
            f"{assignee} is on duty at {user.station}, not {alert.get('jurisdiction')}", 422
        )


@router.get("/alerts", include_in_schema=False)
async def alerts_page(
    request: Request,
    status: Status = "open",
    level: list[str] = Query([]),
    station: str | None = Query(None, max_length=100),
    spot: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1, le=200),
    days: int = Query(7, ge=1, le=365),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    station = station or None
    spot = spot or None
    level = _levels(level)  # the form sends an empty value for 全部
    listing = await list_alerts(svc, principal, status, level, station, spot, page, 50)
    stats = await station_stats(svc, principal, days)
    return render(
        request,
        "alerts.html",
        listing=listing,
        stats=stats,
        goals=GOALS_S,
        days=days,
        filters={
            "status": status,
            "level": [lv.value for lv in level or []],
            "station": station,
            "spot": spot,
        },
        STATUS_NAMES=STATUS_NAMES,
        stations=[s.name for s in svc.stations.stations],
        spots=svc.spots,
    )


@router.get("/alerts/{alert_id:path}", include_in_schema=False)
async def alert_page(
    request: Request,
    alert_id: str,
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    alert = await visible_alert(svc, principal, alert_id)
    users = [u for u in await svc.accounts.list() if not u.disabled]
    colleagues = [
        u.username for u in users if u.role != "duty_officer" or u.station == alert.get("jurisdiction")
    ]
    _, history = await svc.audit.search(target=alert_id, size=100, oldest_first=True)
    history = [e for e in history if e["action"].startswith("alert_")]
    return render(
        request, "alert.html", alert=alert, STATUS_NAMES=STATUS_NAMES, colleagues=colleagues, history=history
    )
