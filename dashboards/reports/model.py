"""What a report says, as data: the 日报/周报 (`Report`) and the 专报 of one event (`EventReport`).

A report is built once from Elasticsearch (build.py, event.py) and kept as this data in the `reports` index;
the HTML, PDF and DOCX are renderings of it, so a download next week shows the figures of the day it was
made. Every count is a `Figure`: the number and the search URL that gives it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field


class Figure(BaseModel):
    """A count and the page (a search, the alert console, a letter) that shows the same number."""

    count: int
    url: str


class Row(BaseModel):
    """One line of a breakdown (a platform, a spot, a station, a sentiment, a level), this period and
    before."""

    key: str
    label: str
    now: Figure
    before: Figure | None = None
    share: float | None = Field(None, description="of the period's total, 0-1")

    @property
    def change_pct(self) -> float | None:
        if self.before is None or self.before.count == 0:
            return None
        return (self.now.count - self.before.count) / self.before.count * 100


class TrendPoint(BaseModel):
    """One bucket of the trend (an hour of a day, a day of a week)."""

    label: str
    start: datetime
    end: datetime
    total: Figure
    by_sentiment: dict[str, int] = Field(default_factory=dict)


class Overview(BaseModel):
    """总体态势."""

    total: Figure
    previous: Figure
    by_platform: list[Row] = Field(default_factory=list)
    by_spot: list[Row] = Field(default_factory=list)
    by_station: list[Row] = Field(default_factory=list)
    sentiment: list[Row] = Field(default_factory=list)
    levels: list[Row] = Field(default_factory=list)
    trend: list[TrendPoint] = Field(default_factory=list)

    @property
    def change_pct(self) -> float | None:
        if self.previous.count == 0:
            return None
        return (self.total.count - self.previous.count) / self.previous.count * 100


class PostLine(BaseModel):
    """A post as a report quotes it: excerpt, where and when it was published and captured."""

    post_id: str
    source: str
    author: str | None = None
    text: str
    published_at: datetime | None = None
    crawled_at: datetime | None = None
    url: str | None = Field(None, description="the original on its platform")
    page: str = Field(description="the post's page in the web app")
    level: str | None = None


class AlertLine(BaseModel):
    """An alert's state in the console: who acknowledged it and how fast, who closed it."""

    alert_id: str
    rule: str
    level: str
    summary: str = ""
    station: str | None = None
    status: str
    raised_at: datetime | None = None
    acknowledged_by: str | None = None
    ack_s: float | None = None
    waiting: bool = False
    resolved_by: str | None = None
    resolved_at: datetime | None = None
    url: str


class EventItem(BaseModel):
    """One of 重点事件."""

    id: str
    title: str
    level: str
    status: str | None = None
    spots: list[str] = Field(default_factory=list)
    station: str | None = None
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    in_period: Figure
    total: Figure
    platforms: list[Row] = Field(default_factory=list)
    summary: list[PostLine] = Field(default_factory=list)
    alerts: list[AlertLine] = Field(default_factory=list)
    report_url: str = Field("", description="its 专报 in the web app")


class LetterLine(BaseModel):
    id: str
    number: str | None = None
    agency_name: str
    subject: str
    status: str
    approved_at: datetime | None = None
    sent_at: datetime | None = None
    url: str


class Response(BaseModel):
    """Response to alerts against the 1-3-5 minute goals (dashboards/alert_timing.py)."""

    alerts: int = 0
    median_s: float | None = None
    p90_s: float | None = None
    within: dict[int, float | None] = Field(default_factory=dict, description="goal (s) → share on time")
    late: list[AlertLine] = Field(default_factory=list, description="past 3 minutes, longest first")
    late_total: int = 0


class AlertsSection(BaseModel):
    """预警与处置."""

    total: Figure
    by_level: list[Row] = Field(default_factory=list)
    by_station: list[Row] = Field(default_factory=list)
    by_status: list[Row] = Field(default_factory=list)
    response: Response = Field(default_factory=Response)
    letters_approved: Figure
    letters_sent: Figure
    letters: list[LetterLine] = Field(default_factory=list)


class Word(BaseModel):
    """A rising word: its posts this period and before (each a search for the word)."""

    word: str
    now: Figure
    before: Figure
    score: float = Field(description="(now - before) / sqrt(before + 1)")

    @property
    def new(self) -> bool:
        return self.before.count == 0


class Report(BaseModel):
    """舆情日报 or 周报."""

    id: str
    kind: Literal["daily", "weekly"]
    title: str
    period_label: str
    start: datetime
    end: datetime
    previous_start: datetime
    station: str | None = None
    generated_at: datetime
    base_url: str
    overview: Overview
    events: list[EventItem] = Field(default_factory=list)
    alerts: AlertsSection
    words: list[Word] = Field(default_factory=list)
    notes: str = ""


class TimelineBucket(BaseModel):
    start: datetime
    total: Figure
    by_source: dict[str, int] = Field(default_factory=dict)


class Carrier(BaseModel):
    """An account that carried the event: its posts, the reposts below them, how deep, their engagement."""

    author: str
    source: str
    posts: int
    reposts_below: int
    depth_below: int
    engagement: int
    page: str


class Chain(BaseModel):
    """How the event spread by reposts and replies (thread, parent and root links)."""

    depth: int = 0
    linked: int = Field(0, description="posts that name a parent or root in the event")
    roots: int = 0
    analysed: int = Field(0, description="posts read for the chain (capped)")
    capped: bool = False
    carriers: list[Carrier] = Field(default_factory=list)


class HistoryLine(BaseModel):
    at: datetime | None = None
    what: str
    by: str | None = None


class AlertHistory(BaseModel):
    alert: AlertLine
    lines: list[HistoryLine] = Field(default_factory=list)


class EventReport(BaseModel):
    """专报 of one event."""

    id: str
    kind: Literal["event"] = "event"
    event_id: str
    title: str
    level: str
    status: str | None = None
    spots: list[str] = Field(default_factory=list)
    station: str | None = None
    categories: list[str] = Field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    generated_at: datetime
    base_url: str
    total: Figure
    platforms: list[Row] = Field(default_factory=list)
    interval_min: int = 10
    timeline: list[TimelineBucket] = Field(default_factory=list)
    first_post: PostLine | None = None
    earliest: list[PostLine] = Field(default_factory=list, description="the first post of each platform")
    chain: Chain = Field(default_factory=Chain)
    evidence: list[PostLine] = Field(default_factory=list)
    summary: list[PostLine] = Field(default_factory=list)
    alerts: list[AlertHistory] = Field(default_factory=list)
    letters: list[LetterLine] = Field(default_factory=list)
    notes: str = ""
