"""The analyst's search page: the form, one page of hits, and a bad query said on the page itself."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Request

from dashboards.api.deps import Analyst, ServicesDep
from dashboards.api.render import render
from dashboards.api.routes.search import audited_search, search_params
from dashboards.messages import say
from dashboards.search import SearchParams
from yuqing.config import source_codes
from yuqing.labels import source_name

router = APIRouter(tags=["search"])


@router.get("/search")
async def search_page(request: Request, principal: Analyst, svc: ServicesDep):
    error, result, params = None, None, None
    try:
        params = search_params(request)
        if request.query_params:
            result = await audited_search(request, params, principal, svc)
    except HTTPException as exc:
        error = exc.detail
    except ValueError as exc:  # QueryError
        error = say("bad_query", reason=exc)
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "page"]
    return render(
        request,
        "search.html",
        status_code=400 if error else 200,
        params=params or SearchParams(),
        result=result,
        error=error,
        spots=svc.spots,
        stations=svc.station_names,
        sources=[(code, source_name(code)) for code in source_codes()],
        query_max_chars=svc.settings.web.query_max_chars,
        query_string=urlencode(kept),
        page_url=lambda n: "?" + urlencode([*kept, ("page", n)]),
    )
