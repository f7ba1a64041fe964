"""What a run of one source should warn about though nothing failed: selectors that find nothing, posts
that come without dates or authors. Markup that differs from what a source's selectors expect loses data
silently (a thread's second page, every author); these warnings say so in the summary, once per source.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

# Warn about missing fields when more than this share of a run's posts lack them (and the run made a few).
MOSTLY = 0.5
MIN_POSTS = 3


@dataclass
class RunHealth:
    """Counts for one run of one source; `warnings()` turns them into (key, message) pairs."""

    navigation: tuple[str, ...] = ()  # next-page selectors: missing on the last page is normal
    expected: tuple[str, ...] = ("published_at",)  # post fields most posts should have
    tried: Counter[str] = field(default_factory=Counter)
    empty: Counter[str] = field(default_factory=Counter)
    exprs: dict[str, str] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)  # a next-page link a navigation selector missed
    posts: int = 0
    missing: Counter[str] = field(default_factory=Counter)

    def selector(self, name: str, expr: str | None, matched: bool, pager: str | None = None) -> bool:
        """Record whether a configured selector matched anything on a fetched page; returns `matched`.

        For a navigation selector, a miss counts only when the page has a link that looks like a next page
        (`pager`, e.g. "下一页 → /p/1?pn=2"): on the last page there is nothing to match.
        """
        if expr:
            self.exprs[name] = expr
            self.tried[name] += 1
            if not matched and (name not in self.navigation or pager):
                self.empty[name] += 1
                if pager:
                    self.hints.setdefault(name, pager)
        return matched

    def post(self, fields: dict[str, Any]) -> None:
        self.posts += 1
        for name in self.expected:
            if fields.get(name) in (None, ""):
                self.missing[name] += 1

    def warnings(self) -> list[tuple[str, str]]:
        found = []
        for name, tried in self.tried.items():
            empty = self.empty[name]
            expr = self.exprs[name]
            if name in self.navigation:
                if empty:
                    found.append(
                        (
                            f"selector_{name}",
                            f"selector {name} {expr!r} matched nothing on {empty} of {tried} page(s) "
                            f"that link to a next page ({self.hints[name]}): those pages were not followed",
                        )
                    )
            elif empty:
                found.append(
                    (
                        f"selector_{name}",
                        f"selector {name} {expr!r} matched nothing on {empty} of {tried} page(s)",
                    )
                )
        if self.posts >= MIN_POSTS:
            for name in self.expected:
                if self.missing[name] > self.posts * MOSTLY:
                    what = {"published_at": "date"}.get(name, name)
                    found.append(
                        (
                            f"posts_without_{name}",
                            f"{self.missing[name]} of {self.posts} posts have no {what}",
                        )
                    )
        return found
