"""Page rendering: the Jinja2 environment, its filters, and `render` for routes and error pages.

Kept apart from app.py so that a route renders a page without importing the app that includes it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader

from dashboards.accounts import ROLE_NAMES
from yuqing.labels import CATEGORY_NAMES, LEVEL_NAMES, SENTIMENT_NAMES, source_name
from yuqing.schema import TZ

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def local_time(value: Any) -> str:
    """An ISO time as Mile's wall clock (YYYY-MM-DD HH:MM:SS); what cannot be parsed is shown as it is."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def http_url(value: Any) -> str:
    """A link taken from crawled data, only if it is http(s): `javascript:` and the like become `#`."""
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else "#"


def templates_env() -> Environment:
    """The one environment (autoescaped: crawled text is never markup), built once per app."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=True, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["pretty"] = lambda value: json.dumps(value, ensure_ascii=False, indent=2, default=str)
    env.filters["local"] = local_time
    env.filters["http_url"] = http_url
    env.filters["source_name"] = source_name
    env.globals.update(
        ROLE_NAMES=ROLE_NAMES,
        LEVEL_NAMES=LEVEL_NAMES,
        SENTIMENT_NAMES=SENTIMENT_NAMES,
        CATEGORY_NAMES=CATEGORY_NAMES,
    )
    return env


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """A template as a page, with the request and the signed-in user (`me`, None before sign-in)."""
    templates: Environment = request.app.state.services.templates
    principal = getattr(request.state, "principal", None)
    html = templates.get_template(name).render(request=request, me=principal, **context)
    return HTMLResponse(html, status_code=status_code)
