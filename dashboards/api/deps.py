"""Dependencies the routes declare: the app's services, the signed-in user, role checks, CSRF.

Exceptions, drawn:

    NotSignedIn   no valid session: pages redirect to /login, /api answers 401
    Forbidden     signed in, but the role or station does not allow it: 403 with the reason
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from elasticsearch import AsyncElasticsearch
from fastapi import Depends, HTTPException, Request
from jinja2 import Environment

from dashboards.accounts import Accounts, User
from dashboards.audit import Audit
from dashboards.security import LoginThrottle, Session, SessionSigner, same_token
from yuqing.config import Stations
from yuqing.settings import Settings

SESSION_COOKIE = "yq_session"
PRELOGIN_COOKIE = "yq_prelogin"


class NotSignedIn(Exception):
    pass


@dataclass
class Services:
    """What one app instance holds (built once in `create_app`, kept on `app.state.services`)."""

    settings: Settings
    es: AsyncElasticsearch
    accounts: Accounts
    audit: Audit
    signer: SessionSigner
    throttle: LoginThrottle
    templates: Environment
    stations: Stations
    spots: list[str]


@dataclass
class Principal:
    """The signed-in user and their session."""

    user: User
    session: Session

    @property
    def name(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role

    def can_see_station(self, station: str | None) -> bool:
        return self.role != "duty_officer" or (station is not None and station == self.user.station)


def services(request: Request) -> Services:
    return request.app.state.services


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def current_user(request: Request, svc: Services = Depends(services)) -> Principal:
    session = svc.signer.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn()
    user = await svc.accounts.get(session.username)
    # A disabled account or a changed password ends every session that was issued before.
    if user is None or user.disabled or abs(user.password_version - session.password_version) > 0.001:
        raise NotSignedIn()
    if user.sessions_after is not None and session.issued < user.sessions_after.timestamp():
        raise NotSignedIn()  # signed out (everywhere) after this session began
    request.state.principal = Principal(user, session)
    return request.state.principal


def require(*roles: str):
    """A dependency that lets only these roles through (403 otherwise)."""

    async def check(principal: Principal = Depends(current_user)) -> Principal:
        if principal.role not in roles:
            raise HTTPException(403, f"the role {principal.role} may not do this")
        return principal

    return check


async def form_or_json(request: Request) -> dict[str, Any]:
    """The body of a POST, from a form or JSON (forms from the pages, JSON from scripts)."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError as exc:
            raise HTTPException(400, "the body is not valid JSON") from exc
        if not isinstance(data, dict):
            raise HTTPException(400, "the body must be a JSON object")
        return data
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return {k: (form.getlist(k) if len(form.getlist(k)) > 1 else form[k]) for k in form}
    raise HTTPException(415, "send a form or a JSON object")


async def csrf_checked(
    request: Request,
    principal: Principal = Depends(current_user),
    body: dict[str, Any] = Depends(form_or_json),
) -> dict[str, Any]:
    """The body of a state-changing request whose CSRF token (form field `csrf` or header) matches.

    (Checked on the parsed body, so a form and a JSON call are protected alike.)
    """
    token = request.headers.get("x-csrf-token") or body.get("csrf")
    if not same_token(token if isinstance(token, str) else None, principal.session.csrf):
        raise HTTPException(403, "missing or wrong CSRF token: reload the page and try again")
    return body


def is_form(request: Request) -> bool:
    return not request.headers.get("content-type", "").startswith("application/json")


def local_path(target: str | None, default: str) -> str:
    """A redirect target that stays on this site (`/x`, never `//host` or `http:`)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return default


def login_redirect(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="")
