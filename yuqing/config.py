"""Validated loading of the deployment's YAML files (gazetteer, stations; other stages add theirs).

A mistake raises ConfigError naming the file, the key path (e.g. `stations.2.duty_officers.0.email`)
and what is wrong, before anything runs.
"""

from __future__ import annotations

from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from yuqing.errors import ConfigError
from yuqing.schema import RiskCategory
from yuqing.settings import config_dir, read_yaml

M = TypeVar("M", bound=BaseModel)


def load_model(path: Path, model: type[M]) -> M:
    """Read a YAML file into `model`; errors name the file and the key."""
    data = read_yaml(path)
    if data is None:
        raise ConfigError(str(path), "", "file is empty")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        raise ConfigError(str(path), key, err["msg"]) from exc


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class City(_Strict):
    names: list[str] = Field(min_length=1)
    decoys: list[str] = Field(default_factory=list)
    # the urban centre (WGS84 degrees), marked on the wall screen's map
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class Spot(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = Field(default_factory=list)
    ambiguous: bool = False
    # short names people use that are also common words or other places (水乡 is any water town)
    ambiguous_aliases: list[str] = Field(default_factory=list)
    # where the spot lies (WGS84 degrees), for the wall screen's map; both or neither
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)

    @model_validator(mode="after")
    def _both_coordinates(self) -> Spot:
        if (self.lat is None) != (self.lon is None):
            raise ValueError(f"{self.name}: give both lat and lon, or neither")
        return self


class Gazetteer(_Strict):
    """Place names of the city, its scenic spots, and the traps around them."""

    city: City
    spots: list[Spot] = Field(min_length=1)
    districts: list[str] = Field(default_factory=list)
    elsewhere: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> Gazetteer:
        seen: dict[str, str] = {}
        for spot in self.spots:
            for name in (spot.name, *spot.aliases, *spot.ambiguous_aliases):
                if name in seen and seen[name] != spot.name:
                    raise ValueError(f"name {name!r} belongs to both {seen[name]} and {spot.name}")
                seen[name] = spot.name
        return self


EMAIL = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
SHIFT = r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-4]):[0-5]\d$"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Person(_Strict):
    """Someone who receives alerts; `shift` (HH:MM-HH:MM, may pass midnight) and `days` say when on duty."""

    name: str = Field(min_length=1)
    email: str = Field(pattern=EMAIL)
    shift: str | None = Field(None, pattern=SHIFT)
    days: list[str] = Field(default_factory=lambda: list(WEEKDAYS))

    @field_validator("days")
    @classmethod
    def _weekdays(cls, days: list[str]) -> list[str]:
        wrong = [d for d in days if d not in WEEKDAYS]
        if wrong:
            raise ValueError(f"unknown day {wrong[0]!r} (use {', '.join(WEEKDAYS)})")
        return days

    def on_duty(self, local: datetime) -> bool:
        """Whether this person is on shift at a moment of Mile's local time."""
        if self.shift is None:
            return WEEKDAYS[local.weekday()] in self.days
        start, end = (time.fromisoformat(t) if t != "24:00" else time.max for t in self.shift.split("-"))
        now = local.time()
        if start <= end:
            return WEEKDAYS[local.weekday()] in self.days and start <= now < end
        # A night shift belongs to the day it starts on.
        if now >= start:
            return WEEKDAYS[local.weekday()] in self.days
        return now < end and WEEKDAYS[(local.weekday() - 1) % 7] in self.days


class Agency(_Strict):
    """Another department problems are passed to (通报, as a 公安提示函), by risk category."""

    key: str = Field(min_length=1, pattern=r"^[a-z0-9_]+$")
    name: str = Field(min_length=1)
    email: str = Field(pattern=EMAIL)
    categories: list[RiskCategory] = Field(min_length=1)


class Station(_Strict):
    name: str = Field(min_length=1)
    spots: list[str] = Field(default_factory=list)
    duty_officers: list[Person] = Field(min_length=1)
    supervisors: list[Person] = Field(default_factory=list)


