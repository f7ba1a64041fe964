"""热点词: the words that rose this period against the previous one, not the most frequent ones.

Candidates come from Elasticsearch's `significant_text` over a sample of the period's posts (jieba words, the
index's `text_seg`); each candidate is then counted exactly, this period and before, with the search page's
own query for the word, so every figure is a search. A word counts when it says what the posts are about (a
telling word: yuqing.segment.words_of) or is one of the gazetteer's scenic spots; the city's own names are
in every post and never count. The rise is (now - before) / sqrt(before + 1): how many standard deviations a
Poisson count of `before` moved (at least MIN_RISE), so 3 → 30 outranks 300 → 330.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from functools import lru_cache

from yuqing.config import load_gazetteer
from yuqing.segment import words_of

MIN_POSTS = 3  # fewer posts than this is not a trend
MIN_RISE = 2.0  # two standard deviations: 30 after 28 is noise, 3 after 0 is news
WORDS_SHOWN = 15
CANDIDATES = 80


@lru_cache(maxsize=1)
def spot_names() -> frozenset[str]:
    """The scenic spots' names and aliases (a spot rising in mentions is news)."""
    gaz = load_gazetteer()
    return frozenset(n for s in gaz.spots for n in (s.name, *s.aliases))


@lru_cache(maxsize=1)
def city_names() -> frozenset[str]:
    return frozenset(load_gazetteer().city.names)


def telling(word: str) -> bool:
    """Whether a word may be a 热点词: Chinese characters only, and a spot's name or a rare enough word (not
    the city's names)."""
    if word in city_names() or not all("\u4e00" <= c <= "\u9fff" for c in word):
        return False
    return word in spot_names() or bool(words_of(word))


def candidates(keys: Iterable[str], limit: int = CANDIDATES) -> list[str]:
    return [w for w in dict.fromkeys(keys) if telling(w)][:limit]


def rise(now: int, before: int) -> float:
    return (now - before) / math.sqrt(before + 1)


def rising(counts: dict[str, tuple[int, int]], limit: int = WORDS_SHOWN) -> list[tuple[str, int, int, float]]:
    """(word, now, before, rise) of the words that rose, the steepest first."""
    rows = [
        (w, now, before, rise(now, before))
        for w, (now, before) in counts.items()
        if now >= MIN_POSTS and rise(now, before) >= MIN_RISE
    ]
    rows.sort(key=lambda r: (-r[3], -len(r[0]), r[0]))
    # jieba's search mode cuts 救生衣 into 救生 too: a piece in exactly the same numbers is the same word.
    same = {(n, b): [w for w, n2, b2, _ in rows if (n2, b2) == (n, b)] for _, n, b, _ in rows}
    kept = [r for r in rows if not any(r[0] in w and r[0] != w for w in same[(r[1], r[2])])]
    return kept[:limit]
