"""The template generator's data files (models/training/templates/*.yaml): they load into the families the
generator builds from, and a mistake names the file and the key. That the generator still writes
models/data/tourism_posts.jsonl byte for byte is tests/unit/test_dataset.py's."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from models.training.templates import furniture as fu
from models.training.templates import places as pl
from models.training.templates.families import EVENTS_FILE, TRAPS_FILE, load_families
from yuqing.config import load_gazetteer
from yuqing.errors import ConfigError


@pytest.fixture
def files(tmp_path: Path, monkeypatch) -> tuple[Path, Path]:
    """Copies of events.yaml and traps.yaml to break; the split registry is restored afterwards."""
    monkeypatch.setattr(fu, "SPLIT_OF", dict(fu.SPLIT_OF))
    events, traps = tmp_path / "events.yaml", tmp_path / "traps.yaml"
    shutil.copy(EVENTS_FILE, events)
    shutil.copy(TRAPS_FILE, traps)
    return events, traps


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(files: tuple[Path, Path]) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_families(*files)
    return info.value


def test_the_families_load_in_generation_order() -> None:
    events, traps = load_families()
    names = [f.name for f in (*events, *traps)]
    assert len(names) == len(set(names)) == 104
    assert names[0] == "safety-drown-now" and names[-1] == "trap-othercity-tourism"
    assert all(f.relevant for f in events) and not any(f.relevant for f in traps)
    borrowed = [f for f in traps if f.name == "trap-other_city-drown"]
    drown = next(f for f in events if f.name == "safety-drown-now")
    assert borrowed[0].core == drown.core and borrowed[0].place == "other_city" and borrowed[0].n == 26
    praise = next(f for f in events if f.name == "none-praise").core
    otherspot = next(f for f in traps if f.name == "trap-otherspot").core
    assert set(otherspot) > {p for p in praise if "弥勒" not in p} and not any("弥勒" in p for p in otherspot)


def test_every_fragment_has_one_split() -> None:
    events, traps = load_families()
    for fam in (*events, *traps):
        for fragment in (*fam.core, *fam.detail, *fam.formal):
            assert fu.SPLIT_OF[fragment] in ("train", "dev", "test"), (fam.name, fragment)


def test_the_places_are_the_gazetteers() -> None:
    spots = {s.name for s in load_gazetteer().spots}
    assert set(pl.SPOTS) == spots == set(pl.STATION_OF)


def test_an_unknown_fragment_list_is_named(files) -> None:
    _edit(files[0], "    core: [drown]\n", "    core: [drwon]\n")
    err = _error(files)
    assert (err.file, err.key) == (str(files[0]), "families.0.core")
    assert "drwon" in err.message


def test_an_unknown_level_is_named(files) -> None:
    _edit(files[0], "    level: high\n", "    level: urgent\n")
    err = _error(files)
    assert err.key == "families.0.level" and "urgent" in err.message


def test_an_unknown_time_word_set_is_named(files) -> None:
    _edit(files[0], "    time: now\n", "    time: soon\n")
    assert _error(files).key == "families.0.time"


def test_a_misspelt_key_in_a_borrow_entry_is_named(files) -> None:
    _edit(files[1], "    n: 10\n", "    count: 10\n")
    err = _error(files)
    assert err.file == str(files[1]) and err.key.startswith("families.1.")


def test_a_trap_may_borrow_only_declared_lists(files) -> None:
    _edit(files[1], "{name: drown, core: [drown],", "{name: drown, core: [drowning],")
    err = _error(files)
    assert (err.file, err.key) == (str(files[1]), "borrowed.0.core")
