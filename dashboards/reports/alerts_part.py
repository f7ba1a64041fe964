"""预警与处置: the period's alerts by level, station and status, the response against the 1-3-5 minute
goals (dashboards/alert_timing.py, the console's own figures), the late ones, and the 公安提示函 approved
and sent."""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

from dashboards.alert_labels import LEVEL_LABELS, STATUS_NAMES
from dashboards.alert_timing import GOALS_S, ack_seconds, parse_time, station_row
from dashboards.reports.links import Scope, alert_path, alerts_path, letter_path
from dashboards.reports.model import AlertLine, AlertsSection, Figure, LetterLine, Response, Row
from dashboards.reports.periods import Period

LATE_AFTER_S = GOALS_S[1]  # past the 3-minute goal: listed by name
LATE_SHOWN = 20
LEVELS = ("high", "medium", "low", "none")


def alert_line(alert: dict[str, Any], now: datetime, scope: Scope) -> AlertLine:
    seconds, waiting = ack_seconds(alert, now)
    return AlertLine(
        alert_id=alert["id"],
        rule=alert.get("rule") or "",
        level=alert.get("level") or "none",
        summary=alert.get("summary") or "",
        station=alert.get("jurisdiction"),
        status=alert.get("status") or "new",
        raised_at=parse_time(alert.get("raised_at")),
        acknowledged_by=alert.get("acknowledged_by"),
        ack_s=seconds,
        waiting=waiting,
        resolved_by=alert.get("resolved_by"),
        resolved_at=parse_time(alert.get("resolved_at")),
        url=scope.url(alert_path(alert["id"])),
    )


def _days(period: Period, now: datetime) -> int:
    return max(1, math.ceil((now - period.start).total_seconds() / 86400))


def _rows(alerts: list[dict[str, Any]], field: str, order: tuple[str, ...] | None, link, label) -> list[Row]:
    counts: dict[str, int] = {}
    for a in alerts:
        key = a.get(field) or ("new" if field == "status" else "")
        counts[key] = counts.get(key, 0) + 1
    keys = [k for k in order if k in counts] if order else sorted(counts, key=lambda k: (-counts[k], k))
    total = len(alerts)
    return [
        Row(key=k, label=label(k), now=Figure(count=counts[k], url=link(k)), share=counts[k] / total)
        for k in keys
    ]


def response(alerts: list[dict[str, Any]], now: datetime, scope: Scope) -> Response:
    row = station_row("", alerts, now)
    lines = [alert_line(a, now, scope) for a in alerts]
    late = sorted(
        (a for a in lines if a.ack_s is not None and a.ack_s > LATE_AFTER_S), key=lambda a: -a.ack_s
    )
    return Response(
        alerts=len(alerts),
        median_s=row["ack_median_s"],
        p90_s=row["ack_p90_s"],
        within=row["ack_within"],
        late=late[:LATE_SHOWN],
        late_total=len(late),
    )


def letter_line(letter: dict[str, Any], scope: Scope) -> LetterLine:
    return LetterLine(
        id=letter["id"],
        number=letter.get("number"),
        agency_name=letter.get("agency_name") or letter.get("agency") or "",
        subject=letter.get("subject") or "",
        status=letter.get("status") or "draft",
        approved_at=parse_time(letter.get("approved_at")),
        sent_at=parse_time(letter.get("sent_at")),
        url=scope.url(letter_path(letter["id"])),
    )


def alerts_section(
    alerts: list[dict[str, Any]], letters: list[dict[str, Any]], period: Period, scope: Scope, now: datetime
) -> AlertsSection:
    days = _days(period, now)
    station = scope.station

    def console(level: str | None = None, at: str | None = None) -> str:
        return scope.url(alerts_path(station=at or station, level=level, days=days))

    approved = [x for x in letters if period.contains(parse_time(x.get("approved_at")) or period.end)]
    sent = [x for x in letters if period.contains(parse_time(x.get("sent_at")) or period.end)]
    return AlertsSection(
        total=Figure(count=len(alerts), url=console()),
        by_level=_rows(alerts, "level", LEVELS, lambda k: console(level=k), lambda k: LEVEL_LABELS.get(k, k)),
        by_station=_rows(alerts, "jurisdiction", None, lambda k: console(at=k), lambda k: k or "（未定）"),
        by_status=_rows(alerts, "status", tuple(STATUS_NAMES), lambda k: console(), STATUS_NAMES.get),
        response=response(alerts, now, scope),
        letters_approved=Figure(count=len(approved), url=scope.url("/letters?status=any")),
        letters_sent=Figure(count=len(sent), url=scope.url("/letters?status=sent")),
        letters=[letter_line(x, scope) for x in letters],
    )
