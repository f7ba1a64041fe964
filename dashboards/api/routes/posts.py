"""One post: every score and what drove it, its event and the event's other posts, and corrections (its page:
dashboards/api/pages/posts.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import RedirectResponse
from pydantic import ValidationError

from dashboards.api.deps import (
    Analyst,
    CsrfBody,
    CurrentUser,
    Principal,
    ServicesDep,
    client_ip,
    is_form,
    local_path,
    visible,
)
from dashboards.api.services import Services
from dashboards.corrections import CorrectionError, CorrectionIn, history, shown_labels
from dashboards.messages import say, validation_message
from dashboards.query import parse
from dashboards.search import apply_correction

router = APIRouter(tags=["posts"])
POST_ID_CHARS = 400


async def post_view(svc: Services, principal: Principal, post_id: str, q: str | None) -> dict[str, Any]:
    """The post as shown (corrections laid over), its event, its history; with `q`, how the query matched."""
    if len(post_id) > POST_ID_CHARS:
        raise HTTPException(422, say("post_id_long", limit=POST_ID_CHARS))
    index, found = await svc.posts.get(post_id) or ("", None)
    post = visible(
        found,
        principal.station_scope,
        HTTPException(404, say("post_missing", post_id=post_id)),
        HTTPException(403, say("post_other_station")),
    )
    correction = await svc.corrections.get(post_id)
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
        "false_alarms": await svc.corrections.false_alarms(post_id, post.get("event_id")),
    }
    event_id = post.get("event_id")
    if event_id:
        view["event"] = await svc.posts.event(event_id)
        view["event_posts"], others = await svc.posts.event_posts(event_id, without=post_id)
        view["event_total"] = others + 1
    if q:
        parsed = parse(q, svc.settings.web.query_max_chars)
        view["match"] = await svc.posts.explain(index, post_id, parsed)
        view["words"] = parsed.words
    return view


@router.get("/posts/{post_id:path}")
async def api_post(
    post_id: str, principal: CurrentUser, svc: ServicesDep, q: str | None = None
) -> dict[str, Any]:
    """A post with its scores and explanation, its event and the event's other posts (and `match` for `q`);
    `current` (the labels shown now and their correction version), `history` (the corrections, newest
    first) and `false_alarms` (its alerts closed as false alarms: who, when, why)."""
    return await post_view(svc, principal, post_id, q)


@router.post("/corrections")
async def correct(request: Request, body: CsrfBody, principal: Analyst, svc: ServicesDep):
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
    found = await svc.posts.get(correction.post_id)
    if found is None:
        raise HTTPException(404, say("post_missing", post_id=correction.post_id))
    try:
        doc, version = await svc.corrections.save(found[1], correction, principal.name)
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
