"""Dependencies the routes declare: the app's services, the signed-in user, role checks, station scope, CSRF.

Each is also an `Annotated` alias (`ServicesDep`, `CurrentUser`, `Admin`, `Analyst`, `Supervisor`,
`ViewerStation`, `CsrfBody`), so a route says what it needs in its signature and nothing else.

Exceptions, drawn:

    NotSignedIn   no valid session: pages redirect to /login, /api answers 401
    HTTPException signed in, but the role or station does not allow it: 403 (or 404) with the reason
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response

from dashboards.accounts import ROLE_NAMES, User
from dashboards.api.services import Services
from dashboards.messages import say
from dashboards.security import Session, same_token

SESSION_COOKIE = "yq_session"
PRELOGIN_COOKIE = "yq_prelogin"
# A session's cookie is re-signed at most this often as its user works (the idle clock's resolution).
TOUCH_EVERY_S = 30.0


class NotSignedIn(Exception):
    pass


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

    @property
    def station_scope(self) -> str | None:
        """The one station whose posts and alerts this user may see; None for every station.

        ("" for a duty officer without a station: a filter on it matches nothing.)
        """
        return (self.user.station or "") if self.role == "duty_officer" else None

    @property
    def letter_scope(self) -> str | None:
        """The one station whose 公安提示函 this user may see (a supervisor with a station); None for all."""
        return (self.user.station or None) if self.role == "supervisor" else None


def services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(services)]


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def session_ended(user: User | None, session: Session, idle_s: float, now: float | None = None) -> bool:
    """Whether a session no longer holds: no such user, disabled, password changed, signed out, idle."""
    # A disabled account or a changed password ends every session that was issued before.
    if user is None or user.disabled or abs(user.password_version - session.password_version) > 0.001:
        return True
    if user.sessions_after is not None and session.issued < user.sessions_after.timestamp():
        return True  # signed out (everywhere) after this session began
    return session.idle(idle_s, now)


async def session_holds(svc: Services, principal: Principal) -> bool:
    """Whether a session still holds, asked again by a long-lived stream before each update."""
    if principal.session.expired:
        return False
    user = await svc.accounts.get(principal.name)
    return not session_ended(user, principal.session, svc.settings.web.idle_timeout_min * 60)


async def current_user(request: Request, svc: ServicesDep) -> Principal:
    session = svc.signer.read(request.cookies.get(SESSION_COOKIE))
    if session is None:
        raise NotSignedIn()
    user = await svc.accounts.get(session.username)
    now, idle_s = time.time(), svc.settings.web.idle_timeout_min * 60
    if session_ended(user, session, idle_s, now):
        raise NotSignedIn()
    if now - session.last_seen >= min(TOUCH_EVERY_S, idle_s / 2 or TOUCH_EVERY_S):
        # The app's middleware puts the re-signed cookie on whatever response this request gets.
        token, session = svc.signer.touch(session, now)
        request.state.session_token = token
    request.state.principal = Principal(user, session)
    return request.state.principal


CurrentUser = Annotated[Principal, Depends(current_user)]


async def viewer_station(principal: CurrentUser) -> str | None:
    """The station a request is scoped to (a duty officer's own), or None for every station."""
    return principal.station_scope


ViewerStation = Annotated[str | None, Depends(viewer_station)]


def visible(
    record: dict[str, Any] | None,
    scope: str | None,
    missing: HTTPException,
    elsewhere: HTTPException | None = None,
) -> dict[str, Any]:
    """The one station check: a post, alert or letter if it exists and its station (`jurisdiction`) lies in
    the viewer's scope (None: every station; "": none). Else `missing`; another station's record answers
    `elsewhere` where given, else like a missing one (the viewer learns nothing about it)."""
    if record is None:
        raise missing
    station = record.get("jurisdiction")
    if scope is not None and not (station and station == scope):
        raise elsewhere or missing
    return record


def set_cookie(
    response: Response,
    svc: Services,
    name: str,
    value: str,
    max_age: int,
    samesite: Literal["lax", "strict"] = "lax",
) -> None:
    """A cookie no script reads, with the Secure flag whenever the site is served over HTTPS."""
    secure = svc.settings.web.secure_cookies
    response.set_cookie(name, value, httponly=True, samesite=samesite, secure=secure, max_age=max_age)


def set_session_cookie(response: Response, svc: Services, token: str, session: Session) -> None:
    set_cookie(response, svc, SESSION_COOKIE, token, max(1, int(session.expires - time.time())))


def require(*roles: str):
    """A dependency that lets only these roles through (403 otherwise)."""

    async def check(principal: CurrentUser) -> Principal:
        if principal.role not in roles:
            raise HTTPException(403, say("role_refused", role=ROLE_NAMES.get(principal.role, principal.role)))
        return principal

    return check


Admin = Annotated[Principal, Depends(require("admin"))]
Analyst = Annotated[Principal, Depends(require("admin", "analyst"))]
Supervisor = Annotated[Principal, Depends(require("admin", "supervisor"))]


async def form_or_json(request: Request) -> dict[str, Any]:
    """The body of a POST, from a form or JSON (forms from the pages, JSON from scripts)."""
    ctype = request.headers.get("content-type", "")
    if ctype.startswith("application/json"):
        try:
            data = await request.json()
        except ValueError as exc:
            raise HTTPException(400, say("body_not_json")) from exc
        if not isinstance(data, dict):
            raise HTTPException(400, say("body_not_object"))
        return data
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        return {k: (form.getlist(k) if len(form.getlist(k)) > 1 else form[k]) for k in form}
    raise HTTPException(415, say("body_type"))


async def csrf_checked(
    request: Request, principal: CurrentUser, body: Annotated[dict[str, Any], Depends(form_or_json)]
) -> dict[str, Any]:
    """The body of a state-changing request whose CSRF token (form field `csrf` or header) matches.

    (Checked on the parsed body, so a form and a JSON call are protected alike.)
    """
    token = request.headers.get("x-csrf-token") or body.get("csrf")
    if not same_token(token if isinstance(token, str) else None, principal.session.csrf):
        raise HTTPException(403, say("csrf"))
    return body


CsrfBody = Annotated[dict[str, Any], Depends(csrf_checked)]


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
