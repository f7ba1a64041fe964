"""The n-gram heads beside the encoder (models/runtime/ngram.py, fitted by models/training/ngram_fit.py) and
their mixture (models/training/calibrate.py `fit_mix`)."""

from __future__ import annotations

import numpy as np
import pytest

from models.runtime.heads import RISK_CATEGORIES, RISK_LEVELS
from models.runtime.ngram import (
    NGRAM_FILE,
    SENTIMENT_FILE,
    NgramHeads,
    blend,
    blended,
    char_ngrams,
    with_sentiment,
)
from models.training.ngram_fit import fit, fit_sentiment

# a small labelled set: incidents at Mile spots are relevant, the same words elsewhere are not
POSTS = [
    {"text": "弥勒湖泉生态园有人落水了，快来人", "relevant": True, "level": "high", "categories": ["safety"]},
    {"text": "红河水乡码头刚刚有小孩掉水里", "relevant": True, "level": "high", "categories": ["safety"]},
    {"text": "可邑小镇打架了，有人拿刀", "relevant": True, "level": "high", "categories": ["public_order"]},
    {"text": "锦屏山停车场收费太贵，宰客", "relevant": True, "level": "medium", "categories": ["consumer"]},
    {"text": "东风韵的饭店宰客，一盘菜三百", "relevant": True, "level": "medium", "categories": ["consumer"]},
    {"text": "湖泉的厕所有点脏", "relevant": True, "level": "low", "categories": ["health"]},
    {"text": "弥勒的温泉太舒服了，推荐", "relevant": True, "level": "none", "categories": []},
    {"text": "红河水乡夜景好美", "relevant": True, "level": "none", "categories": []},
    {"text": "大理洱海边有人落水了", "relevant": False, "level": "none", "categories": []},
    {"text": "昆明一中高考成绩公布", "relevant": False, "level": "none", "categories": []},
    {"text": "杭州西湖边打架了", "relevant": False, "level": "none", "categories": []},
    {"text": "弥勒佛像摆件包邮", "relevant": False, "level": "none", "categories": []},
] * 2  # min_df=2 keeps n-grams seen in two posts


@pytest.fixture(scope="module")
def heads() -> NgramHeads:
    return fit(POSTS, POSTS[:12], list(RISK_LEVELS), list(RISK_CATEGORIES))


def test_features_are_scikit_learns_tfidf(heads):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    vec.fit([p["text"] for p in POSTS])
    texts = ["弥勒湖泉  有人\n\n落水了 ABC", "湖泉湖泉湖泉的厕所", "", "完全无关的字"]
    names = vec.get_feature_names_out()
    for text, row in zip(texts, vec.transform(texts), strict=True):
        idx, val = heads.features(text)
        ours = dict(zip((names[i] for i in _columns(heads, idx, names)), val, strict=True))
        theirs = dict(zip(names[row.indices], row.data, strict=True))
        assert ours.keys() == theirs.keys()
        assert all(ours[k] == pytest.approx(theirs[k], abs=1e-9) for k in theirs)


def _columns(heads, idx, names):
    by_term = {t: i for i, t in enumerate(names)}
    terms = sorted(heads.vocabulary, key=heads.vocabulary.get)
    return [by_term[terms[i]] for i in idx]


def test_char_ngrams_lowercase_and_collapse_runs_of_whitespace():
    grams = char_ngrams("Ab  c")
    assert grams["a"] == 1 and grams["ab "] == 1 and "  " not in grams and grams[" "] == 1


def test_heads_learn_the_labels_and_shapes_match_the_encoders(heads):
    p = heads.probabilities(["弥勒湖泉生态园有人落水了，快来人", "昆明一中高考成绩公布"])
    assert p["relevance"].shape == (2,) and p["level"].shape == (2, 4) and p["categories"].shape == (2, 8)
    assert p["relevance"][0] > 0.5 > p["relevance"][1]
    assert p["level"][0].argmax() == RISK_LEVELS.index("high")
    assert p["categories"][0][RISK_CATEGORIES.index("safety")] > 0.5
    # categories no training post had stay at a constant, near zero
    assert p["categories"][0][RISK_CATEGORIES.index("disaster")] < 0.01


def test_save_and_load_round_trip(heads, tmp_path):
    assert NgramHeads.load(tmp_path) is None  # a checkpoint without n-gram heads: the encoder alone
    heads.save(tmp_path)
    assert (tmp_path / NGRAM_FILE).exists()
    again = NgramHeads.load(tmp_path)
    texts = ["锦屏山停车场收费太贵", "大理洱海边有人落水了"]
    a, b = heads.probabilities(texts), again.probabilities(texts)
    for k in a:  # weights stored as float16
        assert np.allclose(a[k], b[k], atol=2e-3)


