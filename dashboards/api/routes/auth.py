"""The signed-in user, for scripts (the sign-in forms themselves are pages: dashboards/api/pages/auth.py)."""

from __future__ import annotations

from fastapi import APIRouter

from dashboards.api.deps import CurrentUser

router = APIRouter(tags=["auth"])


@router.get("/me")
async def me(principal: CurrentUser) -> dict:
    """The signed-in user, and the CSRF token scripts send back in X-CSRF-Token."""
    return principal.user.public() | {"csrf": principal.session.csrf}