REPORT_KINDS = ("daily", "weekly")


class ReportReader(_Strict):
    """Someone the 日报/周报 are e-mailed to (a leader, the tourism bureau); `station` for one station's
    report instead of the city's."""

    name: str = Field(min_length=1)
    email: str = Field(pattern=EMAIL)
    reports: list[str] = Field(default_factory=lambda: list(REPORT_KINDS), min_length=1)
    station: str | None = None

    @field_validator("reports")
    @classmethod
    def _kinds(cls, kinds: list[str]) -> list[str]:
        wrong = [k for k in kinds if k not in REPORT_KINDS]
        if wrong:
            raise ValueError(f"unknown report {wrong[0]!r} (use {', '.join(REPORT_KINDS)})")
        return kinds


class Stations(_Strict):
    """Stations, the spots they answer for, their duty roster, and who receives the reports."""

    default_station: str
    stations: list[Station] = Field(min_length=1)
    agencies: list[Agency] = Field(default_factory=list)
    report_roster: list[ReportReader] = Field(default_factory=list)

    @field_validator("stations")
    @classmethod
    def _unique(cls, stations: list[Station]) -> list[Station]:
        names = [s.name for s in stations]
        dupes = {n for n in names if names.count(n) > 1}
        if dupes:
            raise ValueError(f"station listed twice: {', '.join(sorted(dupes))}")
        return stations

    @model_validator(mode="after")
    def _default_exists(self) -> Stations:
        if self.default_station not in {s.name for s in self.stations}:
            raise ValueError(f"default_station {self.default_station!r} is not among the stations")
        return self

    def station_for(self, spot: str | None) -> str:
        """The station responsible for a spot; the default one for the rest of the city."""
        for station in self.stations:
            if spot in station.spots:
                return station.name
        return self.default_station

    def get(self, name: str) -> Station | None:
        return next((s for s in self.stations if s.name == name), None)


def check_stations_against(gazetteer: Gazetteer, stations: Stations, path: str) -> None:
    """Every spot a station claims must exist in the gazetteer, no spot has two stations, and a report
    reader's station is one of the stations."""
    known = {s.name for s in gazetteer.spots}
    owner: dict[str, str] = {}
    for i, station in enumerate(stations.stations):
        for spot in station.spots:
            if spot not in known:
                raise ConfigError(path, f"stations.{i}.spots", f"unknown spot {spot!r} (not in gazetteer)")
            if spot in owner:
                raise ConfigError(path, f"stations.{i}.spots", f"{spot} already belongs to {owner[spot]}")
            owner[spot] = station.name
    names = {s.name for s in stations.stations}
    for i, reader in enumerate(stations.report_roster):
        if reader.station is not None and reader.station not in names:
            raise ConfigError(path, f"report_roster.{i}.station", f"unknown station {reader.station!r}")


@lru_cache(maxsize=4)
def load_gazetteer(directory: Path | None = None) -> Gazetteer:
    return load_model((directory or config_dir()) / "gazetteer.yaml", Gazetteer)


@lru_cache(maxsize=4)
def load_stations(directory: Path | None = None) -> Stations:
    directory = directory or config_dir()
    stations = load_model(directory / "stations.yaml", Stations)
    check_stations_against(load_gazetteer(directory), stations, str(directory / "stations.yaml"))
    return stations


@lru_cache(maxsize=4)
def source_codes(directory: Path | None = None) -> tuple[str, ...]:
    """The names of the sources config/sources.yaml lists, enabled first (the crawler validates the file; this
    only names them, for pickers). No file means no names."""
    path = (directory or config_dir()) / "sources.yaml"
    if not path.exists():
        return ()
    listed = (read_yaml(path) or {}).get("sources") or []
    entries = [s for s in listed if isinstance(s, dict) and s.get("name")]
    ordered = sorted(entries, key=lambda s: s.get("enabled", True) is False)
    return tuple(str(s["name"]) for s in ordered)
