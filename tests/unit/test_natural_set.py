"""The frozen natural test set (models/data/natural): every line valid, the minimum counts the issue asks for,
and the file unchanged since its sha256 was recorded in the README."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import pytest

from models.data.natural import PATH, NaturalSetError, load_natural_test


@pytest.fixture(scope="module")
def posts() -> list[dict]:
    return load_natural_test()


def test_minimum_counts(posts):
    levels = Counter(p["level"] for p in posts)
    assert len(posts) >= 600
    assert levels["high"] >= 110
    assert levels["medium"] >= 120
    assert sum(not p["relevant"] for p in posts) >= 150


def test_covers_every_style_trap_and_category(posts):
    from models.data.natural import CATEGORIES, STYLES, TRAPS

    assert {p["style"] for p in posts} == STYLES
    assert {p["trap"] for p in posts if p["trap"]} == TRAPS
    assert {c for p in posts for c in p["categories"]} == CATEGORIES


def test_sha256_matches_readme():
    readme = (PATH.parent / "README.md").read_text(encoding="utf-8")
    recorded = re.search(r"sha256 of `test.jsonl`: `([0-9a-f]{64})`", readme)
    assert recorded, "README must record the sha256 of test.jsonl"
    assert hashlib.sha256(PATH.read_bytes()).hexdigest() == recorded.group(1), (
        "test.jsonl changed: only label fixes are allowed, logged in README.md with the new sha256"
    )


def _write(tmp_path, rows: list[dict]):
    path = tmp_path / "t.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


GOOD = {
    "id": "nat-x1",
    "text": "湖泉有人落水了",
    "style": "weibo",
    "relevant": True,
    "spots": ["湖泉生态园"],
    "sentiment": "neg",
    "categories": ["safety"],
    "level": "high",
    "trap": None,
    "split": "natural_test",
}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"level": "none"}, "level none"),
        ({"categories": []}, "level none"),
        ({"relevant": False, "trap": "mile_not_tourism"}, "irrelevant post has level none"),
        ({"spots": ["大理古城"]}, "gazetteer"),
        ({"style": "twitter"}, "style"),
        ({"trap": "maitreya"}, "relevant post has no trap"),
        ({"split": "train"}, "split"),
    ],
)
def test_loader_refuses_a_broken_line(tmp_path, change, why):
    with pytest.raises(NaturalSetError, match=why):
        load_natural_test(_write(tmp_path, [{**GOOD, **change}]))


def test_loader_refuses_duplicates(tmp_path):
    with pytest.raises(NaturalSetError, match="duplicate id"):
        load_natural_test(_write(tmp_path, [GOOD, {**GOOD, "text": "别的内容"}]))
    with pytest.raises(NaturalSetError, match="same normalised text"):
        load_natural_test(_write(tmp_path, [GOOD, {**GOOD, "id": "nat-x2", "text": "湖泉有人落水了 "}]))
