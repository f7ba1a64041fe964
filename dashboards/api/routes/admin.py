"""Admins only: accounts and the audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dashboards.accounts import ROLES, AccountError
from dashboards.api.deps import Principal, Services, client_ip, csrf_checked, is_form, require, services
from dashboards.audit import ACTION_NAMES, ACTIONS
from dashboards.messages import say
from dashboards.security import WeakPassword

router = APIRouter(tags=["admin"])
admins = require("admin")


@router.get("/api/users")
async def api_users(
    principal: Principal = Depends(admins), svc: Services = Depends(services)
) -> list[dict[str, Any]]:
    """Every account (no password hashes)."""
    return [u.public() for u in await svc.accounts.list()]


def _field(body: dict[str, Any], name: str) -> str:
    value = body.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.post("/api/users")
async def add_user(
    request: Request,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(admins),
    svc: Services = Depends(services),
):
    """Create an account: username, password, role, station (a duty officer's)."""
    username, role, station = _field(body, "username"), _field(body, "role"), _field(body, "station") or None
    try:
        await svc.accounts.add(
            username, _field(body, "password"), role, station, [s.name for s in svc.stations.stations]
        )
    except (AccountError, WeakPassword) as exc:
        raise HTTPException(422, str(exc)) from exc
    await svc.audit.record(
        principal.name, "user_add", target=username, role=principal.role, ip=client_ip(request),
        details={"role": role, "station": station},
    )  # fmt: skip
    if is_form(request):
        return RedirectResponse("/admin/users", 303)
    return {"username": username, "role": role, "station": station}


@router.post("/api/users/{username}/{action}")
async def change_user(
    request: Request,
    username: str,
    action: str,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(admins),
    svc: Services = Depends(services),
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


@router.get("/api/audit")
async def api_audit(
    user: str | None = Query(None, max_length=100),
    action: str | None = Query(None, max_length=40),
    page: int = Query(1, ge=1, le=100),
    size: int = Query(100, ge=1, le=100),
    principal: Principal = Depends(admins),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """The audit trail, newest first: who searched, exported, corrected, acted on alerts, logged in."""
    if action and action not in ACTIONS:
        raise HTTPException(422, say("audit_action_unknown", action=action))
    total, entries = await svc.audit.search(user or None, action or None, size, page)
    return {"total": total, "page": page, "entries": entries}


@router.get("/admin/users", include_in_schema=False)
async def users_page(
    request: Request, principal: Principal = Depends(admins), svc: Services = Depends(services)
):
    from dashboards.api.app import render

    users = await svc.accounts.list()
    return render(
        request, "users.html", users=users, roles=ROLES, stations=[s.name for s in svc.stations.stations]
    )


@router.get("/admin/audit", include_in_schema=False)
async def audit_page(
    request: Request,
    user: str | None = Query(None, max_length=100),
    action: str | None = Query(None, max_length=40),
    page: int = Query(1, ge=1, le=100),
    principal: Principal = Depends(admins),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    if action and action not in ACTIONS:
        raise HTTPException(422, say("audit_action_unknown", action=action))
    total, entries = await svc.audit.search(user or None, action or None, 100, page)
    return render(
        request, "audit.html", total=total, entries=entries, page=page, user=user or "", action=action or "",
        actions=ACTION_NAMES,
    )  # fmt: skip
