"""E-mailing a due report once: claim it in the `reports` index, build it, print the PDF, send it (the report
as the HTML body, the PDF attached, a Message-ID fixed per report), record it.

The claim is a write guarded by the sequence number read (store.py), so two runs at once send one e-mail; a
failed send (relay down, Chromium failing) is recorded and the claim released, so the next run tries again;
Elasticsearch down fails the run before anything is claimed or sent (exit 3), and the next run tries again.
What is left: a crash between the relay's 250 and the record; the claim then runs out (store.SEND_CLAIM) and
the next run sends the same message with the same Message-ID, which mail stores recognise as one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime

from elasticsearch import AsyncElasticsearch, ConflictError

from dashboards.pdf import PdfError
from dashboards.reports.build import build_report, report_id
from dashboards.reports.documents import document
from dashboards.reports.model import Report
from dashboards.reports.render import change, mile, render_report
from dashboards.reports.schedule import Due
from dashboards.reports.store import ReportConflict, ReportStore, claim_open, now_iso
from yuqing.settings import Settings
from yuqing.smtp import PermanentSmtpError, TransientSmtpError, send_once

log = logging.getLogger(__name__)
SENDER_NAME = "schedule"
RETRY_PAUSE_S = 5.0


@dataclass(frozen=True)
class Outcome:
    report_id: str
    state: str  # sent | already_sent | in_progress | failed
    detail: str = ""


def message_id(report_id_: str) -> str:
    """The same for every attempt at one report: a resend after a crash is the same message."""
    return f"<report-{hashlib.sha1(report_id_.encode()).hexdigest()[:24]}@yuqing.mile>"


def plain_text(report: Report) -> str:
    o, al = report.overview, report.alerts
    lines = [
        f"{report.title}（{report.period_label}）",
        "",
        f"涉旅相关舆情 {o.total.count} 条（上期 {o.previous.count} 条，"
        f"{change(o.total.count, o.previous.count)}）；"
        f"预警 {al.total.count} 条；公安提示函发出 {al.letters_sent.count} 份。",
    ]
    if report.events:
        lines += ["", "重点事件："] + [
            f"{i}. {e.title}（本期 {e.in_period.count} 条）" for i, e in enumerate(report.events, 1)
        ]
    lines += ["", "完整报告见附件 PDF；数字的出处可在 HTML 版本中点击查看。"]
    return "\n".join(lines) + "\n"


def compose(report: Report, html: str, pdf: bytes, filename: str, sender: str, to: list[str]) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"{report.title} {report.period_label}"
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    msg["Message-ID"] = message_id(report.id)
    msg["Date"] = format_datetime(datetime.now(UTC))
    msg["X-Yuqing-Report-Id"] = report.id
    msg.set_content(plain_text(report))
    msg.add_alternative(html, subtype="html")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=filename)
    return msg


async def _send(settings: Settings, msg: EmailMessage) -> None:
    """Up to REPORT_SEND_TRIES attempts while the relay answers "later"; a refusal is final."""
    for attempt in range(1, settings.report.send_tries + 1):
        try:
            await send_once(settings.smtp, msg)
            return
        except TransientSmtpError:
            if attempt == settings.report.send_tries:
                raise
            await asyncio.sleep(RETRY_PAUSE_S * attempt)


async def deliver(
    es: AsyncElasticsearch, settings: Settings, due: Due, now: datetime | None = None
) -> Outcome:
    """Send one due report unless it was sent or is being sent."""
    store = ReportStore(es, settings.es)
    rid = report_id(due.kind, due.period, due.station)
    # The document to claim: made empty once; the report's data follows.
    with contextlib.suppress(ConflictError):
        await es.create(
            index=store.index,
            id=rid,
            document={"id": rid, "kind": due.kind, "station": due.station},
            refresh="wait_for",
        )
    doc = await store.get(rid) or {}
    if doc.get("sent_at"):
        return Outcome(rid, "already_sent", mile(doc["sent_at"]))
    if claim_open(doc):
        return Outcome(rid, "in_progress", mile(doc["sending_at"]))
    try:
        doc = await store.update(
            doc, {"sending_at": now_iso(), "message_id": message_id(rid), "recipients": list(due.recipients)}
        )
    except ReportConflict:
        return Outcome(rid, "in_progress", "claimed by another run")
    try:
        day = due.period.start.date()
        report = await build_report(
            es, settings, due.kind, day, due.station, notes=doc.get("notes") or "", now=now
        )
        await store.save(report.model_copy(update={"notes": ""}), SENDER_NAME)
        doc = await store.get(rid) or doc
        pdf = await document(report, "pdf", settings.web.chromium)
        msg = compose(
            report,
            render_report(report),
            pdf.content,
            pdf.filename,
            settings.smtp.sender,
            list(due.recipients),
        )
        await _send(settings, msg)
    except (PdfError, TransientSmtpError, PermanentSmtpError) as exc:
        attempts = int(doc.get("attempts") or 0) + 1
        await store.update(doc, {"sending_at": None, "send_error": str(exc)[:1000], "attempts": attempts})
        log.warning("report %s not sent (attempt %d): %s", rid, attempts, exc)
        return Outcome(rid, "failed", str(exc))
    except BaseException:
        with contextlib.suppress(Exception):  # Elasticsearch may be what failed: the claim then runs out
            await store.update(await store.get(rid) or doc, {"sending_at": None})
        raise
    await store.update(
        doc,
        {
            "sent_at": now_iso(),
            "sending_at": None,
            "send_error": None,
            "attempts": int(doc.get("attempts") or 0) + 1,
        },
    )
    return Outcome(rid, "sent", ", ".join(due.recipients))
