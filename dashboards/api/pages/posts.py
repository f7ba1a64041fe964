"""One post's page: its scores in Chinese, the query's words marked, the correction form and its history."""

from __future__ import annotations

from fastapi import APIRouter, Request

from dashboards.api.deps import CurrentUser, ServicesDep, client_ip
from dashboards.api.render import render
from dashboards.api.routes.posts import post_view
from dashboards.explain import explain_panel
from dashboards.highlight import mark

router = APIRouter(tags=["posts"])


@router.get("/posts/{post_id:path}")
async def post_page(
    request: Request,
    post_id: str,
    principal: CurrentUser,
    svc: ServicesDep,
    q: str | None = None,
    saved: int | None = None,
):
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
