"""The shipped tourism post set (models/data/tourism_posts.jsonl): schema, label rules, coverage, splits that
do not leak, and a generator that reproduces the file byte for byte."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from models.data import TOURISM_FILE
from models.training.templates import build
from yuqing.config import load_gazetteer
from yuqing.text import normalize_text

DATA = TOURISM_FILE
KEYS = {"id", "text", "style", "relevant", "spots", "sentiment", "categories", "level", "trap", "split"}
STYLES = {"weibo", "douyin", "dianping", "ctrip", "tieba", "news", "notice", "xiaohongshu"}
CATEGORIES = set(build.CATEGORIES)
LEVELS = {"none", "low", "medium", "high"}
TRAPS = {"maitreya", "other_city_spot", "honghe_elsewhere", "mile_not_tourism", "other_city_incident"}


@pytest.fixture(scope="module")
def posts() -> list[dict]:
    with DATA.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_schema_of_every_line(posts):
    spots = {s.name for s in load_gazetteer().spots}
    for p in posts:
        assert set(p) == KEYS, p["id"]
        assert isinstance(p["id"], str) and p["id"]
        assert isinstance(p["text"], str) and p["text"].strip(), p["id"]
        assert p["style"] in STYLES, p["id"]
        assert isinstance(p["relevant"], bool), p["id"]
        assert isinstance(p["spots"], list) and set(p["spots"]) <= spots, p["id"]
        assert len(set(p["spots"])) == len(p["spots"]), p["id"]
        assert p["sentiment"] in {"neg", "neu", "pos"}, p["id"]
        assert isinstance(p["categories"], list) and set(p["categories"]) <= CATEGORIES, p["id"]
        assert p["level"] in LEVELS, p["id"]
        assert p["trap"] is None or (isinstance(p["trap"], str) and p["trap"]), p["id"]
        assert p["split"] in {"train", "dev", "test"}, p["id"]
    assert len({p["id"] for p in posts}) == len(posts)


def test_label_rules(posts):
    for p in posts:
        if not p["relevant"]:
            # An accident in 大理 is not Mile's: irrelevant posts are never alerts.
            assert p["level"] == "none" and p["categories"] == [] and p["spots"] == [], p["id"]
            assert p["trap"], p["id"]
        else:
            assert p["trap"] is None, p["id"]
        # A level is only set when there is a risk category to act on, and vice versa.
        assert (p["level"] == "none") == (p["categories"] == []), p["id"]


def test_spot_labels_are_named_in_the_text(posts):
    gaz = load_gazetteer()
    names = {s.name: [normalize_text(n) for n in (s.name, *s.aliases)] for s in gaz.spots}
    for p in posts:
        text = normalize_text(p["text"])
        for spot in p["spots"]:
            assert any(n in text for n in names[spot]), (p["id"], spot)


def test_traps_carry_their_decoys(posts):
    for p in posts:
        text = normalize_text(p["text"])
        if p["trap"] == "maitreya":
            assert "弥勒" in text, p["id"]
        if p["trap"] == "other_city_spot":
            assert any(n in text for n in ("太平湖", "白龙洞", "锦屏山")), p["id"]


def test_coverage(posts):
    assert len(posts) >= 2500
    levels = Counter(p["level"] for p in posts)
    assert levels["high"] >= 400
    assert min(levels[lv] for lv in LEVELS) >= 300
    cats = Counter(c for p in posts for c in p["categories"])
    assert min(cats[c] for c in CATEGORIES) >= 200, cats
    assert sum(1 for p in posts if len(p["categories"]) >= 2) >= 100
    traps = Counter(p["trap"] for p in posts if p["trap"])
    assert all(traps[t] >= 150 for t in TRAPS), traps
    styles = Counter(p["style"] for p in posts)
    assert min(styles[s] for s in STYLES) >= 100, styles
    sentiments = Counter(p["sentiment"] for p in posts)
    assert min(sentiments.values()) >= 500
    relevant_none = sum(1 for p in posts if p["relevant"] and p["level"] == "none")
    assert relevant_none >= 600
    assert sum(1 for p in posts if p["id"].startswith("hw-")) >= 150
    assert sum(1 for p in posts if p["relevant"] and not p["spots"]) >= 200  # township or city only
    assert sum(1 for p in posts if len(p["spots"]) >= 2) >= 50


def test_every_split_is_stratified(posts):
    n = len(posts)
    for split, share in build.SHARE.items():
        part = [p for p in posts if p["split"] == split]
        assert abs(len(part) / n - share) < 0.03, split
        levels = Counter(p["level"] for p in part)
        cats = Counter(c for p in part for c in p["categories"])
        assert all(levels[lv] >= 40 for lv in LEVELS), (split, levels)
        assert all(cats[c] >= 25 for c in CATEGORIES), (split, cats)
        assert sum(1 for p in part if not p["relevant"]) >= 100


def test_no_near_duplicates_across_splits(posts):
    owner: dict[str, str] = {}
    for p in posts:
        key = build.dedup_key(p["text"])
        assert owner.setdefault(key, p["split"]) == p["split"], p["id"]


def test_regenerating_gives_the_same_file(tmp_path):
    out = tmp_path / "posts.jsonl"
    build.main(["--out", str(out)])
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    expected = hashlib.sha256(DATA.read_bytes()).hexdigest()
    assert digest == expected, "stale file: run python -m models.training.templates.build --readme"


def test_surface_phenomena_are_present(posts):
    texts = [p["text"] for p in posts]
    assert sum(1 for p in posts if build.is_traditional(p)) >= 100
    assert sum(1 for t in texts if "#" in t) >= 1000
    assert sum(1 for t in texts if "@" in t) >= 300
    assert sum(1 for t in texts if normalize_text(t) != t and "[" in normalize_text(t)) >= 800  # emoji
    assert any("太值了" in p["text"] and p["sentiment"] == "neg" for p in posts)  # sarcasm
    assert sum(1 for p in posts if "一点都不坑" in p["text"] and p["sentiment"] == "pos") >= 5  # negation
    lengths = sorted(len(t) for t in texts)
    assert lengths[len(lengths) // 10] < 40 and lengths[-len(lengths) // 20] > 90


def test_alarming_words_are_not_labels(posts):
    """救命 / 吓死 / 人山人海 appear in harmless posts too, and most high posts do without them."""
    for word in ("救命", "吓死", "笑死", "人山人海", "要命"):
        assert any(word in p["text"] and p["level"] in ("none", "low") for p in posts), word
    high = [p for p in posts if p["level"] == "high"]
    loud = sum(1 for p in high if any(w in p["text"] for w in ("救命", "快来人", "求扩散", "🆘")))
    assert loud / len(high) < 0.3
    assert sum(1 for p in high if p["sentiment"] == "neu") >= 50  # calm notices and factual witnesses
