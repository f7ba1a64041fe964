"""`yuqing report daily|weekly|event|send-due|list`: reports from the command line and for cron.

Exit codes: 0 done; 1 the report was made but a send or a print failed (the next run retries); 2 usage: an
unknown event or station, a bad date, no CJK font for the PDF (the message names the Debian package); 3
Elasticsearch cannot be reached.
"""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, TypeVar

import typer
from elasticsearch import ConnectionError as ESConnectionError
from elasticsearch import TransportError

from dashboards.messages import say
from dashboards.pdf import FontMissing, PdfError

EXIT_FAILED, EXIT_USAGE, EXIT_SERVICE = 1, 2, 3
T = TypeVar("T")

report_app = typer.Typer(
    help="Reports: 舆情日报 (daily), 周报 (weekly), the 专报 of one event; PDF, DOCX or HTML; "
    "e-mailed on schedule.",
    no_args_is_help=True,
)
FORMAT_HELP = "pdf (default), docx or html."


def _user() -> str:
    try:
        return "cli:" + getpass.getuser()
    except (KeyError, OSError):
        return f"cli:uid{os.getuid()}"


def _fail(code: int, message: str) -> typer.Exit:
    typer.echo(message, err=True)
    return typer.Exit(code)


def run(work: Callable[[Any, Any], Awaitable[T]]) -> T:
    """Run work(es, settings) with an async client; map the failures to exit codes with a Chinese line."""
    from yuqing import es as es_setup
    from yuqing.settings import get_settings

    settings = get_settings()
    transport = logging.getLogger("elastic_transport")
    if transport.getEffectiveLevel() >= logging.WARNING:
        # Each retry against a cluster that is down logs a traceback: the one line below says it all.
        transport.setLevel(logging.CRITICAL)

    async def main() -> T:
        client = es_setup.async_client(settings.es)
        try:
            return await work(client, settings)
        finally:
            await client.close()

    try:
        return asyncio.run(main())
    except (ESConnectionError, TransportError) as exc:
        raise _fail(EXIT_SERVICE, say("report_es_down", url=settings.es.url, error=exc)) from exc
    except FontMissing as exc:
        raise _fail(EXIT_USAGE, str(exc)) from exc
    except PdfError as exc:
        raise _fail(EXIT_FAILED, str(exc)) from exc


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(EXIT_USAGE, say("report_bad_date", value=value)) from exc


def _station(value: str | None) -> str | None:
    from yuqing.config import load_stations

    names = [s.name for s in load_stations().stations]
    if value and value not in names:
        raise _fail(EXIT_USAGE, say("station_not_known", station=value, stations="、".join(names)))
    return value or None


def _format(value: str) -> str:
    from dashboards.reports.documents import FORMATS

    if value not in FORMATS:
        raise _fail(EXIT_USAGE, say("report_format", value=value, formats="、".join(FORMATS)))
    return value


def _write(doc: Any, output: Path | None) -> Path:
    path = output or Path(doc.filename)
    path.write_bytes(doc.content)
    return path


def _period_report(
    kind: str, day: str | None, station: str | None, fmt: str, output: Path | None, notes: str
):
    from dashboards.reports.build import build_report
    from dashboards.reports.documents import document
    from dashboards.reports.store import ReportStore

    when, where, fmt = _day(day), _station(station), _format(fmt)

    async def work(es, settings):
        report = await build_report(es, settings, kind, when, where, notes=notes)
        doc = await ReportStore(es, settings.es).save(report, _user())
        report = report.model_copy(update={"notes": doc.get("notes") or ""})
        return report, await document(report, fmt, settings.web.chromium)

    began = time.perf_counter()
    report, doc = run(work)
    path = _write(doc, output)
    typer.echo(
        say(
            "report_written",
            path=path,
            title=report.title,
            period=report.period_label,
            posts=report.overview.total.count,
            seconds=f"{time.perf_counter() - began:.1f}",
        )
    )


DATE_HELP = "YYYY-MM-DD in Mile time (default: {}).".format
STATION_HELP = "One station's report (config/stations.yaml) instead of the city's."
NOTES_HELP = "研判建议: the analyst's text for section 五 (kept with the report)."


@report_app.command("daily")
def daily(
    day: str = typer.Option(None, "--date", help=DATE_HELP("yesterday")),
    station: str = typer.Option(None, "--station", help=STATION_HELP),
    fmt: str = typer.Option("pdf", "--format", help=FORMAT_HELP),
    output: Path = typer.Option(
        None, "--output", "-o", help="File to write (default: 舆情日报-YYYYMMDD.<format>)."
    ),
    notes: str = typer.Option("", "--notes", help=NOTES_HELP),
) -> None:
    """舆情日报 of one day: 总体态势, 重点事件, 预警与处置, 热点词, 研判建议; kept in the reports index.

    Exit 0 when written, 2 for a bad date, station or format or no CJK font, 3 when Elasticsearch is down.
    """
    _period_report("daily", day, station, fmt, output, notes)


