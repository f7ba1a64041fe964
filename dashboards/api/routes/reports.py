"""Reports (舆情日报, 周报, 专报) for analysts and supervisors: list them, make one (kept in the `reports`
index with its draft of 研判建议), read one back, save the draft under the version read; each step audited
(the pages and the downloads: dashboards/api/pages/reports.py).

A form post goes back to a page (never a JSON page); a JSON call gets the report or the Chinese reason with
its status (404 an unknown event, 409 a colleague saved the notes first, 422 a bad date, station or kind).
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dashboards.api.deps import CsrfBody, Principal, ServicesDep, client_ip, is_form, require
from dashboards.api.services import Services
from dashboards.messages import say
from dashboards.reports.event import EventNotFound
from dashboards.reports.service import ReportError
from dashboards.reports.store import ReportConflict, version_of

router = APIRouter(tags=["reports"])

# Who reads and makes reports: the analysts who write them and the supervisors who send them up.
Reporter = Annotated[Principal, Depends(require("admin", "analyst", "supervisor"))]
Kind = Literal["daily", "weekly", "event", "any"]
ID_CHARS = 200


async def stored_report(report_id: str, principal: Reporter, svc: ServicesDep) -> dict[str, Any]:
    """The report of the path (404 when there is none)."""
    if len(report_id) > ID_CHARS:
        raise HTTPException(422, say("value_chars", limit=ID_CHARS))
    doc = await svc.reports.get(report_id)
    if doc is None:
        raise HTTPException(404, say("report_missing", report_id=report_id))
    return doc


StoredReport = Annotated[dict[str, Any], Depends(stored_report)]


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """A report as answered: its data, its draft of 研判建议 and the version to send back with an edit."""
    return {k: v for k, v in doc.items() if not k.startswith("_")} | {"version": version_of(doc)}


def report_path(report_id: str, notice: str | None = None) -> str:
    return "/reports/" + quote(report_id, safe="") + (f"?notice={notice}" if notice else "")


async def audit(
    request: Request, svc: Services, principal: Principal, action: str, target: str, **details: Any
):
    await svc.audit.record(
        principal.name, action, target=target, role=principal.role, ip=client_ip(request), details=details
    )


@router.get("/reports")
async def api_reports(
    principal: Reporter, svc: ServicesDep, kind: Kind = "any", page: int = Query(1, ge=1, le=400)
) -> dict[str, Any]:
    """Reports kept, the newest made first (without their data)."""
    total, items = await svc.reports.list(None if kind == "any" else kind, page)
    return {"kind": kind, "total": total, "page": page, "reports": items}


def _day(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise HTTPException(422, say("report_bad_date", value=value)) from exc


@router.post("/reports")
async def make_report(request: Request, principal: Reporter, svc: ServicesDep, body: CsrfBody):
    """Make (or make again) a 日报 or 周报: `kind` daily | weekly, `date` (YYYY-MM-DD, default the last
    complete day or week), `station` (default the city). Its draft of 研判建议 is kept."""
    kind = body.get("kind")
    if kind not in ("daily", "weekly"):
        raise HTTPException(422, say("report_kind", value=kind))
    day, station = _day(body.get("date")), (body.get("station") or None)
    try:
        doc = await svc.reports.make(kind, day, station, principal.name)
    except ReportError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    await audit(request, svc, principal, "report_generate", doc["id"], kind=kind, date=body.get("date"),
                station=station)  # fmt: skip
    return RedirectResponse(report_path(doc["id"]), 303) if is_form(request) else public(doc)


@router.post("/reports/event/{event_id}")
async def make_event_report(
    request: Request, event_id: str, principal: Reporter, svc: ServicesDep, body: CsrfBody
):
    """Make (or make again) the 专报 of one event (404 when no event has the id)."""
    if len(event_id) > ID_CHARS:
        raise HTTPException(422, say("event_id_chars", limit=ID_CHARS))
    try:
        doc = await svc.reports.make_event(event_id, principal.name)
    except EventNotFound as exc:
        raise HTTPException(404, say("report_no_event", event_id=event_id)) from exc
    await audit(request, svc, principal, "report_generate", doc["id"], kind="event", event_id=event_id)
    return RedirectResponse(report_path(doc["id"]), 303) if is_form(request) else public(doc)


@router.get("/reports/{report_id}")
async def api_report(doc: StoredReport) -> dict[str, Any]:
    """One report: its data as made, its draft of 研判建议, its e-mail record, `version`."""
    return public(doc)


@router.post("/reports/{report_id}/notes")
async def save_notes(
    request: Request, report_id: str, principal: Reporter, svc: ServicesDep, body: CsrfBody, doc: StoredReport
):
    """Save the draft of 研判建议 (`notes`) if nobody saved since `version` was read (else 409)."""
    version = body.get("version") if isinstance(body.get("version"), str) else None
    try:
        doc = await svc.reports.save_notes(doc, body.get("notes"), principal.name, version)
    except ReportError as exc:
        if is_form(request):
            return RedirectResponse(report_path(report_id, "long"), 303)
        raise HTTPException(exc.status, str(exc)) from exc
    except ReportConflict as exc:
        if is_form(request):
            return RedirectResponse(report_path(report_id, "conflict"), 303)
        now = await svc.reports.get(report_id) or doc
        message = say("report_notes_conflict", who=now.get("notes_by"), at=now.get("notes_at"))
        raise HTTPException(409, message) from exc
    await audit(request, svc, principal, "report_notes", report_id, chars=len(doc["notes"]))
    return RedirectResponse(report_path(report_id, "saved"), 303) if is_form(request) else public(doc)
