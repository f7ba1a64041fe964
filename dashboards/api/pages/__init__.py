"""The HTML pages (and the sign-in forms), one router per resource, left out of the API schema."""

from fastapi import APIRouter

from dashboards.api.pages import admin, alerts, auth, letters, posts, reports, screen, search

pages = APIRouter(include_in_schema=False)
for _module in (
    auth,
    screen,
    search,
    posts,
    alerts,
    letters,
    reports,
    admin,
):  # the order routes are matched in
    pages.include_router(_module.router)
