"""Waiting times against the 1-3-5 minute goals, and response statistics that agree with each other.

The article's 1、3、5 快速反应圈 are read here as three goals for the duty room's first answer, the 签收:
within 1 minute is on time (green), past 1 minute amber, past 3 minutes late (orange), past 5 minutes overdue
(red, counted). An alert's waiting time runs from `raised_at` until it is acknowledged; an unacknowledged
alert keeps counting. Every figure is taken over the same values, an unacknowledged alert entering with its
waiting so far: past a goal it is late for that goal in the median, the P90 and the share alike, so the median
is within a goal exactly when at least half the alerts are (the old figures took the median over acknowledged
alerts only and the shares over all of them, and contradicted each other).
"""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

GOALS_S = (60, 180, 300)
WAIT_CLASSES = ("ok", "warn", "late", "overdue")
OPEN = ("new", "acknowledged")


def parse_time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        moment = value
    else:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wait_class(seconds: float) -> str:
    """ok (≤1 min), warn (≤3), late (≤5), overdue (past 5)."""
    for goal, name in zip(GOALS_S, WAIT_CLASSES, strict=False):
        if seconds <= goal:
            return name
    return "overdue"


def ack_seconds(alert: dict[str, Any], now: datetime) -> tuple[float | None, bool]:
    """Seconds from raising to acknowledgement, and whether it is still counting (not acknowledged yet).

    Closing an alert acknowledges it; an old document closed without `acknowledged_at` counts its close."""
    raised = parse_time(alert.get("raised_at"))
    if raised is None:
        return None, False
    done = parse_time(alert.get("acknowledged_at")) or parse_time(alert.get("resolved_at"))
    if done is not None:
        return max(0.0, (done - raised).total_seconds()), False
    if (alert.get("status") or "new") != "new":
        return None, False
    return max(0.0, (now - raised).total_seconds()), True


def with_wait(alert: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The alert with `wait_s`, `waiting` (still counting) and `wait_class` for the console."""
    seconds, waiting = ack_seconds(alert, now)
    cls = wait_class(seconds) if seconds is not None else None
    return alert | {"wait_s": seconds, "waiting": waiting, "wait_class": cls}


def _p90(values: list[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def _share(hits: int, decided: int) -> float | None:
    return hits / decided if decided else None


def station_row(station: str, items: list[dict[str, Any]], now: datetime) -> dict[str, Any]:
    ack: list[tuple[float, bool]] = []  # (seconds, still waiting)
    res: list[tuple[float, bool]] = []
    for a in items:
        seconds, waiting = ack_seconds(a, now)
        if seconds is not None:
            ack.append((seconds, waiting))
        raised, resolved = parse_time(a.get("raised_at")), parse_time(a.get("resolved_at"))
        if raised and resolved:
            res.append((max(0.0, (resolved - raised).total_seconds()), False))
        elif raised and (a.get("status") or "new") in OPEN:
            res.append((max(0.0, (now - raised).total_seconds()), True))
    ack_values, res_values = [s for s, _ in ack], [s for s, _ in res]
    return {
        "station": station,
        "alerts": len(items),
        "open": sum(1 for a in items if (a.get("status") or "new") in OPEN),
        "unacknowledged": sum(1 for _, w in ack if w),
        "overdue": sum(1 for s, w in ack if w and s > GOALS_S[-1]),
        "ack_median_s": statistics.median(ack_values) if ack_values else None,
        "ack_p90_s": _p90(ack_values),
        "resolve_median_s": statistics.median(res_values) if res_values else None,
        "resolve_p90_s": _p90(res_values),
        "ack_within": {g: _within(ack, g) for g in GOALS_S},
        "resolve_within": {g: _within(res, g) for g in GOALS_S},
    }


def _within(values: list[tuple[float, bool]], goal: int) -> float | None:
    # A waiting alert inside the goal is not late (yet); past it, it is missed like a late answer.
    return _share(sum(1 for s, _ in values if s <= goal), len(values))


def response_stats(alerts: list[dict[str, Any]], now: datetime | None = None) -> list[dict[str, Any]]:
    """Per station (most alerts first): alerts, open, unacknowledged, overdue, minutes to acknowledge and to
    resolve (median, P90), the share acknowledged / resolved within 1, 3 and 5 minutes."""
    now = now or datetime.now(UTC)
    by_station: dict[str, list[dict[str, Any]]] = {}
    for alert in alerts:
        by_station.setdefault(alert.get("jurisdiction") or "（未定）", []).append(alert)
    ordered = sorted(by_station.items(), key=lambda kv: -len(kv[1]))
    return [station_row(station, items, now) for station, items in ordered]
