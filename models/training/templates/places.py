"""Place phrases for generated posts: Mile's spots (with aliases and places inside them), townships, and the
look-alike places elsewhere that the traps use. The names are places.yaml; here is how a phrase is drawn.

Canonical spot names must match config/gazetteer.yaml; tests/unit/test_dataset.py checks that.
"""

from __future__ import annotations

import random
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from models.training.templates.spec import validated
from yuqing.settings import read_yaml


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SpotPlaces(_Strict):
    aliases: list[str] = Field(min_length=1)
    inside: list[str] = Field(min_length=1)


class Places(_Strict):
    """places.yaml."""

    spots: dict[str, SpotPlaces] = Field(min_length=2)
    station_of: dict[str, str]
    city: list[str] = Field(min_length=3)
    towns: dict[str, list[str]]
    city_places: list[str]
    food_places: list[str]
    other_spots: dict[str, list[str]]
    other_subs: list[str]
    honghe: list[str]
    other_cities: list[str]


FILE = Path(__file__).resolve().parent / "places.yaml"
_DATA = validated(Places, read_yaml(FILE), FILE, "")

# Canonical name → (aliases people write, places inside the spot).
SPOTS: dict[str, tuple[list[str], list[str]]] = {n: (s.aliases, s.inside) for n, s in _DATA.spots.items()}
STATION_OF = _DATA.station_of  # only to sign generated notices
CITY = _DATA.city
TOWNS = list(_DATA.towns)  # townships and places of Mile; posts naming only these carry no spot
TOWN_PHRASES = _DATA.towns
CITY_PLACES = _DATA.city_places
FOOD_PLACES = _DATA.food_places
OTHER_SPOTS = _DATA.other_spots
OTHER_SUBS = _DATA.other_subs
HONGHE = _DATA.honghe
OTHER_CITIES = _DATA.other_cities


def spot_alias(spot: str, rng: random.Random) -> str:
    return rng.choice(SPOTS[spot][0])


def spot_loc(spot: str, rng: random.Random, city: float = 0.3) -> str:
    """A place phrase inside a spot: 湖泉生态园的音乐喷泉, 弥勒锦屏山索道, 白龙洞…"""
    alias = spot_alias(spot, rng)
    prefix = rng.choice(CITY) if rng.random() < city else ""
    if rng.random() < 0.25:
        return prefix + alias
    sub = rng.choice(SPOTS[spot][1])
    return prefix + alias + rng.choice(["的", "", "的", "那个"]) + sub


def food_loc(spot: str, rng: random.Random) -> str:
    """Where people eat at or near a spot: 红河水乡的一家饭店."""
    prefix = rng.choice(CITY) if rng.random() < 0.2 else ""
    return prefix + spot_alias(spot, rng) + rng.choice(FOOD_PLACES)


def town_loc(rng: random.Random) -> str:
    town = rng.choice(TOWNS)
    phrase = rng.choice(TOWN_PHRASES[town])
    if rng.random() < 0.4 and not phrase.startswith("弥勒"):
        phrase = rng.choice(["弥勒", "弥勒市"]) + phrase
    return phrase


def city_loc(rng: random.Random) -> str:
    return rng.choice(CITY) + rng.choice(CITY_PLACES)


def other_spot_loc(rng: random.Random) -> str:
    name = rng.choice(list(OTHER_SPOTS))
    base = rng.choice(OTHER_SPOTS[name])
    return base + (rng.choice(["的", ""]) + rng.choice(OTHER_SUBS) if rng.random() < 0.5 else "")


def other_city_loc(rng: random.Random) -> str:
    return rng.choice(OTHER_CITIES)


def honghe_loc(rng: random.Random) -> str:
    place = rng.choice(HONGHE)
    return ("红河州" + place) if rng.random() < 0.35 else place
