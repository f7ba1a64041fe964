"""公安提示函 for supervisors: the list by status, one letter to read and edit, approve (numbered, printed as
PDF and e-mailed to the agency) or reject with a reason, send again after a failed send; each step audited
(the pages, the preview and the PDF: dashboards/api/pages/letters.py).

Only `admin` and `supervisor` come here; a supervisor with a station sees only the letters about that
station's places (others answer 404, like a missing one). A form post goes back to the letter's page with a
notice (never a JSON page); a JSON call gets the Chinese reason with its status (409: a colleague was first).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dashboards.api.deps import CsrfBody, Principal, ServicesDep, Supervisor, client_ip, is_form, visible
from dashboards.api.services import Services
from dashboards.letter_mail import deliver
from dashboards.letters import (
    FIELD_NAMES,
    PAGE_SIZE,
    STATUS_NAMES,
    LetterError,
    edits,
    now_iso,
    reason,
    taken_message,
    version_of,
)
from dashboards.messages import say

router = APIRouter(tags=["letters"])

Status = Literal["draft", "approved", "sent", "rejected", "any"]
LETTER_ID_CHARS = 200


async def visible_letter(letter_id: str, principal: Supervisor, svc: ServicesDep) -> dict[str, Any]:
    """The letter of the path, if this person may see it: another station's answers like a missing one."""
    if len(letter_id) > LETTER_ID_CHARS:
        raise HTTPException(422, say("letter_id_long", limit=LETTER_ID_CHARS))
    missing = HTTPException(404, say("letter_missing", letter_id=letter_id))
    return visible(await svc.letters.get(letter_id), principal.letter_scope, missing)


VisibleLetter = Annotated[dict[str, Any], Depends(visible_letter)]


def public(letter: dict[str, Any]) -> dict[str, Any]:
    """A letter as shown and answered: without the store's guards, with its version and status name."""
    shown = {k: v for k, v in letter.items() if not k.startswith("_")}
    return shown | {"version": version_of(letter), "status_name": STATUS_NAMES.get(letter.get("status"), "")}


def _path(letter_id: str, notice: str | None = None) -> str:
    return "/letters/" + quote(letter_id, safe=":") + (f"?notice={notice}" if notice else "")


@router.get("/letters")
async def api_letters(
    principal: Supervisor,
    svc: ServicesDep,
    status: Status = "draft",
    page: int = Query(1, ge=1, le=400),
    size: int = Query(PAGE_SIZE, ge=1, le=100),
) -> dict[str, Any]:
    """One page of letters, newest first, of one status (`any`: all), with the count of each status."""
    total, items, counts = await svc.letters.search(
        None if status == "any" else status, principal.letter_scope, page, size
    )
    return {"status": status, "total": total, "page": page, "counts": counts, "letters": items}


@router.get("/letters/{letter_id}")
async def api_letter(letter: VisibleLetter) -> dict[str, Any]:
    """One letter, with `version` (send it back with an edit or a decision)."""
    return public(letter)


@router.post("/letters/{letter_id}/{action}")
async def act(
    request: Request,
    letter_id: str,
    action: str,
    principal: Supervisor,
    svc: ServicesDep,
    body: CsrfBody,
    letter: VisibleLetter,
):
    """edit (the texts: `subject`, `facts`, `excerpt`, `requested_action`) | approve | reject (`reason`,
    required) | send (again, after a failed send). Edits and decisions carry the `version` read; a colleague's
    earlier change answers 409 with what they did. Approve numbers the letter, prints it and e-mails it."""
    store, version = svc.letters, body.get("version") if isinstance(body.get("version"), str) else None
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
    return public(letter)


async def _record(
    request: Request, svc: Services, principal: Principal, letter_id: str, entries: list[tuple[str, Any]]
) -> None:
    for action, details in entries:
        await svc.audit.record(
            principal.name, action, target=letter_id, role=principal.role, ip=client_ip(request),
            details=details, refresh=True,
        )  # fmt: skip
