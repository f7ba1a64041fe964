"""公安提示函 pages for supervisors: the list by status, one letter with its forms and history, the letter as
printed (HTML preview and PDF). The forms post to the API in dashboards/api/routes/letters.py."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, Response

from dashboards.api.deps import ServicesDep, Supervisor
from dashboards.api.render import render
from dashboards.api.routes.letters import Status, VisibleLetter, public
from dashboards.letter_mail import LetterPdfError, print_pdf, render_html
from dashboards.letters import (
    ACTION_NAMES,
    FIELD_NAMES,
    MAX_CHARS,
    PAGE_SIZE,
    STATUS_NAMES,
    claim_open,
    taken_message,
)
from dashboards.messages import say

router = APIRouter(tags=["letters"])
# A form post comes back to the letter's page with `?notice=<code>`: the code → its catalogue message.
NOTICES = {
    "saved": "letter_saved",
    "rejected": "letter_rejected",
    "sent": "letter_sent",
    "reason": "letter_reason",
    "empty": "letter_unchanged",
    "invalid": "letter_invalid",
}


@router.get("/letters")
async def letters_page(
    request: Request,
    principal: Supervisor,
    svc: ServicesDep,
    status: Status = "draft",
    page: int = Query(1, ge=1, le=400),
):
    scope = principal.letter_scope
    total, items, counts = await svc.letters.search(None if status == "any" else status, scope, page)
    return render(
        request, "letters.html", letters=items, total=total, counts=counts, status=status, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), scope=scope, STATUS_NAMES=STATUS_NAMES,
    )  # fmt: skip


@router.get("/letters/{letter_id}")
async def letter_page(
    request: Request,
    letter_id: str,
    letter: VisibleLetter,
    svc: ServicesDep,
    notice: str | None = Query(None, max_length=20),
):
    if notice == "conflict":
        message: str | None = taken_message(letter)
    else:
        message = say(NOTICES[notice]) if notice and notice in NOTICES else None
    return render(
        request, "letter.html", letter=public(letter), notice=message, sending=claim_open(letter),
        history=await svc.audit.history(letter_id, ACTION_NAMES), FIELD_NAMES=FIELD_NAMES,
        MAX_CHARS=MAX_CHARS, STATUS_NAMES=STATUS_NAMES, ACTION_NAMES=ACTION_NAMES,
    )  # fmt: skip


@router.get("/letters/{letter_id}/preview")
async def letter_preview(letter: VisibleLetter, svc: ServicesDep) -> HTMLResponse:
    """The letter as it is printed and mailed."""
    return HTMLResponse(render_html(svc.templates, letter))


@router.get("/letters/{letter_id}/letter.pdf")
async def letter_pdf(letter: VisibleLetter, svc: ServicesDep) -> Response:
    """The letter printed as PDF (a draft says so on the page)."""
    try:
        pdf = await print_pdf(svc.settings.web.chromium, render_html(svc.templates, letter))
    except LetterPdfError as exc:
        raise HTTPException(503, str(exc)) from exc
    name = quote(f"{letter.get('number') or '提示函草稿'}.pdf")
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{name}"}
    return Response(pdf, media_type="application/pdf", headers=headers)
