"""Analyst search: `/api/search` and the CSV export (row limit, audited); the page is in
dashboards/api/pages/search.py."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from dashboards.api.deps import Analyst, Principal, ServicesDep, client_ip
from dashboards.api.services import Services
from dashboards.messages import CSV_HEADERS, say, validation_message
from dashboards.search import MAX_WINDOW, SearchParams
from yuqing.config import source_codes
from yuqing.labels import CATEGORY_NAMES, LEVEL_NAMES, SENTIMENT_NAMES, source_name
from yuqing.schema import TZ

router = APIRouter(tags=["search"])

_LISTS = {"spot", "station", "level", "category", "sentiment", "source"}
_NOT_SEARCH = {"limit"}  # the export's own parameter


def search_params(request: Request) -> SearchParams:
    """Query parameters → SearchParams; blank form fields count as absent; a bad one is a 422 naming it."""
    data: dict[str, Any] = {}
    for key in request.query_params:
        if key in _NOT_SEARCH:
            continue
        values = [v for v in request.query_params.getlist(key) if v.strip()]
        if not values:
            continue
        data[key] = values if key in _LISTS else values[-1]
    unknown = set(data) - set(SearchParams.model_fields)
    if unknown:
        raise HTTPException(422, say("unknown_params", names="、".join(sorted(unknown))))
    if "source" in data:
        data["source"] = source_filter(data["source"])
    try:
        return SearchParams.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(422, validation_message(exc.errors())) from exc


SearchQuery = Annotated[SearchParams, Depends(search_params)]


def source_filter(values: list[str]) -> list[str]:
    """Source codes for what was asked: a code as it is; a Chinese name (微博, 百度贴吧) → every
    configured source whose name contains it; anything else as it is (a source no longer listed)."""
    codes = source_codes()
    out: list[str] = []
    for value in values:
        named = [c for c in codes if value.strip() and value.strip() in source_name(c)]
        out.extend(c for c in ([value] if value in codes or not named else named) if c not in out)
    return out


async def audited_search(
    request: Request, params: SearchParams, principal: Principal, svc: Services
) -> dict[str, Any]:
    """One page of a search, written to the audit trail with its total."""
    parsed = params.parsed(svc.settings.web.query_max_chars)  # QueryError → 400 before ES is asked
    result = await svc.posts.search(params, parsed)
    await svc.audit.record(
        principal.name,
        "search",
        query=params.q,
        role=principal.role,
        ip=client_ip(request),
        details={"params": params.model_dump(mode="json", exclude={"q"}), "total": result["total"]},
    )
    return result


@router.get("/search")
async def api_search(
    request: Request, params: SearchQuery, principal: Analyst, svc: ServicesDep
) -> dict[str, Any]:
    """Posts matching a query and filters, highlighted, one page; corrected labels replace the model's."""
    return await audited_search(request, params, principal, svc)


CSV_COLUMNS = [
    "id", "published_at", "source", "author", "url", "title", "text", "relevant", "spots", "jurisdiction",
    "sentiment", "risk_level", "risk_score", "categories", "event_id", "corrected_by",
]  # fmt: skip


def _csv_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    # A cell starting with = + - @ runs as a formula in a spreadsheet: crawled text must not.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _mile_time(value: Any) -> Any:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return value
    moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return moment.astimezone(TZ).strftime("%Y-%m-%d %H:%M:%S")


def _named(names: dict[str, str], code: Any) -> Any:
    return names.get(code, code) if isinstance(code, str) else code


def csv_row(post: dict[str, Any]) -> list[str]:
    """One post as the export's cells: Chinese words for codes, Mile's wall clock, nothing a formula."""
    risk, sentiment = post.get("risk") or {}, post.get("sentiment") or {}
    relevant = post.get("relevant")
    values = [
        post.get("id"), _mile_time(post.get("published_at")) if post.get("published_at") else None,
        source_name(post.get("source")) if post.get("source") else None, post.get("author"), post.get("url"),
        post.get("title"), post.get("text"), None if relevant is None else ("是" if relevant else "否"),
        "、".join(post.get("spots") or []), post.get("jurisdiction"),
        _named(SENTIMENT_NAMES, sentiment.get("label")), _named(LEVEL_NAMES, risk.get("level")),
        risk.get("score"),
        "、".join(_named(CATEGORY_NAMES, c) for c in risk.get("categories") or []), post.get("event_id"),
        (post.get("correction") or {}).get("by"),
    ]  # fmt: skip
    return [_csv_safe(v) for v in values]


@router.get("/search/export.csv")
async def export_csv(
    request: Request, params: SearchQuery, principal: Analyst, svc: ServicesDep, limit: int | None = None
):
    """The whole result set as CSV (UTF-8 with BOM for Excel), up to WEB_EXPORT_MAX_ROWS rows; audited."""
    parsed = params.parsed(svc.settings.web.query_max_chars)
    max_rows = svc.settings.web.export_max_rows
    rows = min(limit or max_rows, max_rows, MAX_WINDOW)
    if rows < 1:
        raise HTTPException(422, say("export_limit"))
    posts, total = await svc.posts.export(params, parsed, rows)
    # Recorded before a byte leaves: who exported which query, how many rows of how many.
    await svc.audit.record(
        principal.name,
        "export",
        query=params.q,
        role=principal.role,
        ip=client_ip(request),
        details={"params": params.model_dump(mode="json", exclude={"q"}), "rows": len(posts), "total": total},
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([CSV_HEADERS[c] for c in CSV_COLUMNS])
    for post in posts:
        writer.writerow(csv_row(post))
    headers = {
        "Content-Disposition": 'attachment; filename="yuqing-export.csv"',
        "X-Total-Hits": str(total),
        "X-Rows": str(len(posts)),
    }
    return StreamingResponse(
        iter(["\ufeff" + buffer.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers
    )
