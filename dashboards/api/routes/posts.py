"""One post: every score and what drove it, its event and the event's other posts, and corrections."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

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
from dashboards.corrections import CorrectionError, CorrectionIn, Corrections, history, shown_labels
from dashboards.explain import explain_panel
from dashboards.highlight import mark
from dashboards.messages import say, validation_message
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
        raise HTTPException(422, say("post_id_long", limit=400))
    found = await load_post(svc, post_id)
    if found is None:
        raise HTTPException(404, say("post_missing", post_id=post_id))
    index, post = found
    if not principal.can_see_station(post.get("jurisdiction")):
        raise HTTPException(403, say("post_other_station"))
    corrections = Corrections(svc.es, svc.settings.es)
    correction = await corrections.get(post_id)
    shown = apply_correction(post, correction)
    shown.pop("text_seg", None)
    shown.pop("title_seg", None)
    view: dict[str, Any] = {
        "post": shown,
        "event": None,
        "event_posts": [],
        "match": None,
        # the labels as shown now (the form's pre-selected values) and the version they are
        "current": shown_labels(post, correction) | {"version": (correction or {}).get("version", 0)},
        "history": history(correction),
        "false_alarms": await corrections.false_alarms(post_id, post.get("event_id")),
    }
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
        view["words"] = parsed.words
    return view


@router.get("/api/posts/{post_id:path}")
async def api_post(
    post_id: str,
    q: str | None = None,
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
) -> dict[str, Any]:
    """A post with its scores and explanation, its event and the event's other posts (and `match` for `q`);
    `current` (the labels shown now and their correction version), `history` (the corrections, newest
    first) and `false_alarms` (its alerts closed as false alarms: who, when, why)."""
    return await post_view(svc, principal, post_id, q)


@router.get("/posts/{post_id:path}", include_in_schema=False)
async def post_page(
    request: Request,
    post_id: str,
    q: str | None = None,
    saved: int | None = None,
    principal: Principal = Depends(current_user),
    svc: Services = Depends(services),
):
    from dashboards.api.app import render

    view = await post_view(svc, principal, post_id, q)
    await svc.audit.record(
        principal.name, "view_post", target=post_id, role=principal.role, ip=client_ip(request)
    )
    words = view.pop("words", [])
    post = view["post"]
    return render(
        request,
        "post.html",
        q=q or "",
        spots=svc.spots,
        title_html=mark(post.get("title"), words),
        text_html=mark(post.get("text"), words),
        explain=explain_panel(post.get("explain")),
        saved=saved,
        **view,
    )


@router.post("/api/corrections")
async def correct(
    request: Request,
    body: dict[str, Any] = Depends(csrf_checked),
    principal: Principal = Depends(require("admin", "analyst")),
    svc: Services = Depends(services),
):
    """Correct the model's judgement of a post (relevant, spots, level, categories, sentiment, note).

    A field left out keeps its label; `base_version` is the version the analyst saw (the post's
    `current.version`), so a colleague's save in between is kept. Each save that changes something adds a
    version (`saved`); one that changes nothing answers `saved: null`.
    """
    try:
        correction = CorrectionIn.model_validate(body)
        correction.check(svc.spots)
    except ValidationError as exc:
        raise HTTPException(422, validation_message(exc.errors())) from exc
    except CorrectionError as exc:
        raise HTTPException(422, str(exc)) from exc
    found = await load_post(svc, correction.post_id)
    if found is None:
        raise HTTPException(404, say("post_missing", post_id=correction.post_id))
    try:
        doc, version = await Corrections(svc.es, svc.settings.es).save(found[1], correction, principal.name)
    except CorrectionError as exc:
        raise HTTPException(exc.status, str(exc)) from exc
    await svc.audit.record(
        principal.name,
        "correct",
        target=correction.post_id,
        role=principal.role,
        ip=client_ip(request),
        details={"version": version["version"], "changes": version["changes"]}
        if version
        else {"unchanged": True, "version": doc.get("version", 0)},
    )
    if is_form(request):
        query = {"q": body["q"]} if isinstance(body.get("q"), str) and body["q"] else {}
        query["saved"] = version["version"] if version else 0
        target = "/posts/" + quote(correction.post_id, safe=":") + "?" + urlencode(query)
        return RedirectResponse(local_path(body.get("next"), target), status_code=303)
    return {k: v for k, v in doc.items() if k != "versions"} | {"saved": version}
