"""The monitoring screen (大屏): the page, its JSON snapshot, and the server-sent events that update it.

A duty officer's screen and stream hold their station's posts and alerts only (`ViewerStation`, the scope the
alert console uses too). The stream re-reads the account before every update and ends when the session does:
signed out, disabled, password changed, idle (the stream itself is not activity), expired.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse

from dashboards.api.deps import Principal, Services, ViewerStation, current_user, services, session_ended
from dashboards.screen import snapshot

router = APIRouter(tags=["screen"])


@router.get("/api/screen")
async def api_screen(
    station: ViewerStation,
    hours: int = Query(24, ge=1, le=24 * 90),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Everything the monitoring screen shows, as of now (a duty officer: their station's)."""
    return await snapshot(svc.es, svc.settings.es, svc.spots, station, hours)


async def _session_holds(svc: Services, principal: Principal) -> bool:
    if principal.session.expired:
        return False
    user = await svc.accounts.get(principal.name)
    return not session_ended(user, principal.session, svc.settings.web.idle_timeout_min * 60)


@router.get("/api/screen/stream")
async def screen_stream(
    request: Request,
    station: ViewerStation,
    hours: int = Query(24, ge=1, le=24 * 90),
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    """Server-sent events: a `snapshot` event now and every WEB_SCREEN_REFRESH_S seconds after, while the
    session holds (then the stream ends; the browser's reconnect meets the sign-in)."""
    every = svc.settings.web.screen_refresh_s

    async def events() -> AsyncIterator[str]:
        last = None
        while not await request.is_disconnected():
            try:
                snap = await snapshot(svc.es, svc.settings.es, svc.spots, station, hours)
            except Exception as exc:  # a failed refresh is shown on the screen; the next one may work
                snap = {"error": f"数据刷新失败: {type(exc).__name__}"}
            # Only a change is sent (the clock in `at` aside): a wall screen must not redraw for nothing.
            key = json.dumps({k: v for k, v in snap.items() if k != "at"}, ensure_ascii=False, sort_keys=True)
            if key != last:
                yield f"event: snapshot\ndata: {json.dumps(snap, ensure_ascii=False)}\n\n"
                last = key
            else:
                yield ": unchanged\n\n"  # a comment keeps proxies from closing an idle stream
            await asyncio.sleep(every)
            if not await _session_holds(svc, principal):
                return

    headers = {"Cache-Control": "no-store", "X-Accel-Buffering": "no"}
    return StreamingResponse(events(), media_type="text/event-stream", headers=headers)


@router.get("/screen", include_in_schema=False)
async def screen_page(
    request: Request, principal: Principal = Depends(current_user), svc: Services = Depends(services)
):
    from dashboards.api.app import render

    return render(request, "screen.html", spots=svc.spots, refresh_s=svc.settings.web.screen_refresh_s)
