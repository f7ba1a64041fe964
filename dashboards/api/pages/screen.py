"""The monitoring screen's page (大屏), a wall's sign-in with its screen token, and the admins' page of screen
tokens (the data, the stream and the token API: dashboards/api/routes/screen.py)."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse

from dashboards.api.deps import SESSION_COOKIE, Admin, ServicesDep, client_ip, set_cookie
from dashboards.api.render import render
from dashboards.api.routes.screen import SCREEN_COOKIE, SCREEN_HOURS, ScreenViewer, tokens_page
from dashboards.messages import say
from dashboards.screen_map import layout
from yuqing.config import load_gazetteer

router = APIRouter(tags=["screen"])
log = logging.getLogger(__name__)
SCREEN_COOKIE_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie; revocation is the real end


@router.get("/screen")
async def screen_page(request: Request, viewer: ScreenViewer, svc: ServicesDep):
    """The wall's page with its first snapshot in it: drawn as soon as the script runs, before the stream
    (which sends the same snapshot, then every change) has even opened."""
    web = svc.settings.web
    try:
        first = await svc.screen.snapshot(viewer.station, SCREEN_HOURS)
    except Exception:  # Elasticsearch down: the page still opens, and its stream says what is wrong
        log.warning("screen page: no first snapshot", exc_info=True)
        first = None
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
        first=first,
    )


@router.get("/screen/login")
async def screen_login(request: Request, svc: ServicesDep, token: str = Query("", max_length=200)):
    """A wall display opens the URL an admin made once: the token goes into a cookie, the wall to /screen."""
    found = await svc.screen_tokens.check(token)
    if found is None:
        raise HTTPException(401, say("screen_token_bad"))
    await svc.audit.record(
        found.id, "screen_login", target=found.id, role="screen", ip=client_ip(request),
        details={"name": found.name, "station": found.station},
    )  # fmt: skip
    response = RedirectResponse("/screen", status_code=303)
    # The wall is a screen from now on: a person's session in this browser would take precedence.
    response.delete_cookie(SESSION_COOKIE)
    set_cookie(response, svc, SCREEN_COOKIE, token, SCREEN_COOKIE_MAX_AGE)
    return response


@router.get("/admin/screens")
async def screen_tokens_page(request: Request, principal: Admin, svc: ServicesDep):
    return await tokens_page(request, svc)
