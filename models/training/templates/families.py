"""The template families: events.yaml (relevant: incidents by category and level, and the posts with nothing
to act on) and traps.yaml (irrelevant: look-alikes, and incidents borrowed from events.yaml and put
elsewhere), read into `Family` records in the order posts are generated in.

A fragment list is registered to its splits (furniture.py `lines`) when it is read: the named lists of
events.yaml, the blocks of its families, then those of traps.yaml. A mistake (an unknown label, style,
time, reaction or fragment list) is a ConfigError naming the file and the key.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from models.training.templates import furniture as fu
from models.training.templates.spec import (
    BorrowedEntry,
    BorrowEntry,
    Family,
    FamilyEntry,
    Labels,
    validated,
)
from yuqing.errors import ConfigError
from yuqing.settings import read_yaml

HERE = Path(__file__).resolve().parent
EVENTS_FILE = HERE / "events.yaml"
TRAPS_FILE = HERE / "traps.yaml"
FILE_KEYS = {"fragments", "borrowed", "families"}


class _Reader:
    """Fragment lists by name, shared by both files (traps borrow the sentences of events)."""

    def __init__(self) -> None:
        self.fragments: dict[str, tuple[str, ...]] = {}

    def read(self, path: Path, relevant: bool) -> list[Family]:
        data = read_yaml(path)
        if not isinstance(data, dict):
            raise ConfigError(str(path), "", "must be a mapping with `fragments` and `families`")
        extra = sorted(set(data) - FILE_KEYS)
        if extra:
            raise ConfigError(str(path), extra[0], f"unknown key (one of: {', '.join(sorted(FILE_KEYS))})")
        for name, value in (data.get("fragments") or {}).items():
            self.fragments[name] = self._list(value, path, f"fragments.{name}")
        borrowed = [
            validated(BorrowedEntry, b, path, f"borrowed.{i}")
            for i, b in enumerate(data.get("borrowed") or [])
        ]
        families: list[Family] = []
        for i, entry in enumerate(data.get("families") or []):
            key = f"families.{i}"
            if isinstance(entry, dict) and "borrow" in entry:
                families += self._borrowed(validated(BorrowEntry, entry, path, key), borrowed, path, key)
            else:
                fam = validated(FamilyEntry, entry, path, key)
                families.append(self._family(fam.name, fam.n, fam, relevant and fam.relevant, path, key))
        return families

    def _list(self, value: Any, path: Path, key: str) -> tuple[str, ...]:
        """A named fragment list: a block (registered to its splits now), or `{from: <list>, without:
        <word>}`, the fragments of another list without that word (they keep that list's splits)."""
        if isinstance(value, str):
            return fu.lines(value)
        if isinstance(value, dict) and set(value) == {"from", "without"}:
            source = self._named((value["from"],), path, f"{key}.from")
            return tuple(s for s in source if str(value["without"]) not in s)
        raise ConfigError(
            str(path), key, "a block of fragments, one per line, or {from: <list>, without: <word>}"
        )

    def _named(self, names: tuple[str, ...], path: Path, key: str) -> tuple[str, ...]:
        unknown = [n for n in names if n not in self.fragments]
        if unknown:
            raise ConfigError(str(path), key, f"unknown fragment list {unknown[0]!r}")
        return tuple(s for n in names for s in self.fragments[n])

    def _slot(self, value: str | tuple[str, ...], path: Path, key: str) -> tuple[str, ...]:
        return fu.lines(value) if isinstance(value, str) else self._named(value, path, key)

    def _family(self, name: str, n: int, e: Labels, relevant: bool, path: Path, key: str) -> Family:
        for field, known in (("time", fu.TIME), ("react", fu.REACTIONS), ("opener", fu.OPENERS)):
            value = getattr(e, field)
            if value and value not in known:
                raise ConfigError(
                    str(path), f"{key}.{field}", f"unknown {field} {value!r} (one of: {', '.join(known)})"
                )
        return Family(
            name,
            n,
            level=e.level,
            cats=e.cats,
            relevant=relevant,
            trap=e.trap,
            sentiment=e.sentiment,
            official_sentiment=e.official_sentiment,
            core=self._slot(e.core, path, f"{key}.core"),
            detail=self._slot(e.detail, path, f"{key}.detail"),
            formal=self._slot(e.formal, path, f"{key}.formal"),
            time=e.time,
            styles=e.styles,
            place=e.place,
            react=e.react,
            opener=e.opener,
            tags=e.tags,
            detail_p=e.detail_p,
            traditional_p=e.traditional_p,
        )

    def _borrowed(self, b: BorrowEntry, parts: list[BorrowedEntry], path: Path, key: str) -> list[Family]:
        placed = [p.model_copy(update={"place": b.borrow, "trap": b.trap, "tags": b.tags}) for p in parts]
        return [
            self._family(f"trap-{b.borrow}-{p.name}", b.n, p, False, path, f"borrowed.{i}")
            for i, p in enumerate(placed)
        ]


def load_families(events: Path = EVENTS_FILE, traps: Path = TRAPS_FILE) -> tuple[list[Family], list[Family]]:
    """(relevant families, trap families), in generation order."""
    reader = _Reader()
    return reader.read(events, relevant=True), reader.read(traps, relevant=False)
