"""The description of one template family: its labels, fragment slots, styles and how it is placed; and
`FamilyEntry`, the same as one entry of events.yaml or traps.yaml, validated when read (families.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from models.data.labels import CATEGORIES, LEVELS, SENTIMENTS, TRAPS
from yuqing.errors import ConfigError

ALL_STYLES = ("weibo", "douyin", "dianping", "ctrip", "tieba", "xiaohongshu", "news", "notice")
SOCIAL = ("weibo", "douyin", "tieba", "xiaohongshu")
REVIEW = ("dianping", "ctrip")
Place = Literal["spot", "mixed", "multi", "food", "town", "none", "other_spot", "other_city", "honghe"]


@dataclass(frozen=True)
class Family:
    """Posts of one kind. Labels are fixed per family; the text varies through its slots and the furniture.

    core: colloquial event sentences; formal: the same kind of event as a news item or notice. Placeholders:
    {loc} place phrase, {loc2} a second spot, {spot} a spot's alias, {t} time word of `time`, {n} small
    number, {m} money, {kid}, {old}, {date}, {clock}, {auth}. A core without {loc} gets the place put in
    front of it.
    place: spot | mixed (mostly spots, some townships or the city alone) | multi | food (an eating place at a
    spot) | town | none | other_spot | other_city | honghe. With `none` the fragments name their own places.
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


# A fragment slot as written: the names of fragment lists (joined in order), or a block of its own fragments.
Slot = str | tuple[str, ...]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _within(values: tuple[str, ...], allowed, what: str) -> tuple[str, ...]:
    wrong = [v for v in values if v not in allowed]
    if wrong:
        raise ValueError(f"unknown {what} {wrong[0]!r} (one of: {', '.join(sorted(allowed))})")
    return values


class Labels(_Strict):
    """What a family (or a borrowed part of one) says, as written in the YAML; slots still unresolved."""

    level: str = "none"
    cats: tuple[str, ...] = ()
    trap: str | None = None
    sentiment: tuple[str, ...] = ("neg",)
    official_sentiment: str = "neu"
    core: Slot = ()
    detail: Slot = ()
    formal: Slot = ()
    time: str = ""
    styles: tuple[str, ...] = SOCIAL
    place: Place = "mixed"
    react: str = ""
    opener: str = ""
    tags: tuple[str, ...] = ()
    detail_p: float = 0.6
    traditional_p: float = 0.05

    @field_validator("level")
    @classmethod
    def _level(cls, v: str) -> str:
        return _within((v,), LEVELS, "level")[0]

    @field_validator("cats")
    @classmethod
    def _cats(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _within(v, CATEGORIES, "category")

    @field_validator("trap")
    @classmethod
    def _trap(cls, v: str | None) -> str | None:
        return v if v is None else _within((v,), TRAPS, "trap")[0]

    @field_validator("sentiment")
    @classmethod
    def _sentiment(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _within(v, SENTIMENTS, "sentiment")

    @field_validator("official_sentiment")
    @classmethod
    def _official(cls, v: str) -> str:
        return _within((v,), SENTIMENTS, "sentiment")[0]

    @field_validator("styles")
    @classmethod
    def _styles(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        return _within(v, ALL_STYLES, "style")


class FamilyEntry(Labels):
    """One family of events.yaml or traps.yaml."""

    name: str
    n: int
    relevant: bool = True


class BorrowedEntry(Labels):
    """A part of a trap family borrowed from events.yaml (traps.yaml `borrowed`)."""

    name: str


class BorrowEntry(_Strict):
    """traps.yaml: every `borrowed` part as a family placed at `borrow` (a place kind)."""

    borrow: Place
    trap: str
    n: int
    tags: tuple[str, ...] = ()


M = TypeVar("M", bound=BaseModel)


def validated(model: type[M], data: Any, file: Path, key: str) -> M:
    """`data` (found at `key` of `file`) as `model`; ConfigError naming the file and the full key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in (key, *err["loc"]) if str(p))
        raise ConfigError(str(file), loc, err["msg"]) from exc
