"""The scorer's decision rules: category fusion with the risk lexicon, its calibration, the level rule."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from models.runtime.heads import RISK_CATEGORIES, RISK_LEVELS
from models.runtime.lexicon import risk_terms
from models.runtime.relevance import (
    DEFAULTS,
    MAX_CATEGORIES,
    calibrated,
    decide_categories,
    decide_level,
    decide_relevance,
    fused_categories,
    high_support,
    with_temperature,
)
from models.training.calibrate import _category_thresholds

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


def test_a_number_term_is_found_standing_alone_not_inside_a_price():
    assert "120" in risk_terms("有人摔下去了，快打120！")["safety"]
    assert risk_terms("急救电话0871-120")["safety"] == ["急救", "120"]
    assert risk_terms("锦屏山门票1200，看了个寂寞") == {}  # a price, not the ambulance


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


def test_high_wins_at_its_threshold_else_the_argmax():
    th = {**DEFAULTS, "high": 0.1}
    assert decide_level([0.5, 0.3, 0.08, 0.12], RISK_LEVELS, th)[0] == "high"
    assert decide_level([0.2, 0.5, 0.25, 0.05], RISK_LEVELS, th)[0] == "low"


def test_high_needs_evidence_in_the_text():
    th = {**DEFAULTS, "high": 0.5, "high_needs_term": 1.0, "high_max_pos": 0.5}
    p = [0.02, 0.03, 0.15, 0.8]
    # no incident term: the most probable other level, and `explain` says why
    missing = high_support(False, 0.1, th)
    level, why = decide_level(p, RISK_LEVELS, th, missing)
    assert level == "medium" and "no incident term" in why
    # praise with danger words (篝火晚会太火爆了): the sentiment head vetoes high
    missing = high_support(True, 0.93, th)
    assert decide_level(p, RISK_LEVELS, th, missing)[0] == "medium" and "praise" in missing
    # the evidence there: high
    assert high_support(True, 0.05, th) is None
    assert decide_level(p, RISK_LEVELS, th, None)[0] == "high"
    # a policy without the conditions (a deployment may turn them off)
    assert high_support(False, 0.99, {**th, "high_needs_term": 0.0, "high_max_pos": 1.01}) is None


def test_relevance_has_no_recall_first_override():
    from yuqing.gazetteer import default_matcher

    match = default_matcher().match("弥勒市召开全市安全生产工作会议")
    th = {**DEFAULTS, "relevance": 0.5}
    # a Mile place and a confident level head no longer make a post relevant: only the relevance model does
    assert decide_relevance(match, 0.3, th)[0] is False
    assert decide_relevance(match, 0.7, th)[0] is True
    # no Mile place at all: never relevant
    assert decide_relevance(default_matcher().match("杭州西湖有人落水"), 0.99, th)[0] is False


def test_a_short_alias_alone_needs_the_strict_relevance():
    from yuqing.gazetteer import default_matcher

    th = {**DEFAULTS, "relevance": 0.5, "relevance_strict": 0.9}
    alone = default_matcher().match("水乡码头那边有人落水了，快来人")  # 水乡: 红河水乡 or any water town
    assert decide_relevance(alone, 0.95, th)[0] is True
    relevant, why = decide_relevance(alone, 0.8, th)
    assert relevant is False and "ambiguous" in why
    # named with Mile it is 红河水乡 and the ordinary threshold applies
    assert decide_relevance(default_matcher().match("弥勒水乡码头有人落水"), 0.8, th)[0] is True


def test_at_most_three_categories_unless_the_text_names_more():
    th = {**DEFAULTS, "category": 0.3, "category_lexicon": 0.0}
    p = probs(safety=0.9, traffic=0.8, health=0.7, consumer=0.6, environment=0.5)
    assert decide_categories(p, NAMES, "high", th) == ["safety", "traffic", "health"]
    assert len(decide_categories(p, NAMES, "high", th)) == MAX_CATEGORIES
    # the fourth and fifth stay when the text names incidents of their kinds
    got = decide_categories(p, NAMES, "high", th, {"consumer", "environment"})
    assert got == ["safety", "traffic", "health", "consumer", "environment"]


def test_temperature_softens_an_overconfident_head_and_keeps_its_order():
    p = np.array([[0.01, 0.01, 0.02, 0.96], [0.7, 0.1, 0.1, 0.1]])
    soft = with_temperature(p, 2.0)
    assert np.allclose(soft.sum(axis=1), 1.0)
    assert soft[0, 3] < 0.96 and soft[0].argmax() == 3 and soft[1].argmax() == 0
    assert with_temperature(np.array([0.99]), 2.0, binary=True)[0] == pytest.approx(0.9083, abs=1e-3)
    th = {**DEFAULTS, "temperature_relevance": 1.0, "temperature_level": 2.0}
    out = calibrated({"relevance": np.array([0.99]), "level": p}, th)
    assert out["relevance"][0] == pytest.approx(0.99) and np.allclose(out["level"], soft)


def test_fitted_temperature_undoes_overconfidence():
    from models.training.calibrate import fit_temperature

    rng = np.random.default_rng(1)
    gold = rng.integers(0, 2, 2000)
    # right 75% of the time but always 97% sure
    right = rng.random(2000) < 0.75
    p = np.where(right == (gold == 1), 0.97, 0.03)
    t = fit_temperature(p, gold, binary=True)
    assert t > 2.0
    tempered = with_temperature(p, t, binary=True)
    assert abs(np.maximum(tempered, 1 - tempered).mean() - 0.75) < 0.05


def test_expected_calibration_error():
    from models.training.metrics import ece

    assert ece([0.9] * 10, [True] * 9 + [False]) == pytest.approx(0.0)
    assert ece([0.99] * 10, [True] * 5 + [False] * 5) == pytest.approx(0.49)


def test_sentiment_mix_fits_the_weight_and_the_shift_on_dev():
    from models.training.calibrate import _sentiment_mix

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


def test_high_policy_buys_precision_with_evidence_and_keeps_recall():
    from models.training.calibrate import _high_policy
    from yuqing.gazetteer import default_matcher

    hi = RISK_LEVELS.index("high")
    texts = ["弥勒湖泉有人落水了，快来人", "弥勒东风韵景区有人打架斗殴，有人受伤"] * 10
    texts += ["弥勒东风韵篝火晚会太火爆了，人山人海", "弥勒市召开全市经济工作会议"] * 10
    items = [SimpleNamespace(text=t, level=hi if k < 20 else 0) for k, t in enumerate(texts)]
    matches = [default_matcher().match(t) for t in texts]
    # the level head is sure of high everywhere: only the text's evidence tells the cases apart
    p = {
        "relevance": np.full(len(texts), 0.9),
        "level": np.array([[0.02, 0.02, 0.06, 0.9]] * len(texts)),
        "sentiment_wide": np.array([[0.8, 0.1, 0.1]] * len(texts)),
    }
    got = _high_policy(p, items, matches, dict(DEFAULTS))
    assert got["high_needs_term"] == 1.0
    # without that condition every post would be high: precision 0.5; with it, 1.0 at full recall
    th = {**DEFAULTS, **got}
    assert high_support(False, 0.1, th) is not None and high_support(True, 0.1, th) is None
