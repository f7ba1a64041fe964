"""The scorer's decision rules: category fusion with the risk lexicon, its calibration, the level rule."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from models.calibrate import _category_thresholds
from models.heads import RISK_CATEGORIES, RISK_LEVELS
from models.lexicon import risk_terms
from models.relevance import DEFAULTS, decide_categories, decide_level, fused_categories

NAMES = list(RISK_CATEGORIES)


def probs(**by_name: float) -> list[float]:
    return [by_name.get(n, 0.0) for n in NAMES]


def test_weight_zero_is_the_model_alone():
    p = probs(safety=0.6, consumer=0.2)
    assert fused_categories(p, NAMES, {"consumer"}, 0.0) == p


def test_a_lexicon_hit_lifts_a_category_the_model_was_unsure_of():
    th = {**DEFAULTS, "category": 0.4, "category_lexicon": 0.3}
    p = probs(safety=0.7, health=0.2)
    assert decide_categories(p, NAMES, "high", th) == ["safety"]
    assert decide_categories(p, NAMES, "high", th, {"health"}) == ["safety", "health"]
    # a hit alone (model near zero) is not enough at this weight: the model still has a say
    assert decide_categories(p, NAMES, "high", th, {"police"}) == ["safety"]


def test_an_actionable_post_always_names_a_category():
    th = {**DEFAULTS, "category": 0.9, "category_lexicon": 0.2}
    assert decide_categories(probs(traffic=0.3, health=0.1), NAMES, "low", th) == ["traffic"]
    assert decide_categories(probs(traffic=0.3), NAMES, "none", th) == []


def test_lexicon_terms_are_found_in_normalised_text():
    hits = risk_terms("湖泉门口有人持刀抢包，还有人落水")
    assert "持刀" in hits["public_order"] and "落水" in hits["safety"]
    assert "environment" not in risk_terms("湖泉生态园的日落真美")  # a spot's name is not pollution


def test_calibration_picks_the_lexicon_only_when_it_helps():
    def item(text, cats):
        return SimpleNamespace(text=text, cats=[1.0 if n in cats else 0.0 for n in NAMES])

    items = [item("有人食物中毒了", {"health"}), item("游客被宰客", {"consumer"})] * 5
    # the model confuses the two; the lexicon knows
    confused = np.array([probs(health=0.3, consumer=0.3)] * 10)
    w, _ = _category_thresholds(confused, items)
    assert w > 0
    # a model that is already right keeps weight 0 (ties go to the model alone)
    right = np.array([probs(health=0.9), probs(consumer=0.9)] * 5)
    assert _category_thresholds(right, items)[0] == 0.0


def test_high_wins_at_its_low_threshold_else_the_argmax():
    th = {**DEFAULTS, "high": 0.1}
    assert decide_level([0.5, 0.3, 0.08, 0.12], RISK_LEVELS, th) == "high"
    assert decide_level([0.2, 0.5, 0.25, 0.05], RISK_LEVELS, th) == "low"


def test_sentiment_mix_fits_the_weight_and_the_shift_on_dev():
    from models.calibrate import _sentiment_mix

    rng = np.random.default_rng(0)
    gold = rng.integers(0, 2, 400) * 2  # neg 0 / pos 2
    signal = np.where(gold == 2, 1.0, -1.0)
    # the encoder is noisy and biased toward pos; the n-gram part is cleaner
    enc = signal + rng.normal(0.8, 1.5, 400)
    ngram = signal + rng.normal(0.0, 0.5, 400)

    def as_probs(odds):
        p = 1 / (1 + np.exp(-odds))
        return np.stack([1 - p, np.zeros_like(p), p], axis=1)

    fit = _sentiment_mix({"sentiment": as_probs(enc), "sentiment_ngram": as_probs(ngram)}, gold)
    assert fit["wide_mix"] > 1.0  # the cleaner part weighs more
    neg, neu, pos = fit["sentiment_bias"]
    assert pos < 0 < neg and neu == 0.0  # the encoder's lean toward pos is taken back
    assert _sentiment_mix({"sentiment": as_probs(enc), "sentiment_ngram": as_probs(ngram)}, gold * 0) == {
        "wide_mix": 1.0
    }
