"""Analyst search: the page, `/api/search`, and the CSV export (row limit, audited)."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import StreamingResponse
from pydantic import ValidationError

from dashboards.api.deps import Principal, Services, client_ip, require, services
from dashboards.search import (
    MAX_WINDOW,
    SearchParams,
    apply_correction,
    corrections_for,
    run_search,
    search_body,
)
from yuqing.es import POSTS

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
        raise HTTPException(422, f"unknown parameter(s): {', '.join(sorted(unknown))}")
    try:
        return SearchParams.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        where = ".".join(str(p) for p in err["loc"])
        raise HTTPException(422, f"{where + ': ' if where else ''}{err['msg']}") from exc


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
        error = f"bad query: {exc}"
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


def csv_row(post: dict[str, Any]) -> list[str]:
    risk, sentiment = post.get("risk") or {}, post.get("sentiment") or {}
    values = [
        post.get("id"), post.get("published_at"), post.get("source"), post.get("author"), post.get("url"),
        post.get("title"), post.get("text"), post.get("relevant"), "|".join(post.get("spots") or []),
        post.get("jurisdiction"), sentiment.get("label"), risk.get("level"), risk.get("score"),
        "|".join(risk.get("categories") or []), post.get("event_id"),
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
        raise HTTPException(422, "limit must be at least 1")
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
    writer.writerow(CSV_COLUMNS)
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
