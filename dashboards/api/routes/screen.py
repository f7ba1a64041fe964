"""The monitoring screen (大屏): the page, its JSON snapshot, the server-sent events that update it, and the
screen tokens a wall display signs in with.

Who may look (`ScreenViewer`): a signed-in person (a duty officer sees their station's posts and alerts only,
the scope the alert console uses too), or a wall holding a screen token (dashboards/screen_tokens.py) in the
`yq_screen` cookie, scoped to the token's station or the whole city. The token opens these three routes and
nothing else: every other route reads only the session cookie. The stream re-checks its viewer before every
update and ends when the session does (signed out, disabled, password changed, idle, expired) or the token is
revoked, with an `ended` event first; it sends a `heartbeat` at least every WEB_SCREEN_HEARTBEAT_S.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, StreamingResponse

from dashboards.api.deps import (
    SESSION_COOKIE,
    NotSignedIn,
    Principal,
    Services,
    client_ip,
    csrf_checked,
    current_user,
    is_form,
    require,
    services,
    session_ended,
)
from dashboards.messages import say
from dashboards.screen import snapshot
from dashboards.screen_map import layout
from dashboards.screen_tokens import ScreenToken, ScreenTokenError, ScreenTokens
from yuqing.config import load_gazetteer

router = APIRouter(tags=["screen"])
admins = require("admin")
SCREEN_COOKIE = "yq_screen"
SCREEN_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie; revocation is the real end


@dataclass
class Viewer:
    """Who looks at the screen: a person's session, or a wall's screen token."""

    principal: Principal | None = None
    token: ScreenToken | None = None
    raw_token: str | None = None

    @property
    def station(self) -> str | None:
        if self.principal is not None:
            return self.principal.station_scope
        return self.token.station if self.token else ""


def tokens(svc: Services) -> ScreenTokens:
    return ScreenTokens(svc.es, svc.settings.es)


async def screen_viewer(request: Request, svc: Services = Depends(services)) -> Viewer:
    """A signed-in person, else a valid screen token; neither: not signed in (pages go to /login)."""
    if request.cookies.get(SESSION_COOKIE):
        try:
            return Viewer(principal=await current_user(request, svc))
        except NotSignedIn:
            pass
    raw = request.cookies.get(SCREEN_COOKIE)
    token = await tokens(svc).check(raw) if raw else None
    if token is None:
        raise NotSignedIn()
    return Viewer(token=token, raw_token=raw)


ScreenViewer = Annotated[Viewer, Depends(screen_viewer)]


@router.get("/api/screen")
async def api_screen(
    viewer: ScreenViewer, hours: int = Query(24, ge=1, le=24 * 90), svc: Services = Depends(services)
) -> dict[str, Any]:
    """Everything the monitoring screen shows, as of now (a duty officer, a station's token: one station)."""
    return await snapshot(svc.es, svc.settings.es, svc.spots, viewer.station, hours)


async def _still_allowed(svc: Services, viewer: Viewer) -> str | None:
    """None while the viewer may go on looking; else why not."""
    if viewer.principal is not None:
        principal = viewer.principal
        if principal.session.expired:
            return say("screen_ended_session")
        user = await svc.accounts.get(principal.name)
        idle_s = svc.settings.web.idle_timeout_min * 60
        return say("screen_ended_session") if session_ended(user, principal.session, idle_s) else None
    return None if await tokens(svc).check(viewer.raw_token) else say("screen_ended_token")


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/api/screen/stream")
async def screen_stream(
    request: Request,
    viewer: ScreenViewer,
    hours: int = Query(24, ge=1, le=24 * 90),
    svc: Services = Depends(services),
):
    """Server-sent events: a `snapshot` now and whenever it changed (checked every WEB_SCREEN_REFRESH_S), a
    `heartbeat` when nothing was sent for WEB_SCREEN_HEARTBEAT_S, and `ended` (then the stream closes) when
    the session ends or the screen token is revoked."""
    web = svc.settings.web
    every, heartbeat = web.screen_refresh_s, web.screen_heartbeat_s

    async def events() -> AsyncIterator[str]:
        last, sent = None, 0.0
        while not await request.is_disconnected():
            try:
                snap = await snapshot(svc.es, svc.settings.es, svc.spots, viewer.station, hours)
            except Exception as exc:  # a failed refresh is shown on the screen; the next one may work
                snap = {"error": say("refresh_failed", error=type(exc).__name__)}
            # Only a change is sent (the clock in `at` aside): a wall screen must not redraw for nothing.
            key = json.dumps({k: v for k, v in snap.items() if k != "at"}, ensure_ascii=False, sort_keys=True)
            if key != last:
                yield _event("snapshot", snap)
                last, sent = key, time.monotonic()
            elif time.monotonic() - sent >= heartbeat - 0.05:
                yield _event("heartbeat", {"at": datetime.now(UTC).isoformat()})
                sent = time.monotonic()
            await asyncio.sleep(min(every, heartbeat))
            why = await _still_allowed(svc, viewer)
            if why:
                yield _event("ended", {"reason": why, "mode": "token" if viewer.token else "session"})
                return

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/screen", include_in_schema=False)
async def screen_page(request: Request, viewer: ScreenViewer, svc: Services = Depends(services)):
    from dashboards.api.app import render

    web = svc.settings.web
    return render(
        request,
        "screen.html",
        spots=svc.spots,
        refresh_s=web.screen_refresh_s,
        heartbeat_s=web.screen_heartbeat_s,
        stale_s=web.screen_stale_s,
        map=layout(load_gazetteer()),
        screen_token=viewer.token,
        scope=viewer.station if viewer.station is not None else "全市",
    )


@router.get("/screen/login", include_in_schema=False)
async def screen_login(
    request: Request, token: str = Query("", max_length=200), svc: Services = Depends(services)
):
    """A wall display opens the URL an admin made once: the token goes into a cookie, the wall to /screen."""
    found = await tokens(svc).check(token)
    if found is None:
        raise HTTPException(401, say("screen_token_bad"))
    await svc.audit.record(
        found.id, "screen_login", target=found.id, role="screen", ip=client_ip(request),
        details={"name": found.name, "station": found.station},
    )  # fmt: skip
    response = RedirectResponse("/screen", status_code=303)
    # The wall is a screen from now on: a person's session in this browser would take precedence.
    response.delete_cookie(SESSION_COOKIE)
    response.set_cookie(
        SCREEN_COOKIE,
        token,
        httponly=True,
        samesite="lax",
        secure=svc.settings.web.secure_cookies,
        max_age=SCREEN_COOKIE_MAX_AGE,
    )
    return response


# ---- admins: making and revoking screen tokens ----


def _public(token: ScreenToken) -> dict[str, Any]:
    return token.model_dump(mode="json") | {"scope": token.scope}


@router.get("/api/screen-tokens")
async def api_screen_tokens(
    principal: Principal = Depends(admins), svc: Services = Depends(services)
) -> list[dict[str, Any]]:
    """Every screen token (never its secret), newest first."""
    return [_public(t) for t in await tokens(svc).list()]


@router.post("/api/screen-tokens")
async def add_screen_token(
    request: Request,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(admins),
    svc: Services = Depends(services),
):
    """A new screen token: `name` (where the screen hangs), `station` (empty: the whole city). The answer
    carries the token and the URL a wall opens, once; only a hash is kept."""
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    station = body.get("station") if isinstance(body.get("station"), str) else ""
    try:
        token, secret = await tokens(svc).create(
            name, station.strip() or None, principal.name, [s.name for s in svc.stations.stations]
        )
    except ScreenTokenError as exc:
        raise HTTPException(422, str(exc)) from exc
    await svc.audit.record(
        principal.name, "screen_token_add", target=token.id, role=principal.role, ip=client_ip(request),
        details={"name": token.name, "station": token.station},
    )  # fmt: skip
    url = svc.settings.web.public_url.rstrip("/") + "/screen/login?token=" + secret
    if is_form(request):
        from dashboards.api.app import render

        return render(request, "screen_tokens.html", tokens=await tokens(svc).list(), made=token, url=url,
                      stations=[s.name for s in svc.stations.stations])  # fmt: skip
    return _public(token) | {"token": secret, "url": url}


@router.post("/api/screen-tokens/{token_id}/revoke")
async def revoke_screen_token(
    request: Request,
    token_id: str,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(admins),
    svc: Services = Depends(services),
):
    """Revoke a screen token: its wall's stream ends at its next update and the wall is refused."""
    try:
        token = await tokens(svc).revoke(token_id, principal.name)
    except ScreenTokenError as exc:
        raise HTTPException(404, str(exc)) from exc
    await svc.audit.record(
        principal.name, "screen_token_revoke", target=token_id, role=principal.role, ip=client_ip(request),
        details={"name": token.name, "station": token.station},
    )  # fmt: skip
    if is_form(request):
        return RedirectResponse("/admin/screens", 303)
    return _public(token)


@router.get("/admin/screens", include_in_schema=False)
async def screen_tokens_page(
    request: Request, principal: Principal = Depends(admins), svc: Services = Depends(services)
):
    from dashboards.api.app import render

    return render(
        request,
        "screen_tokens.html",
        tokens=await tokens(svc).list(),
        made=None,
        url=None,
        stations=[s.name for s in svc.stations.stations],
    )
