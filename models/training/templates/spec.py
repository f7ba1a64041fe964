"""The description of one template family: its labels, fragment slots, styles and how it is placed."""

from __future__ import annotations

from dataclasses import dataclass

ALL_STYLES = ("weibo", "douyin", "dianping", "ctrip", "tieba", "xiaohongshu", "news", "notice")
SOCIAL = ("weibo", "douyin", "tieba", "xiaohongshu")
REVIEW = ("dianping", "ctrip")


@dataclass(frozen=True)
class Family:
    """Posts of one kind. Labels are fixed per family; the text varies through its slots and the furniture.

    core: colloquial event sentences; formal: the same kind of event as a news item or notice. Placeholders:
    {loc} place phrase, {loc2} a second spot, {t} time word of `time`, {n} small number, {m} money, {kid},
    {old}, {date}, {clock}, {auth}. A core without {loc} gets the place put in front of it.
    place: spot | mixed (mostly spots, some townships or the city alone) | multi | town | none | other_spot |
    other_city | honghe. With `none` the fragments name their own places.
    """

    name: str
    n: int
    level: str = "none"
    cats: tuple[str, ...] = ()
    relevant: bool = True
    trap: str | None = None
    sentiment: tuple[str, ...] = ("neg",)
    official_sentiment: str = "neu"
    core: tuple[str, ...] = ()
    detail: tuple[str, ...] = ()
    formal: tuple[str, ...] = ()
    time: str = ""
    styles: tuple[str, ...] = SOCIAL
    place: str = "mixed"
    react: str = ""
    opener: str = ""
    tags: tuple[str, ...] = ()
    detail_p: float = 0.6
    traditional_p: float = 0.05