@report_app.command("weekly")
def weekly(
    day: str = typer.Option(None, "--date", help=DATE_HELP("a day of last week") + " Any day of the week."),
    station: str = typer.Option(None, "--station", help=STATION_HELP),
    fmt: str = typer.Option("pdf", "--format", help=FORMAT_HELP),
    output: Path = typer.Option(
        None, "--output", "-o", help="File to write (default: 舆情周报-YYYYWnn.<format>)."
    ),
    notes: str = typer.Option("", "--notes", help=NOTES_HELP),
) -> None:
    """舆情周报 of one ISO week (Monday to Sunday) against the week before; kept in the reports index.

    Exit 0 when written, 2 for a bad date, station or format or no CJK font, 3 when Elasticsearch is down.
    """
    _period_report("weekly", day, station, fmt, output, notes)


@report_app.command("event")
def event(
    event_id: str = typer.Argument(..., help="The event's id (ev-…), as in an alert or a post."),
    fmt: str = typer.Option("pdf", "--format", help=FORMAT_HELP),
    output: Path = typer.Option(
        None, "--output", "-o", help="File to write (default: 舆情专报-<id>.<format>)."
    ),
    notes: str = typer.Option("", "--notes", help=NOTES_HELP),
) -> None:
    """专报 of one event: timeline per 10 minutes by platform, first posts, repost chains and carriers,
    evidence, alert history, letters; kept in the reports index.

    Exit 0 when written, 2 for an unknown event or no CJK font, 3 when Elasticsearch is down.
    """
    from dashboards.reports.documents import document
    from dashboards.reports.event import EventNotFound, build_event_report
    from dashboards.reports.store import ReportStore

    fmt = _format(fmt)

    async def work(es, settings):
        report = await build_event_report(es, settings, event_id, notes=notes)
        doc = await ReportStore(es, settings.es).save(report, _user())
        report = report.model_copy(update={"notes": doc.get("notes") or ""})
        return report, await document(report, fmt, settings.web.chromium)

    try:
        report, doc = run(work)
    except EventNotFound as exc:
        raise _fail(EXIT_USAGE, say("report_no_event", event_id=event_id)) from exc
    path = _write(doc, output)
    typer.echo(say("report_event_written", path=path, title=report.title, posts=report.total.count))


@report_app.command("send-due")
def send_due(
    now: str = typer.Option(
        None, "--now", help="Pretend it is this time (ISO 8601; for tests and catch-up)."
    ),
    every: float = typer.Option(0, "--every", help="Keep running, checking every this many seconds."),
) -> None:
    """E-mail the reports that are due (REPORT_DAILY_AT, REPORT_WEEKLY_DAY/AT) to the report roster in
    stations.yaml, PDF attached, each once. For cron (every few minutes) or as a loop with --every.

    Exit 0 when every due report is sent (or was already), 1 when a send failed (the next run retries),
    3 when Elasticsearch is down (nothing is sent; the next run retries). With --every it keeps going.
    """
    from dashboards.reports.delivery import deliver
    from dashboards.reports.schedule import due_reports
    from yuqing.config import load_stations

    roster = load_stations().report_roster
    if not roster:
        typer.echo(say("report_no_roster"))
        return
    try:
        fixed = datetime.fromisoformat(now) if now else None
    except ValueError as exc:
        raise _fail(EXIT_USAGE, say("report_bad_date", value=now)) from exc

    async def work(es, settings):
        at = fixed or datetime.now(UTC)
        at = at if at.tzinfo else at.astimezone()
        return [await deliver(es, settings, due, now=at) for due in due_reports(at, settings.report, roster)]

    while True:
        try:
            outcomes = run(work)
        except typer.Exit:
            if not every:
                raise
            outcomes = []  # said on stderr already; the loop tries again at its next turn
        for o in outcomes:
            typer.echo(say(f"report_{o.state}", report_id=o.report_id, detail=o.detail))
        failed = any(o.state == "failed" for o in outcomes)
        if not every:
            if failed:
                raise typer.Exit(EXIT_FAILED)
            return
        time.sleep(every)


@report_app.command("list")
def list_reports(
    kind: str = typer.Option(None, "--kind", help="daily, weekly or event (default: all)."),
    size: int = typer.Option(25, "--size", help="How many, newest first."),
) -> None:
    """The reports kept: id, kind, when made and by whom, sent when and to whom, title."""
    from dashboards.reports.render import mile
    from dashboards.reports.store import ReportStore

    async def work(es, settings):
        return await ReportStore(es, settings.es).list(kind, size=size)

    total, docs = run(work)
    for d in docs:
        sent = (
            f"发送 {mile(d['sent_at'])}" if d.get("sent_at") else ("发送失败" if d.get("send_error") else "")
        )
        typer.echo(
            f"{d['id']:<28} {mile(d.get('generated_at')):<16} {d.get('generated_by') or '':<16} "
            f"{sent:<20} {d.get('title', '')} {d.get('period_label', '')}".rstrip()
        )
    typer.echo(say("report_list_total", total=total, shown=len(docs)), err=True)
