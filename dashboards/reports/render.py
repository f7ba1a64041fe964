"""A report's HTML (templates/reports/): the same page is the PDF's source, the e-mail's body and the web
app's view. Autoescaped: crawled text never runs; the charts (charts.py) are built with escaped labels."""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader
from markupsafe import Markup

from dashboards.alert_labels import LEVEL_LABELS, STATUS_NAMES
from dashboards.letters import STATUS_NAMES as LETTER_STATUS_NAMES
from dashboards.reports import charts
from dashboards.reports.model import EventReport, Report, Row
from dashboards.reports.overview import POST_LEVEL_NAMES
from dashboards.reports.periods import KIND_NAMES
from yuqing.labels import SENTIMENT_NAMES, rule_name, source_name
from yuqing.schema import TZ

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
EVENT_STATUS_NAMES = {
    "open": "发酵中",
    "escalated": "已升级",
    "reported_resolved": "信息源称已处置",
    "closed": "已关闭",
}


def mile(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A time as Mile's wall clock; empty for none."""
    if not value:
        return ""
    moment = (
        value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    )
    return moment.astimezone(TZ).strftime(fmt)


def duration(seconds: float | None) -> str:
    """40 秒, 4 分 10 秒, 9 小时 34 分."""
    if seconds is None:
        return "—"
    s = round(seconds)
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60} 秒" if s % 60 else f"{s // 60} 分"
    return f"{s // 3600} 小时 {s % 3600 // 60} 分"


def change(now: int, before: int | None) -> str:
    """The change against the previous period: +12.5%, -30.0%, 新增, 持平."""
    if before is None:
        return ""
    if before == 0:
        return "新增" if now else "持平"
    pct = (now - before) / before * 100
    return "持平" if abs(pct) < 0.05 else f"{pct:+.1f}%"


def share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def http_url(value: Any) -> str:
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else "#"


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters.update(mile=mile, duration=duration, share=share, http_url=http_url, source_name=source_name)
    env.globals.update(
        change=change,
        rule_name=rule_name,
        KIND_NAMES=KIND_NAMES,
        LEVEL_LABELS=LEVEL_LABELS,
        POST_LEVEL_NAMES=POST_LEVEL_NAMES,
        SENTIMENT_NAMES=SENTIMENT_NAMES,
        STATUS_NAMES=STATUS_NAMES,
        EVENT_STATUS_NAMES=EVENT_STATUS_NAMES,
        LETTER_STATUS_NAMES=LETTER_STATUS_NAMES,
    )
    return env


def _bars(rows: list[Row], title: str, colour: str = charts.PALETTE[0]) -> Markup:
    return charts.bars([charts.Bar(r.label, r.now.count, r.now.url) for r in rows], title, colour=colour)


def report_charts(report: Report) -> dict[str, Markup]:
    o = report.overview
    sentiments = [charts.Series(k, SENTIMENT_NAMES[k], c) for k, c in charts.SENTIMENT_COLOURS.items()]
    trend = [charts.Column(p.label, p.by_sentiment, p.total.url) for p in o.trend]
    every = 3 if report.kind == "daily" else 1
    out = {"trend": charts.columns(trend, sentiments, "舆情走势（按情感）", every=every)}
    if o.by_platform:
        out["platform"] = _bars(o.by_platform[:12], "各平台帖数")
    if o.by_spot:
        out["spot"] = _bars(o.by_spot[:12], "各景区帖数", charts.PALETTE[1])
    if o.sentiment:
        bars = [
            charts.Bar(r.label, r.now.count, r.now.url, charts.SENTIMENT_COLOURS.get(r.key))
            for r in o.sentiment
        ]
        out["sentiment"] = charts.bars(bars, "情感分布")
    return out


def event_charts(report: EventReport) -> dict[str, Markup]:
    sources = list(dict.fromkeys(k for b in report.timeline for k in b.by_source))
    series = [
        charts.Series(s, source_name(s), charts.PALETTE[i % len(charts.PALETTE)])
        for i, s in enumerate(sources)
    ]
    columns = [charts.Column(mile(b.start, "%H:%M"), b.by_source, b.total.url) for b in report.timeline]
    every = max(1, len(columns) // 12)
    out = {
        "timeline": charts.columns(
            columns, series, f"传播时间线（每 {report.interval_min} 分钟）", every=every
        )
    }
    if report.platforms:
        out["platform"] = _bars(report.platforms, "各平台帖数")
    return out


def render_report(report: Report) -> str:
    """The 日报/周报 as one standalone HTML document."""
    template = environment().get_template("reports/period.html")
    return template.render(report=report, charts=report_charts(report))


def render_event(report: EventReport) -> str:
    """The 专报 as one standalone HTML document."""
    return environment().get_template("reports/event.html").render(report=report, charts=event_charts(report))


def render(report: Report | EventReport) -> str:
    return render_event(report) if isinstance(report, EventReport) else render_report(report)


def body(report: Report | EventReport) -> Markup:
    """The report's sections without the document around them, for the web app's page (its own styles
    come with it, scoped to `.report`)."""
    env = environment()
    if isinstance(report, EventReport):
        html = env.get_template("reports/_event_body.html").render(report=report, charts=event_charts(report))
    else:
        html = env.get_template("reports/_period_body.html").render(
            report=report, charts=report_charts(report)
        )
    return Markup(env.get_template("reports/_style.html").render() + html)
