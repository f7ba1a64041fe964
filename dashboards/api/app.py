"""Builds the app: one async Elasticsearch client, the routers, error pages, body limits, security headers."""

from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from elasticsearch import ConnectionError as ESConnectionError
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dashboards.api.deps import SESSION_COOKIE, CurrentUser, NotSignedIn, login_redirect, set_session_cookie
from dashboards.api.limits import BodyLimits
from dashboards.api.pages import pages
from dashboards.api.render import render, templates_env
from dashboards.api.routes import api
from dashboards.api.services import Services
from dashboards.messages import STATUS_MESSAGES, say, status_title, validation_message
from dashboards.query import QueryError
from yuqing import es as es_setup
from yuqing.config import load_gazetteer, load_stations
from yuqing.settings import Settings, get_settings

STATIC = Path(__file__).resolve().parent.parent / "static"
log = logging.getLogger(__name__)

# Everything is served by the app itself (police networks reach no CDN); nothing inline runs.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", "")


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    stations = load_stations()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        client = es_setup.async_client(settings.es)
        spots = [s.name for s in load_gazetteer().spots]
        app.state.services = Services.build(settings, client, templates_env(), stations, spots)
        try:
            yield
        finally:
            await client.close()

    app = FastAPI(
        title="Yuqing 舆情 dashboards",
        description="Monitoring screen, analyst search and alert console for Mile's tourism police. "
        "Every endpoint needs a signed-in session; POSTs need the session's CSRF token (X-CSRF-Token).",
        lifespan=lifespan,
        # Swagger UI loads its scripts from a CDN, which police networks never reach: the schema and a page
        # listing it are served below, behind the same sign-in as the API.
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    # The JSON API under /api, and the HTML pages (never in the schema), each one router of routers.
    app.include_router(api)
    app.include_router(pages)

    @app.get("/api/openapi.json", include_in_schema=False)
    async def openapi_schema(principal: CurrentUser) -> dict[str, Any]:
        return app.openapi()

    @app.get("/docs", include_in_schema=False)
    async def api_docs(request: Request, principal: CurrentUser):
        return render(request, "api.html", schema=app.openapi())

    app.add_middleware(
        BodyLimits,
        max_bytes=settings.web.max_body_bytes,
        max_depth=settings.web.json_max_depth,
        answer=_error,
    )

    @app.middleware("http")
    async def security_headers(request: Request, call_next):
        response: Response = await call_next(request)
        token = getattr(request.state, "session_token", None)
        cookies = response.headers.getlist("set-cookie")
        # A session seen again is re-signed (its idle clock restarts), unless this answer sets or ends it.
        if token and not any(c.startswith(SESSION_COOKIE + "=") for c in cookies):
            set_session_cookie(response, request.app.state.services, token, request.state.principal.session)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        if not request.url.path.startswith("/static/"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(NotSignedIn)
    async def _not_signed_in(request: Request, exc: NotSignedIn):
        if _wants_json(request) or request.method != "GET":
            return JSONResponse({"detail": say("sign_in_first")}, status_code=401)
        return RedirectResponse(login_redirect(request), status_code=303)

    @app.exception_handler(ESConnectionError)
    async def _es_down(request: Request, exc: ESConnectionError):
        return _error(request, 503, say("es_down"))

    @app.exception_handler(QueryError)
    async def _bad_query(request: Request, exc: QueryError):
        return _error(request, 400, say("bad_query", reason=exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        return _error(request, exc.status_code, _http_detail(exc), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        return _error(request, 422, validation_message(exc.errors()))

    @app.exception_handler(Exception)
    async def _crashed(request: Request, exc: Exception):
        # The cause goes to the log only: a page or JSON never shows a traceback or an exception's text.
        log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
        try:
            response = _error(request, 500, say("internal"))
        except Exception:  # the error page itself failed: a bare answer still says it in Chinese
            response = JSONResponse({"detail": say("internal")}, status_code=500)
        # Answered outside the other middleware (Starlette's ServerErrorMiddleware): its headers are set here.
        response.headers.update({"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"})
        response.headers["Cache-Control"] = "no-store"
        return response

    return app


def _http_detail(exc: StarletteHTTPException) -> str:
    """An HTTPException's detail; Starlette's own English phrase ("Not Found") becomes the catalogue's."""
    try:
        phrase = HTTPStatus(exc.status_code).phrase
    except ValueError:
        phrase = ""
    if not exc.detail or not isinstance(exc.detail, str) or exc.detail == phrase:
        key = STATUS_MESSAGES.get(exc.status_code)
        return say(key) if key else status_title(exc.status_code)
    return exc.detail


def _error(request: Request, status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status, headers=headers)
    response = render(
        request, "error.html", status_code=status, status=status, title=status_title(status), message=message
    )
    response.headers.update(headers or {})
    return response
