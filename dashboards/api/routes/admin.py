"""Admins only: accounts and the audit trail (their pages: dashboards/api/pages/admin.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dashboards.accounts import AccountError
from dashboards.api.deps import Admin, CsrfBody, ServicesDep, client_ip, is_form
from dashboards.audit import ACTIONS
from dashboards.messages import say
from dashboards.security import WeakPassword

router = APIRouter(tags=["admin"])


def audit_action(action: str | None = Query(None, max_length=40)) -> str | None:
    """The audit trail's action filter: one of the known actions, or none."""
    if action and action not in ACTIONS:
        raise HTTPException(422, say("audit_action_unknown", action=action))
    return action or None


AuditAction = Annotated[str | None, Depends(audit_action)]


@router.get("/users")
async def api_users(principal: Admin, svc: ServicesDep) -> list[dict[str, Any]]:
    """Every account (no password hashes)."""
    return [u.public() for u in await svc.accounts.list()]


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/users")
async def add_user(request: Request, body: CsrfBody, principal: Admin, svc: ServicesDep):
    """Create an account: username, password, role, station (a duty officer's)."""
    username, role, station = _field(body, "username"), _field(body, "role"), _field(body, "station") or None
    try:
        await svc.accounts.add(username, _field(body, "password"), role, station, svc.station_names)
    except (AccountError, WeakPassword) as exc:
        raise HTTPException(422, str(exc)) from exc
    await svc.audit.record(
        principal.name, "user_add", target=username, role=principal.role, ip=client_ip(request),
        details={"role": role, "station": station},
    )  # fmt: skip
    if is_form(request):
        return RedirectResponse("/admin/users", 303)
    return {"username": username, "role": role, "station": station}


@router.post("/users/{username}/{action}")
async def change_user(
    request: Request, username: str, action: str, body: CsrfBody, principal: Admin, svc: ServicesDep
):
    """password (`password`) | disable | enable."""
    try:
        if action == "password":
            await svc.accounts.set_password(username, _field(body, "password"))
        elif action in ("disable", "enable"):
            if username == principal.name and action == "disable":
                raise AccountError(say("self_disable"))
            await svc.accounts.set_disabled(username, action == "disable")
        else:
            raise HTTPException(404, say("user_action_unknown", action=action))
    except (AccountError, WeakPassword) as exc:
        raise HTTPException(422, str(exc)) from exc
    await svc.audit.record(
        principal.name, f"user_{action}", target=username, role=principal.role, ip=client_ip(request)
    )
    if is_form(request):
        return RedirectResponse("/admin/users", 303)
    return {"username": username, "done": action}


@router.get("/audit")
async def api_audit(
    principal: Admin,
    svc: ServicesDep,
    action: AuditAction,
    user: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1, le=100),
    size: int = Query(100, ge=1, le=100),
) -> dict[str, Any]:
    """The audit trail, newest first: who searched, exported, corrected, acted on alerts, logged in."""
    total, entries = await svc.audit.search(user or None, action, size, page)
    return {"total": total, "page": page, "entries": entries}
