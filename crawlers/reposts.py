"""Weibo's repost chain in a post's text (`我的评论//@甲:他的评论//@乙:原文`), parsed without the network."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Weibo nicknames are at most 30 characters; a longer run before a colon is prose, not a name. A name never
# spans a line or holds another `//@`, so a `//@` without its colon stays text instead of eating the next hop.
MAX_NAME_CHARS = 30
_HOP = re.compile(rf"//@(?P<name>[^\s:：](?:(?!//@)[^:：\n]){{0,{MAX_NAME_CHARS - 1}}})[:：]")


@dataclass(frozen=True)
class Hop:
    """One reposter in the chain and the words they added."""

    name: str
    words: str


@dataclass(frozen=True)
class RepostChain:
    """A post's own words and the reposters before it, nearest first."""

    own: str
    hops: tuple[Hop, ...] = ()

    @property
    def names(self) -> list[str]:
        return [hop.name for hop in self.hops]

    @property
    def original(self) -> str | None:
        """The last segment's words: the original's, when the API gives only text."""
        return self.hops[-1].words if self.hops else None


def parse_chain(text: str) -> RepostChain:
    """Split `text` at each well-formed `//@name:`; anything malformed stays part of the words around it."""
    matches = list(_HOP.finditer(text or ""))
    if not matches:
        return RepostChain(own=(text or "").strip())
    ends = [m.start() for m in matches[1:]] + [len(text)]
    hops = tuple(
        Hop(name=m.group("name").strip(), words=text[m.end() : end].strip())
        for m, end in zip(matches, ends, strict=True)
    )
    return RepostChain(own=text[: matches[0].start()].strip(), hops=hops)
