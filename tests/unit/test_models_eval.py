"""The shipped model against the product's floors, measured in one run beside the baseline (as `yuqing eval`).

The floors on the natural test set are issue 11's goals: what a duty room needs from text no template wrote.
A goal the shipped model does not reach yet is an expected failure (strict: reaching it fails the test until
the mark is removed), so the gap stays visible in every test run instead of a floor lowered to the figure.
"""

from __future__ import annotations

import pytest

from models.cli import SHIPPED
from models.runtime.engine import ONNX_FILE

pytestmark = [
    pytest.mark.slow,  # trains the TF-IDF baselines (~1 min) and scores ~5,000 texts
    pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model"),
]
# measure → why the shipped model does not reach it yet (its `yuqing eval` table, models/README.md)
NOT_YET: dict[str, str] = {}


@pytest.fixture(scope="module")
def rows() -> list[dict]:
    from models.training.evaluate import evaluate_all

    return evaluate_all(SHIPPED, "onnx")


def _natural(rows: list[dict]) -> dict:
    return next(r for r in rows if r["task"] == "natural" and r["system"].startswith("scorer"))


GOALS = [
    ("relevance_acc", ">=", 0.95),
    ("high_recall", ">=", 0.95),
    ("high_precision", ">=", 0.80),
    ("false_high_rate", "<=", 0.03),
    ("irrelevant_rated_medium_high", "<=", 0),
    ("level_acc", ">=", 0.80),
    ("category_micro_f1", ">=", 0.75),
    ("sentiment_macro_f1", ">=", 0.85),
]


def _param(measure: str, op: str, goal: float):
    known = NOT_YET.get(measure)
    marks = pytest.mark.xfail(strict=True, reason=known) if known else ()
    return pytest.param(measure, op, goal, marks=marks)


@pytest.mark.parametrize("measure,op,goal", [_param(*g) for g in GOALS])
def test_natural_test_set_meets_the_goal(rows, measure, op, goal):
    value = _natural(rows)[measure]
    assert (value >= goal) if op == ">=" else (value <= goal), f"{measure} = {value} (goal {op} {goal})"


def test_recall_of_high_comes_with_precision(rows):
    """Never one without the other: the policy may not buy recall by rating everything high."""
    nat = _natural(rows)
    assert nat["high_recall"] >= 0.90 and nat["high_precision"] >= 0.60


def test_the_baseline_is_measured_on_the_same_posts(rows):
    natural = {r["system"].split(" [")[0]: r for r in rows if r["task"] == "natural"}
    scorer, base = natural["scorer"], natural["TF-IDF + LR (baseline)"]
    assert (scorer["n"], scorer["n_high"]) == (base["n"], base["n_high"])
    # the gazetteer + model relevance rule earns its keep
    assert scorer["relevance_acc"] > base["relevance_acc"]


def _reviews(rows: list[dict]) -> dict[str, float]:
    return {r["system"].split(" [")[0]: r["accuracy"] for r in rows if r["task"].startswith("sentiment")}


def test_sentiment_and_news_against_their_baselines(rows):
    reviews = _reviews(rows)
    assert 0.84 <= reviews["TF-IDF char 1-3gram + LR (baseline)"] <= 0.88
    assert reviews["BERT + n-gram heads (shipped)"] >= 0.84
    news = [r for r in rows if r["task"].startswith("news")]
    assert [r["system"].split(" [")[0].split(" (")[0] for r in news] == ["scorer", "TF-IDF + LR"]
    assert news[0]["accuracy"] >= 0.70 and news[1]["accuracy"] >= 0.65


def test_shipped_sentiment_beats_its_baseline_on_reviews(rows):
    reviews = _reviews(rows)
    assert reviews["BERT + n-gram heads (shipped)"] > reviews["TF-IDF char 1-3gram + LR (baseline)"]
    assert reviews["BERT + n-gram heads (shipped)"] > reviews["BERT encoder alone"]


@pytest.mark.xfail(
    strict=True, reason="0.8617: the n-gram sentiment head took it past the baseline, not to 0.88"
)
def test_shipped_sentiment_reaches_the_aim_on_reviews(rows):
    assert _reviews(rows)["BERT + n-gram heads (shipped)"] >= 0.88


def test_probabilities_are_calibrated_on_dev_and_on_unseen_text(rows):
    """An analyst reads P(relevant) and P(level) in `explain`: within three points of the truth on average.
    (The temperatures minimise log-loss, not ECE, so ECE need not fall exactly where they were fitted.)"""
    calib = {r["system"]: r for r in rows if r["task"] == "calibration"}
    for name in ("written dev: fitted temperatures", "natural test: fitted temperatures"):
        assert calib[name]["relevance_ece"] <= 0.03 and calib[name]["level_ece"] <= 0.03, name
    assert {"natural test: temperature 1", "written dev: temperature 1"} <= calib.keys()


def test_template_split_is_the_second_table(rows):
    template = [r for r in rows if r["task"] == "template"]
    assert [r["system"] for r in template] == ["scorer [onnx]", "BERT alone [onnx]", "TF-IDF + LR (baseline)"]
    assert template[0]["high_recall"] >= 0.85 and template[0]["relevance_acc"] >= 0.85


# issue 22's goals on the long and official natural set (first measured after the scorer's long-text windows
# and reply context were committed; `yuqing eval`, models/README.md): measure → why not yet
LONG_GOALS = [
    ("relevance_acc", ">=", 0.93),
    ("high_recall", ">=", 0.95),
    ("high_precision", ">=", 0.90),
    ("false_high_rate", "<=", 0.02),
    ("irrelevant_rated_medium_high", "<=", 0),
    ("benign_rated_medium_high", "<=", 0.02),
    ("sentiment_macro_f1", ">=", 0.80),
]
LONG_NOT_YET: dict[str, str] = {  # figures only: the set's errors are not read while the model changes
    "high_precision": "0.68: 73 items rated high, 50 of them high",
    "false_high_rate": "0.048: 23 of 481 non-high items rated high",
    "benign_rated_medium_high": "0.25: 50 of 200 relevant items labelled none rated medium or high",
    "sentiment_macro_f1": "0.66 (the baseline 0.63)",
}


def _long_param(measure: str, op: str, goal: float):
    known = LONG_NOT_YET.get(measure)
    marks = pytest.mark.xfail(strict=True, reason=known) if known else ()
    return pytest.param(measure, op, goal, marks=marks)


@pytest.mark.parametrize("measure,op,goal", [_long_param(*g) for g in LONG_GOALS])
def test_long_and_official_natural_set_meets_the_goal(rows, measure, op, goal):
    value = next(r for r in rows if r["task"] == "long" and r["system"].startswith("scorer"))[measure]
    assert (value >= goal) if op == ">=" else (value <= goal), f"{measure} = {value} (goal {op} {goal})"


@pytest.mark.xfail(strict=True, reason="3 of 45 non-high demo posts rated high (yuqing eval names them)")
def test_no_demo_post_is_a_false_high(rows):
    (demo,) = [r for r in rows if r["task"] == "demo"]
    assert demo["n"] == 52 and demo["false_high"] == []
