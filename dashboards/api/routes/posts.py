"""One post: every score and what drove it, its event and the event's other posts, and corrections."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from dashboards.api.deps import (
    Principal,
    Services,
    client_ip,
    csrf_checked,
    current_user,
    is_form,
    local_path,
    require,
    services,
)
from dashboards.corrections import CorrectionIn, Corrections
from dashboards.query import parse
from dashboards.search import apply_correction
from yuqing.es import EVENTS, POSTS

router = APIRouter(tags=["posts"])


async def load_post(svc: Services, post_id: str) -> tuple[str, dict[str, Any]] | None:
    """The post behind the alias (any month), with the index it lives in."""
    resp = await svc.es.search(
        index=svc.settings.es.name(POSTS),
        query={"ids": {"values": [post_id]}},
        size=1,
        ignore_unavailable=True,
    )
    hits = resp["hits"]["hits"]
    return (hits[0]["_index"], hits[0]["_source"]) if hits else None


async def post_view(svc: Services, principal: Principal, post_id: str, q: str | None) -> dict[str, Any]:
    if len(post_id) > 400:
        raise HTTPException(422, "a post id is at most 400 characters")
    found = await load_post(svc, post_id)
    if found is None:
        raise HTTPException(404, f"no post {post_id!r}")
    index, post = found
    if not principal.can_see_station(post.get("jurisdiction")):
        raise HTTPException(403, "this post belongs to another station")
    correction = await Corrections(svc.es, svc.settings.es).get(post_id)
    shown = apply_correction(post, correction)
    shown.pop("text_seg", None)
    shown.pop("title_seg", None)
    view: dict[str, Any] = {"post": shown, "event": None, "event_posts": [], "match": None}
    event_id = post.get("event_id")
    if event_id:
        ev = await svc.es.options(ignore_status=404).get(index=svc.settings.es.name(EVENTS), id=event_id)
        view["event"] = ev["_source"] if ev.get("found") else None
        others = await svc.es.search(
            index=svc.settings.es.name(POSTS),
            query={
                "bool": {
                    "filter": [{"term": {"event_id": event_id}}],
                    "must_not": [{"ids": {"values": [post_id]}}],
                }
            },
            sort=[{"published_at": {"order": "asc", "missing": "_last"}}, {"crawled_at": "asc"}],
            size=50,
            source_excludes=["text_seg", "title_seg", "explain"],
            track_total_hits=True,
        )
        view["event_posts"] = [h["_source"] for h in others["hits"]["hits"]]
        view["event_total"] = others["hits"]["total"]["value"] + 1
    if q:
        # How the search query scored this post (Elasticsearch's own explanation).
        parsed = parse(q, svc.settings.web.query_max_chars)
        resp = await svc.es.explain(index=index, id=post_id, query=parsed.to_es())
        view["match"] = {"matched": resp["matched"], "explanation": resp.get("explanation")}
    return view


@router.get("/api/posts/{post_id:path}")
async def api_post(
    post_id: str,
    q: str | None = None,
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """A post with its scores and explanation, its event and the event's other posts (and `match` for `q`)."""
    return await post_view(svc, principal, post_id, q)


@router.get("/posts/{post_id:path}", include_in_schema=False)
async def post_page(
    request: Request,
    post_id: str,
    q: str | None = None,
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    view = await post_view(svc, principal, post_id, q)
    await svc.audit.record(
        principal.name, "view_post", target=post_id, role=principal.role, ip=client_ip(request)
    )
    return render(request, "post.html", q=q or "", spots=svc.spots, **view)


@router.post("/api/corrections")
async def correct(
    request: Request,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(require("admin", "analyst")),
    svc: Services = Depends(services),
):
    """Correct the model's judgement of a post (relevant, spots, level, categories, sentiment)."""
    try:
        correction = CorrectionIn.model_validate(body)
        correction.check(svc.spots)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise HTTPException(422, f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}") from exc
    except ValueError as exc:
        raise HTTPException(422, str(exc)) from exc
    if await load_post(svc, correction.post_id) is None:
        raise HTTPException(404, f"no post {correction.post_id!r}")
    saved = await Corrections(svc.es, svc.settings.es).save(correction, principal.name)
    await svc.audit.record(
        principal.name,
        "correct",
        target=correction.post_id,
        role=principal.role,
        ip=client_ip(request),
        details={k: v for k, v in saved.items() if k not in ("by", "at")},
    )
    if is_form(request):
        return RedirectResponse(
            local_path(body.get("next"), "/posts/" + quote(correction.post_id, safe=":")), status_code=303
        )
    return saved
