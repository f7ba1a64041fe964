"""The long and official natural set's loader (models/data/natural_long): the natural set's label rules plus
its own fields (title, context, thread, genre). Items here are written for the test, in a tmp file."""

from __future__ import annotations

import json

import pytest

from models.data.natural import NaturalSetError
from models.data.natural_long import load_long_test
from models.training.evaluate import LONG_MEASURES, format_table, load_long
from models.training.metrics import post_figures

THREAD = "湖泉生态园门口停车乱收费，一次二十，不给票"
GOOD = {
    "id": "lt-0001",
    "title": "湖泉生态园门口停车乱收费",
    "text": THREAD,
    "context": None,
    "thread": "lt-t01",
    "style": "tieba",
    "genre": "thread_post",
    "relevant": True,
    "spots": ["湖泉生态园"],
    "sentiment": "neg",
    "categories": ["consumer"],
    "level": "low",
    "trap": None,
    "split": "natural_long_test",
}
REPLY = {
    **GOOD,
    "id": "lt-0002",
    "title": None,
    "text": "顶",
    "context": THREAD,
    "genre": "thread_reply",
    "spots": [],
    "sentiment": "neu",
    "categories": [],
    "level": "none",
}


def _write(tmp_path, rows: list[dict]):
    path = tmp_path / "long.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_thread_and_the_same_reply_under_another_thread_load(tmp_path):
    other = {**REPLY, "id": "lt-0003", "context": "红河水乡烤鱼店宰客", "thread": "lt-t02"}
    items = load_long_test(_write(tmp_path, [GOOD, REPLY, other]))
    assert [i["id"] for i in items] == ["lt-0001", "lt-0002", "lt-0003"]


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"genre": "tweet"}, "genre"),
        ({"context": None}, "reply without the text it answers"),
        ({"split": "natural_test"}, "split"),
        ({"style": "twitter"}, "style"),
        ({"level": "medium"}, "level none"),  # the natural set's rules hold here too
    ],
)
def test_loader_refuses_a_broken_item(tmp_path, change, why):
    with pytest.raises(NaturalSetError, match=why):
        load_long_test(_write(tmp_path, [GOOD, {**REPLY, **change}]))


def test_a_missing_or_broken_set_is_one_line_in_the_table(tmp_path):
    items, line = load_long(tmp_path / "absent.jsonl")
    assert items is None and line.startswith("long and official natural set: not present")
    items, line = load_long(_write(tmp_path, [{**GOOD, "genre": "tweet"}]))
    assert items is None and "invalid" in line
    rows = [{"task": "_long_missing", "system": line}]
    assert line in format_table(rows).splitlines()


def test_benign_items_rated_medium_or_high_are_a_share_of_the_benign_relevant_ones():
    gold = [{"relevant": True, "level": "none", "categories": [], "sentiment": "neu"}] * 4
    gold += [{"relevant": True, "level": "medium", "categories": ["safety"], "sentiment": "neg"}]
    pred = [{"relevant": True, "level": lv, "categories": [], "sentiment": "neu"} for lv in ("medium", "low")]
    pred += [{"relevant": True, "level": "none", "categories": [], "sentiment": "neu"}] * 2
    pred += [{"relevant": True, "level": "medium", "categories": ["safety"], "sentiment": "neg"}]
    assert post_figures(pred, gold)["benign_rated_medium_high"] == pytest.approx(1 / 4)
    assert "benign_rated_medium_high" in {m[0] for m in LONG_MEASURES}
