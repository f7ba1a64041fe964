"""The monitoring screen's (大屏) data: its JSON snapshot, the server-sent events that update it, and the
screen tokens a wall display signs in with (the page and the wall's sign-in: dashboards/api/pages/screen.py).

Who may look (`ScreenViewer`): a signed-in person (a duty officer sees their station's posts and alerts only,
the scope the alert console uses too), or a wall holding a screen token (dashboards/screen_tokens.py) in the
`yq_screen` cookie, scoped to the token's station or the whole city. The token opens the screen's page, its
snapshot and its stream and nothing else: every other route reads only the session cookie. The stream
re-checks its viewer before every update and ends when the session does (signed out, disabled, password
changed, idle, expired) or the token is revoked, with an `ended` event first; it sends a `heartbeat` at least
every WEB_SCREEN_HEARTBEAT_S.
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
    Admin,
    CsrfBody,
    NotSignedIn,
    Principal,
    ServicesDep,
    client_ip,
    current_user,
    is_form,
    session_holds,
)
from dashboards.api.render import render
from dashboards.api.services import Services
from dashboards.messages import say
from dashboards.screen_tokens import ScreenToken, ScreenTokenError

router = APIRouter(tags=["screen"])
SCREEN_COOKIE = "yq_screen"


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


async def screen_viewer(request: Request, svc: ServicesDep) -> Viewer:
    """A signed-in person, else a valid screen token; neither: not signed in (pages go to /login)."""
    if request.cookies.get(SESSION_COOKIE):
        try:
            return Viewer(principal=await current_user(request, svc))
        except NotSignedIn:
            pass
    raw = request.cookies.get(SCREEN_COOKIE)
    token = await svc.screen_tokens.check(raw) if raw else None
    if token is None:
        raise NotSignedIn()
    return Viewer(token=token, raw_token=raw)


ScreenViewer = Annotated[Viewer, Depends(screen_viewer)]
SCREEN_HOURS = 24  # what the screen shows unless asked otherwise (its page embeds the same first snapshot)
ScreenHours = Annotated[int, Query(ge=1, le=24 * 90)]


@router.get("/screen")
async def api_screen(
    viewer: ScreenViewer, svc: ServicesDep, hours: ScreenHours = SCREEN_HOURS
) -> dict[str, Any]:
    """Everything the monitoring screen shows, as of now (a duty officer, a station's token: one station)."""
    return await svc.screen.snapshot(viewer.station, hours)


async def _still_allowed(svc: Services, viewer: Viewer) -> str | None:
    """None while the viewer may go on looking; else why not."""
    if viewer.principal is not None:
        return None if await session_holds(svc, viewer.principal) else say("screen_ended_session")
    return None if await svc.screen_tokens.check(viewer.raw_token) else say("screen_ended_token")


def _event(name: str, data: dict[str, Any]) -> str:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


@router.get("/screen/stream")
async def screen_stream(
    request: Request, viewer: ScreenViewer, svc: ServicesDep, hours: ScreenHours = SCREEN_HOURS
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
                snap = await svc.screen.snapshot(viewer.station, hours)
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


# ---- admins: making and revoking screen tokens ----


def _public(token: ScreenToken) -> dict[str, Any]:
    return token.model_dump(mode="json") | {"scope": token.scope}


@router.get("/screen-tokens")
async def api_screen_tokens(principal: Admin, svc: ServicesDep) -> list[dict[str, Any]]:
    """Every screen token (never its secret), newest first."""
    return [_public(t) for t in await svc.screen_tokens.list()]


async def tokens_page(
    request: Request, svc: Services, made: ScreenToken | None = None, url: str | None = None
):
    """The admins' page of screen tokens; after a form made one, with its wall's URL shown this once."""
    return render(
        request,
        "screen_tokens.html",
        tokens=await svc.screen_tokens.list(),
        made=made,
        url=url,
        stations=svc.station_names,
    )


@router.post("/screen-tokens")
async def add_screen_token(request: Request, body: CsrfBody, principal: Admin, svc: ServicesDep):
    """A new screen token: `name` (where the screen hangs), `station` (empty: the whole city). The answer
    carries the token and the URL a wall opens, once; only a hash is kept."""
    name = body.get("name") if isinstance(body.get("name"), str) else ""
    station = body.get("station") if isinstance(body.get("station"), str) else ""
    try:
        token, secret = await svc.screen_tokens.create(
            name, station.strip() or None, principal.name, svc.station_names
        )
    except ScreenTokenError as exc:
        raise HTTPException(422, str(exc)) from exc
    await svc.audit.record(
        principal.name, "screen_token_add", target=token.id, role=principal.role, ip=client_ip(request),
        details={"name": token.name, "station": token.station},
    )  # fmt: skip
    url = svc.settings.web.public_url.rstrip("/") + "/screen/login?token=" + secret
    if is_form(request):  # the secret is shown once, on the page itself: never put in a redirect's URL
        return await tokens_page(request, svc, token, url)
    return _public(token) | {"token": secret, "url": url}


@router.post("/screen-tokens/{token_id}/revoke")
async def revoke_screen_token(
    request: Request, token_id: str, body: CsrfBody, principal: Admin, svc: ServicesDep
):
    """Revoke a screen token: its wall's stream ends at its next update and the wall is refused."""
    try:
        token = await svc.screen_tokens.revoke(token_id, principal.name)
    except ScreenTokenError as exc:
        raise HTTPException(404, str(exc)) from exc
    await svc.audit.record(
        principal.name, "screen_token_revoke", target=token_id, role=principal.role, ip=client_ip(request),
        details={"name": token.name, "station": token.station},
    )  # fmt: skip
    if is_form(request):
        return RedirectResponse("/admin/screens", 303)
    return _public(token)