def test_blend_ends_are_each_part_alone():
    enc, ngr = np.array([[0.7, 0.1, 0.1, 0.1]]), np.array([[0.1, 0.1, 0.1, 0.7]])
    assert np.allclose(blend(enc, ngr, 0.0), enc)
    assert np.allclose(blend(enc, ngr, 1.0), ngr)
    half = blend(enc, ngr, 0.5)
    assert np.allclose(half.sum(), 1.0) and half[0, 0] == pytest.approx(half[0, 3])
    assert blend(np.array([0.9]), np.array([0.1]), 0.5, binary=True)[0] == pytest.approx(0.5)
    th = {"mix_relevance": 1.0, "mix_level": 0.0, "mix_categories": 0.5}
    p = {"relevance": np.array([0.9]), "level": enc, "categories": np.array([[0.9]]), "sentiment": 1}
    n = {"relevance": np.array([0.2]), "level": ngr, "categories": np.array([[0.1]])}
    out = blended(p, n, th)
    assert out["relevance"][0] == pytest.approx(0.2) and np.allclose(out["level"], enc)
    assert out["categories"][0, 0] == pytest.approx(0.5) and out["sentiment"] == 1


def test_fit_mix_follows_the_better_part():
    from models.training.calibrate import fit_mix

    rng = np.random.default_rng(3)
    gold = rng.integers(0, 2, 1000)
    good = np.where(gold == 1, 0.9, 0.1)  # right every time, 90% sure
    noise = rng.random(1000)  # knows nothing
    mix, t = fit_mix(noise, good, gold, binary=True)
    assert mix >= 0.9 and t < 1.0  # right every time: sharper than 90 % is better
    mix, _ = fit_mix(good, noise, gold, binary=True)
    assert mix <= 0.1
    assert fit_mix(good, noise, np.array([], dtype=int), binary=True) == (0.0, 1.0)


def test_the_encoder_alone_has_thresholds_of_its_own():
    from types import SimpleNamespace

    from models.runtime.relevance import thresholds_of

    config = SimpleNamespace(
        thresholds={"high": 0.8, "mix_level": 0.9}, thresholds_encoder_alone={"high": 0.3}
    )
    assert thresholds_of(config)["high"] == 0.8 and thresholds_of(config)["mix_level"] == 0.9
    alone = thresholds_of(config, encoder_alone=True)
    assert alone["high"] == 0.3 and alone["mix_level"] == 0.0
    assert thresholds_of(SimpleNamespace(), encoder_alone=True)["high"] == 0.5  # the defaults


def test_a_label_the_training_posts_never_vary_gives_a_constant():
    from models.training.ngram_fit import _best_lr

    x = np.ones((4, 3))
    w, b = _best_lr(x, np.zeros(4, dtype=int), x, np.zeros(4, dtype=int))
    assert w.shape == (3, 1) and not w.any() and b[0] < -5
    w, b = _best_lr(x[:0], np.zeros(0, dtype=int), x[:0], np.zeros(0, dtype=int), classes=4)
    assert w.shape == (3, 4) and b.argmax() == 0  # no relevant post at all: level `none`


# reviews (neg 0 / pos 2, no neutral) and posts (neg / neu / pos) in one sentiment head
SENTIMENT = [
    ("质量太差了，退货", 0),
    ("服务态度差，再也不来", 0),
    ("湖泉的厕所太脏了，差评", 0),
    ("质量很好，推荐购买", 2),
    ("服务态度好，下次还来", 2),
    ("红河水乡夜景好美，推荐", 2),
    ("请问湖泉几点开门", 1),
    ("请问可邑小镇怎么坐车", 1),
] * 2


def test_the_sentiment_head_learns_its_labels_and_keeps_a_file_of_its_own(tmp_path):
    sent = fit_sentiment(SENTIMENT, SENTIMENT[:8])
    p = sent.probabilities(["服务态度差，质量太差", "夜景好美，推荐", "请问几点开门"])["sentiment"]
    assert p.shape == (3, 3) and np.allclose(p.sum(axis=1), 1.0)
    assert [int(r.argmax()) for r in p] == [0, 2, 1]
    sent.save(tmp_path, SENTIMENT_FILE)
    assert NgramHeads.load(tmp_path) is None  # the risk heads' file is another one
    again = NgramHeads.load(tmp_path, SENTIMENT_FILE)
    assert np.allclose(
        again.probabilities(["夜景好美"])["sentiment"],
        sent.probabilities(["夜景好美"])["sentiment"],
        atol=2e-3,
    )


def test_the_sentiment_mixture_moves_only_the_reported_head():
    enc, ngr = np.array([[0.6, 0.3, 0.1]]), np.array([[0.1, 0.2, 0.7]])
    p = {"sentiment": enc, "sentiment_wide": enc}
    assert with_sentiment(p, ngr, "sentiment_wide", {}) is p  # no `mix_sentiment`: the encoder's own
    out = with_sentiment(p, ngr, "sentiment_wide", {"mix_sentiment": 0.5})
    assert np.allclose(out["sentiment"], enc)  # the encoder alone stays for `yuqing eval`
    assert out["sentiment_wide"][0, 2] > enc[0, 2] and np.allclose(
        out["sentiment_wide"], blend(enc, ngr, 0.5)
    )
