"""The hand-written training posts (models/data/written/*.jsonl) and their validating loader."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from models.data.written import FIELDS, InvalidWrittenPosts, load_written, split_of
from yuqing.text import normalize_text

MIN_POSTS = 3000  # issue 11: at least 3,000 individually written posts (writers wa and wb)

GOOD = {
    "id": "t-0001",
    "text": "湖泉生态园的温泉泡得很舒服，下次还来",
    "style": "xiaohongshu",
    "relevant": True,
    "spots": ["湖泉生态园"],
    "sentiment": "pos",
    "categories": [],
    "level": "none",
    "trap": None,
}
RISK = {
    "id": "t-0002",
    "text": "刚刚红河水乡码头有小孩落水了，快来人",
    "style": "weibo",
    "relevant": True,
    "spots": ["红河水乡"],
    "sentiment": "neg",
    "categories": ["safety"],
    "level": "high",
    "trap": None,
}
TRAP = {
    "id": "t-0003",
    "text": "家里请了一尊弥勒佛摆件，笑眯眯的",
    "style": "weibo",
    "relevant": False,
    "spots": [],
    "sentiment": "pos",
    "categories": [],
    "level": "none",
    "trap": "maitreya",
}


@pytest.fixture(scope="module")
def posts() -> list[dict]:
    return load_written()


def test_all_files_load_and_are_enough(posts):
    assert len(posts) >= MIN_POSTS
    assert all(set(p) == {*FIELDS, "split"} for p in posts)


def test_split_is_a_stable_share_of_the_text(posts):
    splits = Counter(p["split"] for p in posts)
    assert set(splits) == {"train", "dev"}
    assert 0.10 < splits["dev"] / len(posts) < 0.20
    for p in posts[:50]:
        assert p["split"] == split_of(normalize_text(p["text"]))


def test_every_kind_of_post_is_there(posts):
    levels = Counter(p["level"] for p in posts if p["relevant"])
    for level in ("none", "low", "medium", "high"):
        assert levels[level] >= 0.08 * len(posts), level
    assert {c for p in posts for c in p["categories"]} == {
        "public_order",
        "traffic",
        "safety",
        "consumer",
        "health",
        "disaster",
        "police",
        "environment",
    }
    assert sum(not p["relevant"] for p in posts) >= 0.15 * len(posts)


def _write(folder: Path, name: str, rows: list[object]) -> Path:
    path = folder / name
    path.write_text(
        "".join((r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in rows),
        encoding="utf-8",
    )
    return path


def test_good_lines_load_with_a_split(tmp_path):
    _write(tmp_path, "a.jsonl", [GOOD, RISK, "", TRAP])
    loaded = load_written(tmp_path)
    assert [p["id"] for p in loaded] == ["t-0001", "t-0002", "t-0003"]
    assert all(p["split"] in {"train", "dev"} for p in loaded)


BAD_LINES = [
    ("{not json", "not JSON"),
    ([1, 2], "not a JSON object"),
    ({k: v for k, v in GOOD.items() if k != "style"}, "missing keys ['style']"),
    ({**GOOD, "split": "train"}, "unknown keys ['split']"),
    ({**GOOD, "text": "  "}, "text must be"),
    ({**GOOD, "id": ""}, "id must be"),
    ({**GOOD, "style": "twitter"}, "style 'twitter'"),
    ({**GOOD, "relevant": "yes"}, "relevant must be"),
    ({**GOOD, "sentiment": "positive"}, "sentiment 'positive'"),
    ({**GOOD, "level": "critical", "categories": ["safety"]}, "level 'critical'"),
    ({**RISK, "categories": ["fire"]}, "categories ['fire']"),
    ({**RISK, "categories": ["safety", "safety"]}, "categories ['safety', 'safety']"),
    ({**GOOD, "spots": ["湖泉"]}, "not canonical spot names"),
    ({**GOOD, "spots": ["洱海"]}, "not canonical spot names"),
    ({**RISK, "level": "none"}, "level is none exactly when no category"),
    ({**GOOD, "level": "low"}, "level is none exactly when no category"),
    ({**RISK, "relevant": False, "trap": "other_city_incident"}, "irrelevant post has level none"),
    ({**TRAP, "spots": ["锦屏山"]}, "irrelevant post has level none"),
    ({**TRAP, "trap": None}, "needs a trap"),
    ({**TRAP, "trap": "elsewhere"}, "needs a trap"),
    ({**GOOD, "trap": "maitreya"}, "relevant post has trap null"),
]


@pytest.mark.parametrize(("row", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_each_bad_line_is_named_with_file_and_line(tmp_path, row, message):
    path = _write(tmp_path, "w.jsonl", [GOOD, row])
    with pytest.raises(InvalidWrittenPosts) as info:
        load_written(tmp_path)
    problems = info.value.problems
    assert {(f, n) for f, n, _ in problems} == {(str(path), 2)}
    assert any(message in m for _, _, m in problems), problems
    assert "w.jsonl:2: " in str(info.value)


def test_ids_are_unique_across_files(tmp_path):
    _write(tmp_path, "a.jsonl", [GOOD])
    b = _write(tmp_path, "b.jsonl", [{**RISK, "id": GOOD["id"]}])
    with pytest.raises(InvalidWrittenPosts) as info:
        load_written(tmp_path)
    [(file, line, message)] = info.value.problems
    assert (file, line) == (str(b), 1)
    assert "already used at a.jsonl:1" in message


def test_duplicate_texts_are_caught_after_normalisation(tmp_path):
    # Traditional script and half-width punctuation normalise to the same text.
    twin = {**GOOD, "id": "t-0009", "text": "湖泉生態園的溫泉泡得很舒服,下次還來"}
    assert normalize_text(twin["text"]) == normalize_text(GOOD["text"])
    _write(tmp_path, "a.jsonl", [GOOD, RISK])
    b = _write(tmp_path, "b.jsonl", [TRAP, twin])
    with pytest.raises(InvalidWrittenPosts) as info:
        load_written(tmp_path)
    assert info.value.problems == [(str(b), 2, "same text (normalised) as a.jsonl:1")]

    _write(tmp_path, "a.jsonl", [GOOD, {**RISK, "id": "t-0005", "text": GOOD["text"]}])
    (tmp_path / "b.jsonl").unlink()
    with pytest.raises(InvalidWrittenPosts, match=r"a\.jsonl:2: same text"):
        load_written(tmp_path)


def test_every_bad_line_is_reported_not_only_the_first(tmp_path):
    _write(tmp_path, "a.jsonl", [{**GOOD, "style": "x"}, RISK, {**TRAP, "trap": None}])
    with pytest.raises(InvalidWrittenPosts) as info:
        load_written(tmp_path)
    assert sorted({n for _, n, _ in info.value.problems}) == [1, 3]


def test_counts_command_prints_each_slice(tmp_path, capsys):
    from models.data.written.__main__ import main

    _write(tmp_path, "a.jsonl", [GOOD, RISK, TRAP])
    assert main([str(tmp_path)]) == 0
    lines = {
        " ".join(line.split()[:-1]): int(line.split()[-1]) for line in capsys.readouterr().out.splitlines()
    }
    assert lines["all"] == 3
    assert lines["irrelevant"] == 1
    assert lines["level high"] == 1
    assert lines["trap maitreya"] == 1
    assert lines["main spot 湖泉生态园"] == 1
