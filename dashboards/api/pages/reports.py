"""Report pages for analysts and supervisors: the list with the form that makes one, one report with its
draft of 研判建议 and its downloads (PDF, DOCX, HTML; audited), and the way from an event to its 专报. The
forms post to the API in dashboards/api/routes/reports.py."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response

from dashboards.api.deps import ServicesDep
from dashboards.api.render import render
from dashboards.api.routes.reports import ID_CHARS, Kind, Reporter, StoredReport, audit, public, report_path
from dashboards.messages import say
from dashboards.pdf import FontMissing, PdfError
from dashboards.reports.periods import KIND_NAMES
from dashboards.reports.render import body, mile
from dashboards.reports.service import ReportError
from dashboards.reports.store import NOTES_CHARS, PAGE_SIZE

router = APIRouter(tags=["reports"])
NOTICES = {"saved": "report_notes_saved", "long": "report_notes_long", "conflict": "report_notes_conflict"}


@router.get("/reports")
async def reports_page(
    request: Request,
    principal: Reporter,
    svc: ServicesDep,
    kind: Kind = "any",
    page: int = Query(1, ge=1, le=400),
):
    total, items = await svc.reports.list(None if kind == "any" else kind, page)
    return render(
        request, "reports.html", reports=items, total=total, kind=kind, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), stations=svc.station_names, KIND_NAMES=KIND_NAMES, mile=mile,
    )  # fmt: skip


@router.get("/reports/event/{event_id}")
async def event_report_page(request: Request, event_id: str, principal: Reporter, svc: ServicesDep):
    """The event's 专报 when it was made, else a page with the button that makes it."""
    if len(event_id) > ID_CHARS:
        raise HTTPException(422, say("event_id_chars", limit=ID_CHARS))
    if await svc.reports.get(f"event-{event_id}"):
        return RedirectResponse(report_path(f"event-{event_id}"), 303)
    return render(request, "report_event_new.html", event_id=event_id)


@router.get("/reports/{report_id}")
async def report_page(
    request: Request,
    doc: StoredReport,
    principal: Reporter,
    svc: ServicesDep,
    notice: str | None = Query(None, max_length=20),
):
    """One report as made, its draft of 研判建议 (a form), its downloads and its e-mail record."""
    message = None
    if notice in NOTICES:
        who, at = doc.get("notes_by"), mile(doc.get("notes_at"))
        message = say(NOTICES[notice], limit=NOTES_CHARS, who=who, at=at)
    return render(
        request, "report.html", doc=public(doc), body=body(svc.reports.report(doc)), notice=message,
        notes_chars=NOTES_CHARS, KIND_NAMES=KIND_NAMES, mile=mile,
    )  # fmt: skip


@router.get("/reports/{report_id}/download.{fmt}")
async def download(request: Request, fmt: str, doc: StoredReport, principal: Reporter, svc: ServicesDep):
    """The report as PDF, DOCX or HTML, with the draft of 研判建议 as it stands; audited."""
    try:
        file = await svc.reports.document(doc, fmt)
    except ReportError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    except (FontMissing, PdfError) as exc:
        raise HTTPException(503, str(exc)) from exc
    await audit(request, svc, principal, "report_download", doc["id"], format=fmt)
    disposition = "inline" if fmt in ("pdf", "html") else "attachment"
    headers = {"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(file.filename)}"}
    return Response(file.content, media_type=file.media_type, headers=headers)
