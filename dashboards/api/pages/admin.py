"""Admins only: the accounts page and the audit trail's page (their API: dashboards/api/routes/admin.py)."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request

from dashboards.accounts import ROLES
from dashboards.api.deps import Admin, ServicesDep
from dashboards.api.render import render
from dashboards.api.routes.admin import AuditAction
from dashboards.audit import ACTION_NAMES

router = APIRouter(tags=["admin"])


@router.get("/admin/users")
async def users_page(request: Request, principal: Admin, svc: ServicesDep):
    users = await svc.accounts.list()
    return render(request, "users.html", users=users, roles=ROLES, stations=svc.station_names)


@router.get("/admin/audit")
async def audit_page(
    request: Request,
    principal: Admin,
    svc: ServicesDep,
    action: AuditAction,
    user: str | None = Query(None, max_length=100),
    page: int = Query(1, ge=1, le=100),
):
    total, entries = await svc.audit.search(user or None, action, 100, page)
    return render(
        request, "audit.html", total=total, entries=entries, page=page, user=user or "", action=action or "",
        actions=ACTION_NAMES,
    )  # fmt: skip
