"""The span a report covers, in Mile's time: a day (00:00-24:00) or an ISO week (Monday to Sunday), and the
span before it that the changes are measured against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from yuqing.schema import TZ

Kind = Literal["daily", "weekly"]
KIND_NAMES = {"daily": "日报", "weekly": "周报", "event": "专报"}
WEEKDAY_NAMES = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")


@dataclass(frozen=True)
class Period:
    """[start, end) in Mile's time, with the trend's bucket size (an hour for a day, a day for a week)."""

    kind: Kind
    start: datetime
    end: datetime

    @property
    def previous(self) -> Period:
        span = self.end - self.start
        return Period(self.kind, self.start - span, self.start)

    @property
    def bucket(self) -> str:
        return "1h" if self.kind == "daily" else "1d"

    @property
    def key(self) -> str:
        """A short stable name: 20261206 for a day, 2026W49 for a week."""
        if self.kind == "daily":
            return f"{self.start:%Y%m%d}"
        year, week, _ = self.start.isocalendar()
        return f"{year}W{week:02d}"

    @property
    def label(self) -> str:
        """2026年12月6日（星期日）, or 2026年第49周（12月1日至12月7日）."""
        s = self.start
        if self.kind == "daily":
            return f"{s.year}年{s.month}月{s.day}日（{WEEKDAY_NAMES[s.weekday()]}）"
        last = self.end - timedelta(days=1)
        year, week, _ = s.isocalendar()
        return f"{year}年第{week}周（{s.month}月{s.day}日至{last.month}月{last.day}日）"

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment.astimezone(TZ) < self.end


def mile_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def mile_today(now: datetime | None = None) -> date:
    return (now or datetime.now(TZ)).astimezone(TZ).date()


def period_for(kind: Kind, day: date | None = None, now: datetime | None = None) -> Period:
    """The day `day`, or the ISO week holding it; without a day, the last complete one before `now`
    (yesterday; last week)."""
    today = mile_today(now)
    if kind == "daily":
        day = day or today - timedelta(days=1)
        start = mile_midnight(day)
        return Period("daily", start, mile_midnight(day + timedelta(days=1)))
    day = day or today - timedelta(days=7)
    monday = day - timedelta(days=day.weekday())
    return Period("weekly", mile_midnight(monday), mile_midnight(monday + timedelta(days=7)))


def buckets(period: Period) -> list[tuple[datetime, datetime]]:
    """The trend's buckets: 24 hours of a day, 7 days of a week (Mile's wall clock)."""
    step = timedelta(hours=1) if period.kind == "daily" else timedelta(days=1)
    out, at = [], period.start
    while at < period.end:
        nxt = (at + step).astimezone(TZ) if period.kind == "daily" else mile_midnight((at + step).date())
        out.append((at, nxt))
        at = nxt
    return out
