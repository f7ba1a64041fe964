"""Analyst search: the page, `/api/search`, and the CSV export (row limit, audited)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from dashboards.api.deps import Principal, Services, client_ip, require, services
from dashboards.messages import CSV_HEADERS, say, validation_message
from dashboards.search import (
    MAX_WINDOW,
    SearchParams,
    apply_correction,
    corrections_for,
    run_search,
    search_body,
)
from yuqing.config import source_codes
from yuqing.es import POSTS
from yuqing.labels import CATEGORY_NAMES, LEVEL_NAMES, SENTIMENT_NAMES, source_name
from yuqing.schema import TZ

router = APIRouter(tags=["search"])
analysts = require("admin", "analyst")

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


def source_filter(values: list[str]) -> list[str]:
    """Source codes for what was asked: a code as it is; a Chinese name (微博, 百度贴吧) → every
    configured source whose name contains it; anything else as it is (a source no longer listed)."""
    codes = source_codes()
    out: list[str] = []
    for value in values:
        named = [c for c in codes if value.strip() and value.strip() in source_name(c)]
        out.extend(c for c in ([value] if value in codes or not named else named) if c not in out)
    return out


async def _search(
    request: Request, params: SearchParams, principal: Principal, svc: Services
) -> dict[str, Any]:
    parsed = params.parsed(svc.settings.web.query_max_chars)  # QueryError → 400 before ES is asked
    result = await run_search(svc.es, svc.settings.es, params, parsed)
    await svc.audit.record(
        principal.name,
        "search",
        query=params.q,
        role=principal.role,
        ip=client_ip(request),
        details={"params": params.model_dump(mode="json", exclude={"q"}), "total": result["total"]},
    )
    return result


@router.get("/api/search")
async def api_search(
    request: Request,
    params: SearchParams = Depends(search_params),
    principal: Principal = Depends(analysts),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """Posts matching a query and filters, highlighted, one page; corrected labels replace the model's."""
    return await _search(request, params, principal, svc)


@router.get("/search", include_in_schema=False)
async def search_page(
    request: Request, principal: Principal = Depends(analysts), svc: Services = Depends(services)
):
    from dashboards.api.app import render

    error, result, params = None, None, None
    try:
        params = search_params(request)
        if request.query_params:
            result = await _search(request, params, principal, svc)
    except HTTPException as exc:
        error = exc.detail
    except ValueError as exc:  # QueryError
        error = say("bad_query", reason=exc)
    stations = [s.name for s in svc.stations.stations]
    return render(
        request,
        "search.html",
        status_code=400 if error else 200,
        params=params or SearchParams(),
        result=result,
        error=error,
        spots=svc.spots,
        stations=stations,
        sources=[(code, source_name(code)) for code in source_codes()],
        query_max_chars=svc.settings.web.query_max_chars,
        query_string=urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "page"]),
        page_url=lambda n: (
            "?"
            + urlencode(
                [(k, v) for k, v in request.query_params.multi_items() if k != "page"] + [("page", n)]
            )
        ),
    )


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


@router.get("/api/search/export.csv")
async def export_csv(
    request: Request,
    limit: int | None = None,
    params: SearchParams = Depends(search_params),
    principal: Principal = Depends(analysts),
    svc: Services = Depends(services),
):
    """The whole result set as CSV (UTF-8 with BOM for Excel), up to WEB_EXPORT_MAX_ROWS rows; audited."""
    parsed = params.parsed(svc.settings.web.query_max_chars)
    max_rows = svc.settings.web.export_max_rows
    rows = min(limit or max_rows, max_rows, MAX_WINDOW)
    if rows < 1:
        raise HTTPException(422, say("export_limit"))
    body = search_body(params.model_copy(update={"page": 1, "size": 1}), parsed)
    body.pop("highlight", None)
    body.update({"from": 0, "size": rows})
    resp = await svc.es.search(index=svc.settings.es.name(POSTS), ignore_unavailable=True, **body)
    hits = resp["hits"]["hits"]
    corrections = await corrections_for(svc.es, svc.settings.es, [h["_id"] for h in hits])
    total = resp["hits"]["total"]["value"]
    # Recorded before a byte leaves: who exported which query, how many rows of how many.
    await svc.audit.record(
        principal.name,
        "export",
        query=params.q,
        role=principal.role,
        ip=client_ip(request),
        details={"params": params.model_dump(mode="json", exclude={"q"}), "rows": len(hits), "total": total},
    )
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([CSV_HEADERS[c] for c in CSV_COLUMNS])
    for hit in hits:
        writer.writerow(csv_row(apply_correction(hit["_source"], corrections.get(hit["_id"]))))
    headers = {
        "Content-Disposition": 'attachment; filename="yuqing-export.csv"',
        "X-Total-Hits": str(total),
        "X-Rows": str(len(hits)),
    }
    return StreamingResponse(
        iter(["\ufeff" + buffer.getvalue()]), media_type="text/csv; charset=utf-8", headers=headers
    )
