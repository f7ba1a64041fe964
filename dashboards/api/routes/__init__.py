"""The JSON API: one router per resource, all under /api. The HTML pages are in dashboards/api/pages/, which
may use these modules' dependencies; these never import the pages (nor the app)."""

from fastapi import APIRouter

from dashboards.api.routes import admin, alerts, auth, letters, posts, reports, screen, search

api = APIRouter(prefix="/api")
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
    api.include_router(_module.router)
