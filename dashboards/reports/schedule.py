"""Which reports are due at a moment: the daily report of the day before from `daily_at` (Mile time) on, the
weekly report of the week before from `weekly_at` on `weekly_day`; one per scope (the city, or a station) that
someone on the report roster asked for, with its recipients. The latest due one of each kind only: a report
missed for longer is old news (and still made on demand)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from dashboards.reports.periods import Kind, Period, mile_midnight, period_for
from yuqing.config import WEEKDAYS, ReportReader
from yuqing.schema import TZ
from yuqing.settings import ReportSettings


@dataclass(frozen=True)
class Due:
    kind: Kind
    period: Period
    station: str | None
    recipients: tuple[str, ...]
    due_at: datetime


def last_due(kind: Kind, now: datetime, settings: ReportSettings) -> tuple[datetime, Period]:
    """When the latest report of `kind` fell due (at or before `now`) and the period it covers."""
    local = now.astimezone(TZ)
    if kind == "daily":
        at = time.fromisoformat(settings.daily_at)
        due = mile_midnight(local.date()) + timedelta(hours=at.hour, minutes=at.minute)
        if due > local:
            due -= timedelta(days=1)
        return due, period_for("daily", due.date() - timedelta(days=1))
    at = time.fromisoformat(settings.weekly_at)
    back = (local.weekday() - WEEKDAYS.index(settings.weekly_day)) % 7
    due = mile_midnight(local.date() - timedelta(days=back)) + timedelta(hours=at.hour, minutes=at.minute)
    if due > local:
        due -= timedelta(days=7)
    return due, period_for("weekly", due.date() - timedelta(days=7))


def due_reports(now: datetime, settings: ReportSettings, roster: list[ReportReader]) -> list[Due]:
    """The reports due now, one per kind and scope, each with the roster's addresses for it."""
    out = []
    for kind in ("daily", "weekly"):
        due_at, period = last_due(kind, now, settings)
        scopes: dict[str | None, list[str]] = {}
        for reader in roster:
            if kind in reader.reports:
                emails = scopes.setdefault(reader.station, [])
                if reader.email not in emails:
                    emails.append(reader.email)
        for station, emails in scopes.items():
            out.append(Due(kind, period, station, tuple(emails), due_at))  # type: ignore[arg-type]
    return out
