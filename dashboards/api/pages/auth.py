"""Login, logout, and the home page that sends each role where it works."""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from dashboards.api.deps import (
    PRELOGIN_COOKIE,
    SESSION_COOKIE,
    CsrfBody,
    CurrentUser,
    ServicesDep,
    client_ip,
    local_path,
    set_cookie,
    set_session_cookie,
)
from dashboards.api.render import render
from dashboards.api.services import Services
from dashboards.messages import say
from dashboards.security import check_password, same_token

router = APIRouter(tags=["auth"])


def _home_for(role: str) -> str:
    return "/alerts" if role == "duty_officer" else "/screen"


@router.get("/")
async def home(principal: CurrentUser):
    return RedirectResponse(_home_for(principal.role), status_code=303)


def _login_page(
    request: Request, svc: Services, error: str | None = None, status: int = 200, next_: str = "/"
):
    # Before a session exists, CSRF is a double-submit token: a random cookie echoed in the form.
    token = secrets.token_urlsafe(24)
    response = render(request, "login.html", status_code=status, csrf=token, error=error, next=next_)
    set_cookie(response, svc, PRELOGIN_COOKIE, token, max_age=3600, samesite="strict")
    return response


@router.get("/login")
async def login_form(request: Request, svc: ServicesDep, next: str = "/"):
    return _login_page(request, svc, next_=local_path(next, "/"))


@router.post("/login")
async def login(
    request: Request,
    svc: ServicesDep,
    username: str = Form("", max_length=100),
    password: str = Form("", max_length=1000),
    csrf: str = Form(""),
    next: str = Form("/"),
):
    next_ = local_path(next, "/")
    if not same_token(csrf, request.cookies.get(PRELOGIN_COOKIE)):
        return _login_page(request, svc, say("login_stale"), 403, next_)
    ip, name = client_ip(request), username.strip()
    # Known and unknown names take the same steps and get the same answers (no account enumeration, by
    # reply or by time): count the attempt, read the account, check an argon2 hash, write the audit entry.
    attempt = await svc.throttle.begin(name, ip)
    if attempt.wait_s:
        await svc.audit.record(name or "-", "login_failed", ip=ip, details={"why": "throttled"})
        return _login_page(request, svc, say("login_throttled", wait_s=attempt.wait_s), 429, next_)
    user = await svc.accounts.get(name)
    usable = user is not None and not user.disabled
    if not check_password(user.password_hash if usable else None, password):
        why = "password" if usable else "unknown or disabled"
        await svc.audit.record(name or "-", "login_failed", ip=ip, details={"why": why})
        return _login_page(request, svc, say("login_wrong"), 401, next_)
    await svc.throttle.succeeded(attempt)
    await svc.accounts.login_succeeded(user)
    token, session = svc.signer.issue(user.username, user.password_version)
    await svc.audit.record(user.username, "login", role=user.role, ip=ip)
    response = RedirectResponse(next_ if next_ != "/" else _home_for(user.role), 303)
    set_session_cookie(response, svc, token, session)
    response.delete_cookie(
        PRELOGIN_COOKIE, httponly=True, samesite="strict", secure=svc.settings.web.secure_cookies
    )
    return response


@router.post("/logout")
async def logout(request: Request, principal: CurrentUser, _body: CsrfBody, svc: ServicesDep):
    # A signed cookie cannot be taken back: the account remembers when its sessions ended instead.
    await svc.accounts.end_sessions(principal.name)
    await svc.audit.record(principal.name, "logout", role=principal.role, ip=client_ip(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, httponly=True, samesite="lax", secure=svc.settings.web.secure_cookies
    )
    return response
