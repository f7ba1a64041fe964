"""Find Mile's places in a post: scenic spots (by alias), the city, its townships, and the traps.

Matching runs on normalised (simplified) text with one longest-first regular expression, so 可邑小镇 is one
match rather than 可邑 + 小镇. Decoys are masked first: 弥勒佛 never counts as the city. A spot whose name
also exists elsewhere (`ambiguous` in the YAML), or a short alias that is also a common word
(`ambiguous_aliases`: 水乡 alone), is only a candidate until other Mile evidence is present; the model
makes the final relevance call with this evidence as input (see models/).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from yuqing.config import Gazetteer, Stations, load_gazetteer, load_stations
from yuqing.text import normalize_text


@dataclass
class PlaceMatch:
    """What the gazetteer found in one post, in order of first mention."""

    spots: list[str] = field(default_factory=list)
    candidate_spots: list[str] = field(default_factory=list)
    aliases: dict[str, list[str]] = field(default_factory=dict)
    city: list[str] = field(default_factory=list)
    districts: list[str] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)
    elsewhere: list[str] = field(default_factory=list)

    @property
    def in_mile(self) -> bool:
        """Unambiguous evidence that the post is about Mile."""
        return bool(self.city or self.districts or self.spots)

    @property
    def maybe_mile(self) -> bool:
        """Mile evidence or a candidate spot: worth scoring, not yet decided."""
        return self.in_mile or bool(self.candidate_spots)

    def explain(self) -> dict[str, Any]:
        return {
            "spots": self.spots,
            "candidate_spots": self.candidate_spots,
            "aliases": self.aliases,
            "city": self.city,
            "districts": self.districts,
            "decoys": self.decoys,
            "elsewhere": self.elsewhere,
        }


class Matcher:
    """Compiled gazetteer; build once, match many."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self._kind: dict[str, tuple[str, str]] = {}  # surface → (kind, canonical)
        for spot in gazetteer.spots:
            kind = "ambiguous" if spot.ambiguous else "spot"
            for name in (spot.name, *spot.aliases):
                self._kind[normalize_text(name)] = (kind, spot.name)
            for name in spot.ambiguous_aliases:
                self._kind[normalize_text(name)] = ("ambiguous", spot.name)
        for name in gazetteer.city.names:
            self._kind[normalize_text(name)] = ("city", "弥勒")
        for name in gazetteer.districts:
            self._kind.setdefault(normalize_text(name), ("district", name))
        for name in gazetteer.elsewhere:
            self._kind.setdefault(normalize_text(name), ("elsewhere", name))
        for name in gazetteer.city.decoys:
            self._kind[normalize_text(name)] = ("decoy", name)
        terms = sorted(self._kind, key=len, reverse=True)
        self._pattern = re.compile("|".join(re.escape(t) for t in terms))
        decoys = [t for t in terms if self._kind[t][0] == "decoy"]
        self._decoys = re.compile("|".join(re.escape(t) for t in decoys)) if decoys else None

    def names(self) -> list[str]:
        """Every surface form, for the segmenter's dictionary."""
        return list(self._kind)

    def mask_decoys(self, normalized: str) -> str:
        """Blank out decoy phrases (弥勒佛 ...) so a plain substring test on 弥勒 cannot hit them."""
        return self._decoys.sub("□", normalized) if self._decoys else normalized

    def match(self, text: str, *, normalized: bool = False) -> PlaceMatch:
        text = text if normalized else normalize_text(text)
        found = PlaceMatch()
        strong_spots: list[str] = []
        for m in self._pattern.finditer(text):
            surface = m.group(0)
            kind, canonical = self._kind[surface]
            if kind in ("spot", "ambiguous"):
                found.aliases.setdefault(canonical, [])
                if surface not in found.aliases[canonical]:
                    found.aliases[canonical].append(surface)
                target = strong_spots if kind == "spot" else found.candidate_spots
                if canonical not in target:
                    target.append(canonical)
            else:
                bucket = {
                    "city": found.city,
                    "district": found.districts,
                    "decoy": found.decoys,
                    "elsewhere": found.elsewhere,
                }[kind]
                if surface not in bucket:
                    bucket.append(surface)
        # Order of first mention across strong and candidate spots.
        order = list(found.aliases)
        found.spots = [s for s in order if s in strong_spots]
        if strong_spots or found.city or found.districts:
            # Other Mile evidence confirms the candidates (锦屏山 in a post that names 弥勒 is Mile's).
            found.spots = [s for s in order if s in strong_spots or s in found.candidate_spots]
            found.candidate_spots = []
        return found


@dataclass(frozen=True)
class Placement:
    """Where a post belongs and who answers for it."""

    spots: list[str]
    jurisdiction: str | None
    match: PlaceMatch


def place(match: PlaceMatch, relevant: bool, stations: Stations, spots: list[str] | None = None) -> Placement:
    """Choose spots and the responsible station; irrelevant posts belong to no station."""
    chosen = spots if spots is not None else (match.spots or match.candidate_spots)
    if not relevant:
        return Placement(spots=chosen, jurisdiction=None, match=match)
    station = stations.station_for(chosen[0] if chosen else None)
    return Placement(spots=chosen, jurisdiction=station, match=match)


def could_be_relevant(text: str, keywords: list[str] | None = None, matcher: Matcher | None = None) -> bool:
    """The cheap gate before Kafka: any Mile place evidence, or (if given) a source keyword outside decoys.

    Deliberately permissive: it only keeps obviously unrelated pages out of the stream.
    """
    matcher = matcher or default_matcher()
    norm = normalize_text(text)
    if matcher.match(norm, normalized=True).maybe_mile:
        return True
    masked = matcher.mask_decoys(norm)  # the keyword 弥勒 must not let 弥勒佛 in
    return any(normalize_text(k) in masked for k in keywords or [])


@lru_cache(maxsize=1)
def default_matcher() -> Matcher:
    return Matcher(load_gazetteer())


@lru_cache(maxsize=1)
def default_stations() -> Stations:
    return load_stations()
