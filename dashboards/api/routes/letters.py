"""公安提示函 for supervisors: the list by status, one letter to read and edit, approve (numbered, printed as
PDF and e-mailed to the agency) or reject with a reason, send again after a failed send; each step audited.

Only `admin` and `supervisor` come here; a supervisor with a station sees only the letters about that
station's places (others answer 404, like a missing one). A form post goes back to the letter's page with a
notice (never a JSON page); a JSON call gets the Chinese reason with its status (409: a colleague was first).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dashboards.api.deps import Principal, Services, client_ip, csrf_checked, is_form, require, services
from dashboards.letter_mail import LetterPdfError, deliver, print_pdf, render_html
from dashboards.letters import (
    ACTION_NAMES,
    FIELD_NAMES,
    MAX_CHARS,
    PAGE_SIZE,
    STATUS_NAMES,
    LetterError,
    LetterStore,
    claim_open,
    edits,
    now_iso,
    reason,
    taken_message,
    version_of,
)
from dashboards.messages import say

router = APIRouter(tags=["letters"])

Supervisor = Annotated[Principal, Depends(require("admin", "supervisor"))]
Svc = Annotated[Services, Depends(services)]
Status = Literal["draft", "approved", "sent", "rejected", "any"]
# A form post comes back to the letter's page with `?notice=<code>`: the code → its catalogue message.
NOTICES = {
    "saved": "letter_saved",
    "rejected": "letter_rejected",
    "sent": "letter_sent",
    "reason": "letter_reason",
    "empty": "letter_unchanged",
    "invalid": "letter_invalid",
}
LETTER_ID_CHARS = 200


def _store(svc: Services) -> LetterStore:
    return LetterStore(svc.es, svc.settings.es)


def letter_scope(principal: Principal) -> str | None:
    """The station whose letters this person may see; None for every station."""
    return (principal.user.station or None) if principal.role == "supervisor" else None


async def visible_letter(svc: Services, principal: Principal, letter_id: str) -> dict[str, Any]:
    if len(letter_id) > LETTER_ID_CHARS:
        raise HTTPException(422, say("letter_id_long", limit=LETTER_ID_CHARS))
    letter = await _store(svc).get(letter_id)
    scope = letter_scope(principal)
    if letter is None or (scope is not None and letter.get("jurisdiction") != scope):
        raise HTTPException(404, say("letter_missing", letter_id=letter_id))
    return letter


def _public(letter: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in letter.items() if not k.startswith("_")}
    return shown | {"version": version_of(letter), "status_name": STATUS_NAMES.get(letter.get("status"), "")}


def _path(letter_id: str, notice: str | None = None) -> str:
    return "/letters/" + quote(letter_id, safe=":") + (f"?notice={notice}" if notice else "")


@router.get("/api/letters")
async def api_letters(
    principal: Supervisor,
    svc: Svc,
    status: Status = "draft",
    page: int = Query(1, ge=1, le=400),
    size: int = Query(PAGE_SIZE, ge=1, le=100),
) -> dict[str, Any]:
    """One page of letters, newest first, of one status (`any`: all), with the count of each status."""
    total, items, counts = await _store(svc).search(
        None if status == "any" else status, letter_scope(principal), page, size
    )
    return {"status": status, "total": total, "page": page, "counts": counts, "letters": items}


@router.get("/api/letters/{letter_id}")
async def api_letter(letter_id: str, principal: Supervisor, svc: Svc) -> dict[str, Any]:
    """One letter, with `version` (send it back with an edit or a decision)."""
    return _public(await visible_letter(svc, principal, letter_id))


@router.post("/api/letters/{letter_id}/{action}")
async def act(
    request: Request,
    letter_id: str,
    action: str,
    principal: Supervisor,
    svc: Svc,
    body: dict[str, Any] = Depends(csrf_checked),
):
    """edit (the texts: `subject`, `facts`, `excerpt`, `requested_action`) | approve | reject (`reason`,
    required) | send (again, after a failed send). Edits and decisions carry the `version` read; a colleague's
    earlier change answers 409 with what they did. Approve numbers the letter, prints it and e-mails it."""
    letter = await visible_letter(svc, principal, letter_id)
    store, version = _store(svc), body.get("version") if isinstance(body.get("version"), str) else None
    audit: list[tuple[str, dict[str, Any]]] = []
    try:
        if action == "edit":
            changes = edits(letter, body, principal.name) if letter.get("status") == "draft" else None
            if changes is None:
                raise LetterError(taken_message(letter))
            before = {k: letter.get(k) for k in changes if k in FIELD_NAMES}
            letter = await store.update(letter, changes, version)
            audit.append(("letter_edit", {"changed": sorted(before), "before": before}))
        elif action == "reject":
            if letter.get("status") != "draft":
                raise LetterError(taken_message(letter))
            why = reason(body.get("reason"))
            changes = {"status": "rejected", "rejected_by": principal.name, "rejected_at": now_iso()}
            letter = await store.update(letter, changes | {"reject_reason": why}, version)
            audit.append(("letter_reject", {"reason": why}))
        elif action in ("approve", "send"):
            if action == "approve":
                if letter.get("status") != "draft":
                    raise LetterError(taken_message(letter))
                changes = {"status": "approved", "approved_by": principal.name, "approved_at": now_iso()}
                letter = await store.update(letter, changes | {"send_error": None}, version)
            try:
                letter = await deliver(store, svc.templates, svc.settings, letter)
            finally:
                if action == "approve":  # the decision stands, whatever the sending did
                    audit.append(("letter_approve", {"number": letter.get("number")}))
            failed = letter.get("status") != "sent"
            audit.append(
                ("letter_send_failed", {"error": letter.get("send_error")})
                if failed
                else ("letter_send", {"number": letter["number"], "message_id": letter["message_id"]})
            )
        else:
            raise LetterError(say("letter_action_unknown", action=action), 422)
    except LetterError as exc:
        await _record(request, svc, principal, letter_id, audit)
        if is_form(request):
            code = "conflict" if exc.status == 409 else "reason" if action == "reject" else "invalid"
            if str(exc) == say("letter_unchanged"):
                code = "empty"
            return RedirectResponse(_path(letter_id, code), 303)
        raise HTTPException(exc.status, str(exc)) from exc
    await _record(request, svc, principal, letter_id, audit)
    if is_form(request):
        done = {"edit": "saved", "reject": "rejected"}.get(action, "sent")
        return RedirectResponse(_path(letter_id, None if letter.get("send_error") else done), 303)
    return _public(letter)


async def _record(
    request: Request, svc: Services, principal: Principal, letter_id: str, entries: list[tuple[str, Any]]
) -> None:
    for action, details in entries:
        await svc.audit.record(
            principal.name, action, target=letter_id, role=principal.role, ip=client_ip(request),
            details=details, refresh=True,
        )  # fmt: skip


@router.get("/letters", include_in_schema=False)
async def letters_page(
    request: Request,
    principal: Supervisor,
    svc: Svc,
    status: Status = "draft",
    page: int = Query(1, ge=1, le=400),
):
    from dashboards.api.app import render

    scope = letter_scope(principal)
    total, items, counts = await _store(svc).search(None if status == "any" else status, scope, page)
    return render(
        request, "letters.html", letters=items, total=total, counts=counts, status=status, page=page,
        pages=max(1, -(-total // PAGE_SIZE)), scope=scope, STATUS_NAMES=STATUS_NAMES,
    )  # fmt: skip


@router.get("/letters/{letter_id}", include_in_schema=False)
async def letter_page(
    request: Request,
    letter_id: str,
    principal: Supervisor,
    svc: Svc,
    notice: str | None = Query(None, max_length=20),
):
    from dashboards.api.app import render

    letter = await visible_letter(svc, principal, letter_id)
    _, history = await svc.audit.search(target=letter_id, size=100, oldest_first=True)
    if notice == "conflict":
        message: str | None = taken_message(letter)
    else:
        message = say(NOTICES[notice]) if notice and notice in NOTICES else None
    return render(
        request, "letter.html", letter=_public(letter), notice=message, sending=claim_open(letter),
        history=[e for e in history if e["action"] in ACTION_NAMES], FIELD_NAMES=FIELD_NAMES,
        MAX_CHARS=MAX_CHARS, STATUS_NAMES=STATUS_NAMES, ACTION_NAMES=ACTION_NAMES,
    )  # fmt: skip


@router.get("/letters/{letter_id}/preview", include_in_schema=False)
async def letter_preview(letter_id: str, principal: Supervisor, svc: Svc) -> HTMLResponse:
    """The letter as it is printed and mailed."""
    letter = await visible_letter(svc, principal, letter_id)
    return HTMLResponse(render_html(svc.templates, letter))


@router.get("/letters/{letter_id}/letter.pdf", include_in_schema=False)
async def letter_pdf(letter_id: str, principal: Supervisor, svc: Svc) -> Response:
    """The letter printed as PDF (a draft says so on the page)."""
    letter = await visible_letter(svc, principal, letter_id)
    try:
        pdf = await print_pdf(svc.settings.web.chromium, render_html(svc.templates, letter))
    except LetterPdfError as exc:
        raise HTTPException(503, str(exc)) from exc
    name = quote(f"{letter.get('number') or '提示函草稿'}.pdf")
    headers = {"Content-Disposition": f"inline; filename*=UTF-8''{name}"}
    return Response(pdf, media_type="application/pdf", headers=headers)
