"""The alert console's pages: the live list with the response statistics, and one alert with its evidence,
its history and the workflow's forms (the API they post to: dashboards/api/routes/alerts.py)."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Query, Request

from dashboards.alert_console import duty_officers
from dashboards.alert_labels import ACTION_NAMES, STATUS_NAMES, WAIT_NAMES, reason_rows
from dashboards.alert_timing import GOALS_S, with_wait
from dashboards.alerts import taken_message
from dashboards.api.deps import ServicesDep
from dashboards.api.render import render
from dashboards.api.routes.alerts import AlertListQuery, VisibleAlert, station_stats
from dashboards.messages import say
from yuqing.labels import RULE_NAMES, rule_name

router = APIRouter(tags=["alerts"])
NOTICES = {"reason": "notice_reason", "invalid": "notice_invalid"}  # ?notice= → a catalogue key


@router.get("/alerts")
async def alerts_page(
    request: Request, wanted: AlertListQuery, svc: ServicesDep, days: int = Query(7, ge=1, le=365)
):
    filters = {
        "status": wanted.status,
        "level": wanted.levels,
        "station": wanted.station,
        "spot": wanted.spot,
        "sort": wanted.sort,
    }
    first_level = wanted.levels[0] if wanted.levels else None
    return render(
        request,
        "alerts.html",
        listing=await wanted.listing(svc.alerts),
        stats=await station_stats(svc, wanted.scope, days),
        goals=GOALS_S,
        days=days,
        filters=filters,
        query={k: v for k, v in {**filters, "level": first_level}.items() if v},
        STATUS_NAMES=STATUS_NAMES,
        WAIT_NAMES=WAIT_NAMES,
        stations=svc.station_names,
        spots=svc.spots,
    )


@router.get("/alerts/{alert_id:path}")
async def alert_page(
    request: Request,
    alert_id: str,
    alert: VisibleAlert,
    svc: ServicesDep,
    notice: str | None = Query(None, max_length=20),
):
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
        history=await svc.audit.history(alert_id, ACTION_NAMES),
    )
