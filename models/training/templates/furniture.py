"""Everything around the event sentence: time words, openers, reactions, calls for help, and each platform's
furniture (hashtags, @mentions, emoji, star ratings, thread titles, notice headers), plus surface noise
(homophone typos, traditional characters). The words are furniture.yaml; here are the split registry every
fragment list goes through (`lines`) and the noise.
"""

from __future__ import annotations

import hashlib
import random
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from models.training.templates.spec import validated
from yuqing.settings import read_yaml

# Fragment → split. Every fragment list is partitioned when it is declared (about 70/15/15 by a stable hash
# rank), so a test post is built only from test fragments and never near-copies a training post; a fragment
# reused by another family (the traps borrow incident sentences) keeps its first split.
SPLIT_OF: dict[str, str] = {}


def _rank(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def lines(block: str, split: bool = True) -> tuple[str, ...]:
    """One fragment per non-empty line, registered to a split unless `split` is false (shared slots)."""
    items = tuple(dict.fromkeys(s.strip() for s in block.strip().splitlines() if s.strip()))
    if split:
        n = len(items)
        k = 0 if n < 3 else max(1, round(0.15 * n))
        for i, item in enumerate(sorted(items, key=_rank)):
            SPLIT_OF.setdefault(item, "test" if i < k else "dev" if i < 2 * k else "train")
    return items


def split_pool(items: tuple[str, ...], split: str) -> list[str]:
    """The fragments of `items` that posts of `split` may use (unregistered ones are shared)."""
    return [s for s in items if SPLIT_OF.get(s, split) == split]


class Furniture(BaseModel):
    """furniture.yaml: blocks (one fragment per line) for what `lines` splits, lists for the rest."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    time: dict[str, str]
    openers: dict[str, str]
    reactions: dict[str, str]
    scenes: str
    asides: str
    closers: dict[str, str]
    calls: str
    emoji: dict[str, list[str]]
    weibo_tags_mile: list[str]
    douyin_tags_mile: list[str]
    xhs_tags_mile: list[str]
    tieba_titles: dict[str, list[str]]
    tieba_tails: list[str]
    ctrip_types: list[str]
    stars: dict[str, list[str]]
    notice_heads: dict[str, list[str]]
    news_heads: list[str]
    authorities: list[str]
    retweeters: list[str]
    typos: list[tuple[str, str]]


FILE = Path(__file__).resolve().parent / "furniture.yaml"
_DATA = validated(Furniture, read_yaml(FILE), FILE, "")

# Time words by what they say about urgency (shared by every split). Then, in this order (a fragment keeps
# the split of the first list that registers it), the split slots: openers by register, reactions by level,
# scene-setting first sentences, neutral asides (no place, no risk: long posts without other labels),
# closers by sentiment, calls to official accounts.
TIME = {k: lines(v, split=False) for k, v in _DATA.time.items()}
OPENERS = {k: lines(v) for k, v in _DATA.openers.items()}
REACTIONS = {k: lines(v) for k, v in _DATA.reactions.items()}
SCENES = lines(_DATA.scenes)
ASIDES = lines(_DATA.asides)
CLOSERS = {k: lines(v) for k, v in _DATA.closers.items()}
CALLS = lines(_DATA.calls)

EMOJI = _DATA.emoji
WEIBO_TAGS_MILE = _DATA.weibo_tags_mile
DOUYIN_TAGS_MILE = _DATA.douyin_tags_mile
XHS_TAGS_MILE = _DATA.xhs_tags_mile
TIEBA_TITLES = _DATA.tieba_titles
TIEBA_TAILS = _DATA.tieba_tails
CTRIP_TYPES = _DATA.ctrip_types
STARS = _DATA.stars
NOTICE_HEADS = _DATA.notice_heads
NEWS_HEADS = _DATA.news_heads
AUTHORITIES = _DATA.authorities
RETWEETERS = _DATA.retweeters
# Homophone and chat-style typos (word, typo), applied to some colloquial posts; place names are never
# touched.
TYPOS = _DATA.typos

OFFICIAL = ("news", "notice")
COLLOQUIAL = ("weibo", "douyin", "dianping", "ctrip", "tieba", "xiaohongshu")
STYLES = COLLOQUIAL + OFFICIAL


@lru_cache(maxsize=4)
def _converter(kind: str):
    import opencc

    return opencc.OpenCC(kind)


def convert(kind: str, text: str) -> str:
    return _converter(kind).convert(text)


def to_traditional(text: str, rng: random.Random) -> str:
    return _converter(rng.choice(["s2t", "s2tw", "s2hk"])).convert(text)


def add_typos(text: str, rng: random.Random, protect: tuple[str, ...] = ()) -> str:
    for a, b in rng.sample(TYPOS, k=len(TYPOS)):
        if a in text and not any(a in p for p in protect) and rng.random() < 0.6:
            text = text.replace(a, b, 1)
    return text


def emoji(sentiment: str, rng: random.Random, k: int = 1) -> str:
    return "".join(rng.choice(EMOJI[sentiment]) for _ in range(k))


def date_words(rng: random.Random) -> str:
    return f"{rng.randint(1, 12)}月{rng.randint(1, 28)}日"


def clock(rng: random.Random) -> str:
    return f"{rng.randint(8, 22)}时{rng.choice(['', '许', str(rng.randint(10, 55)) + '分许'])}"
