"""How an event spread from post to post: the depth of its repost and reply chains and the accounts that
carried it furthest.

A post names its parent (the post it reposts or answers), its repost root and its thread's opening post by the
source's own ids (yuqing.schema.Post); the nearest of the three is its parent here. A chain's depth counts
hops from a post without a parent (depth 0); a parent the crawler never fetched still counts as one hop. An
account's reach is the posts below its own in the chains (reposts of reposts included), then the engagement
its posts gathered (reposts, comments, likes as the platforms showed them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_HOPS = 500  # a chain longer than this is a loop in the data, not a real chain


@dataclass
class Spread:
    depth: int = 0
    linked: int = 0
    roots: int = 0
    depth_of: dict[str, int] = field(default_factory=dict)
    below: dict[str, set[str]] = field(default_factory=dict)  # post id → the posts under it


def parent_of(post: dict[str, Any]) -> str | None:
    """The post id this post hangs under (parent, else root, else thread), never itself."""
    own, source = post.get("source_id"), post.get("source")
    for key in ("parent_id", "root_id", "thread_id"):
        value = post.get(key)
        if value and value != own:
            return f"{source}:{value}"
    return None


def spread(posts: list[dict[str, Any]]) -> Spread:
    parents = {p["id"]: parent_of(p) for p in posts}
    out = Spread(
        linked=sum(1 for v in parents.values() if v), roots=sum(1 for v in parents.values() if not v)
    )
    for post_id in parents:
        chain, at = [], parents[post_id]
        while at is not None and len(chain) < MAX_HOPS and at not in chain:
            chain.append(at)
            at = parents.get(at)
        out.depth_of[post_id] = len(chain)
        for ancestor in chain:
            out.below.setdefault(ancestor, set()).add(post_id)
    out.depth = max(out.depth_of.values(), default=0)
    return out


def _engagement(post: dict[str, Any]) -> int:
    e = post.get("engagement") or {}
    return sum(int(e.get(k) or 0) for k in ("reposts", "comments", "likes"))


def carriers(posts: list[dict[str, Any]], s: Spread, top: int = 10) -> list[dict[str, Any]]:
    """Accounts by the posts below theirs, then engagement: author, source, posts, reposts_below,
    depth_below (hops under their deepest-reaching post), engagement, their most carried post."""
    by_author: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for post in posts:
        if post.get("author"):
            by_author.setdefault((post["author"], post.get("source") or ""), []).append(post)
    rows = []
    for (author, source), own in by_author.items():
        below: set[str] = set().union(*(s.below.get(p["id"], set()) for p in own))
        depth_below = max(
            (s.depth_of[d] - s.depth_of[p["id"]] for p in own for d in s.below.get(p["id"], ())), default=0
        )
        best = max(own, key=lambda p: (len(s.below.get(p["id"], ())), _engagement(p)))
        rows.append(
            {
                "author": author,
                "source": source,
                "posts": len(own),
                "reposts_below": len(below),
                "depth_below": depth_below,
                "engagement": sum(_engagement(p) for p in own),
                "post_id": best["id"],
            }
        )
    rows.sort(key=lambda r: (-r["reposts_below"], -r["engagement"], -r["posts"], r["author"]))
    return rows[:top]
