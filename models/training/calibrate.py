"""Temperatures and decision thresholds fitted on the dev splits, stored in the checkpoint's config.

The posts' dev split is written, natural text (models/data/written, by the training writers, never the
frozen natural test set), so everything here is fitted on text like the feeds, not on templates.
- `mix_relevance`, `mix_level`, `mix_categories` (with n-gram heads, models/runtime/ngram.py): how much of
  each head's logits come from the n-gram heads, the least dev log-loss (jointly with the temperature below);
- `temperature_relevance`, `temperature_level`: the temperatures with the least dev log-loss (relevance on
  every dev post, level on the relevant ones); everything below reads the calibrated probabilities;
- `relevance` / `relevance_strict`: the best dev accuracy of the gazetteer+model rule
  (models/runtime/relevance.py) for posts with clear Mile evidence, and for ambiguous or mixed ones (never
  below `relevance`);
- `high`, `high_needs_term`, `high_max_pos`: the whole pipeline's `high` decision (relevant, P(high), the
  evidence it needs) with the best dev precision among the settings whose dev recall of `high` reaches
  `HIGH_RECALL` (a margin over the product's 0.95: dev is small); if none does, the best recall;
- `category` and `category_lexicon`: one threshold for all eight category scores and the weight of the risk
  lexicon blended into them (models/runtime/relevance.py `fused_categories`), the best dev micro-F1;
- `wide_mix`, `sentiment_bias` (ensemble checkpoints): the weight of the n-gram logits beside the encoder's
  and a shift of the neg/pos logits, from a logistic regression on the dev reviews (moved into the config);
- `mix_sentiment` (with an n-gram sentiment head): how much of the reported sentiment's log-probabilities
  come from that head, the least log-loss on the dev reviews, dev posts and iNews DEV together.
"""

from __future__ import annotations

import numpy as np

from models.runtime.heads import RISK_CATEGORIES, RISK_LEVELS
from models.runtime.lexicon import names_incident, risk_terms
from models.runtime.ngram import blend, blended, with_sentiment
from models.runtime.relevance import (
    DEFAULTS,
    calibrated,
    decide_level,
    decide_relevance,
    evidence,
    fused_categories,
    high_support,
)
from models.training.metrics import micro_f1

HIGH_RECALL = 0.97
GRID = [round(x, 2) for x in np.arange(0.05, 0.96, 0.05)]
TEMPERATURES = [round(x, 2) for x in np.arange(0.3, 5.01, 0.05)]
MIXES = [round(x, 2) for x in np.arange(0.0, 1.001, 0.05)]
LEXICON_WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def calibrate(
    model, review_dev, tour_dev, pad_id: int, ngram=None, sentiment_ngram=None, news_dev=()
) -> dict[str, float]:
    """The thresholds for `model` (and its n-gram heads, models/runtime/ngram.py, when given) from the dev
    splits (`news_dev`: the iNews DEV items, read only for the sentiment mixture)."""
    from models.training.finetune import predict
    from yuqing.gazetteer import default_matcher

    th = dict(DEFAULTS)
    if getattr(model.config, "wide_style", "") == "ensemble" and review_dev:
        th.update(_sentiment_mix(predict(model, review_dev, pad_id), np.array([i.sent for i in review_dev])))
        # the posts below are read with the sentiment the scorer will report (the `high` policy reads P(pos))
        model.config.wide_mix = th.get("wide_mix", model.config.wide_mix)
        model.config.sentiment_bias = th.get("sentiment_bias", model.config.sentiment_bias)
    if not tour_dev:
        return th
    p = predict(model, tour_dev, pad_id)
    gold_rel = np.array([i.rel for i in tour_dev])
    rel_idx = [k for k, i in enumerate(tour_dev) if i.level >= 0]
    gold_level = np.array([tour_dev[k].level for k in rel_idx])
    pn = ngram.probabilities([i.text for i in tour_dev]) if ngram is not None else None
    if pn is None:
        th["temperature_relevance"] = fit_temperature(p["relevance"], gold_rel, binary=True)
        th["temperature_level"] = fit_temperature(p["level"][rel_idx], gold_level)
    else:
        th["mix_relevance"], th["temperature_relevance"] = fit_mix(
            p["relevance"], pn["relevance"], gold_rel, binary=True
        )
        th["mix_level"], th["temperature_level"] = fit_mix(
            p["level"][rel_idx], pn["level"][rel_idx], gold_level
        )
        th["mix_categories"] = _category_mix(
            p["categories"][rel_idx], pn["categories"][rel_idx], [tour_dev[k] for k in rel_idx]
        )
        p = blended(p, pn, th)
    if sentiment_ngram is not None:
        ps = sentiment_ngram.probabilities([i.text for i in tour_dev])["sentiment"]
        others = list(review_dev) + list(news_dev)
        th["mix_sentiment"] = _sentiment_ngram_mix(model, others, pad_id, p, ps, tour_dev, sentiment_ngram)
        p = with_sentiment(p, ps, "sentiment_wide", th)
    p = calibrated(p, th)
    matcher = default_matcher()
    matches = [matcher.match(i.text, normalized=True) for i in tour_dev]
    kinds = np.array([evidence(m) for m in matches])
    pr = p["relevance"]

    def acc(mask, t):
        return float(((pr[mask] >= t).astype(int) == gold_rel[mask]).mean()) if mask.any() else 0.0

    clear = kinds == "mile"
    th["relevance"] = max(GRID, key=lambda t: (acc(clear, t), -abs(t - 0.5)))
    unclear = np.isin(kinds, ["ambiguous", "mixed"])
    strict_grid = [t for t in GRID if t >= th["relevance"]]
    th["relevance_strict"] = max(strict_grid, key=lambda t: (acc(unclear, t), t))
    th.update(_high_policy(p, tour_dev, matches, th))
    th["category_lexicon"], th["category"] = _category_thresholds(
        p["categories"][rel_idx], [tour_dev[k] for k in rel_idx]
    )
    return {k: v if isinstance(v, list) else float(v) for k, v in th.items()}


def fit_temperature(p: np.ndarray, gold: np.ndarray, binary: bool = False) -> float:
    """The temperature (grid 0.3–5) with the least log-loss of `gold` under the tempered probabilities."""
    return _tempered(p, gold, binary)[1]


def fit_mix(
    encoder: np.ndarray, ngram: np.ndarray, gold: np.ndarray, binary: bool = False
) -> tuple[float, float]:
    """(mix, temperature) of the blended head (models/runtime/ngram.py `blend`) with the least dev log-loss;
    ties go to the smaller mix (the encoder alone unless the n-grams measurably help)."""
    if len(gold) == 0:
        return 0.0, 1.0
    fits = [(*_tempered(blend(encoder, ngram, m, binary), gold, binary), m) for m in MIXES]
    best = min(fits, key=lambda f: (f[0], f[2]))
    return best[2], best[1]


def _tempered(p: np.ndarray, gold: np.ndarray, binary: bool) -> tuple[float, float]:
    """(least log-loss, its temperature) over the grid."""
    from models.runtime.relevance import with_temperature

    if len(gold) == 0:
        return 0.0, 1.0

    def nll(t: float) -> float:
        q = with_temperature(p, t, binary)
        if binary:
            return float(-np.mean(np.log(np.where(gold == 1, q, 1 - q) + 1e-9)))
        return float(-np.mean(np.log(q[np.arange(len(gold)), gold] + 1e-9)))

    t = min(TEMPERATURES, key=lambda t: (nll(t), abs(t - 1.0)))
    return nll(t), t


def _category_mix(encoder: np.ndarray, ngram: np.ndarray, items) -> float:
    """The mix of the category sigmoids with the least dev log-loss (summed over the eight)."""
    gold = np.array([[v > 0 for v in i.cats] for i in items])
    if not len(gold):
        return 0.0

    def nll(m: float) -> float:
        q = blend(encoder, ngram, m, binary=True)
        return float(-np.mean(np.log(np.where(gold, q, 1 - q) + 1e-9)))

    return min(MIXES, key=lambda m: (nll(m), m))


def _high_policy(p: dict[str, np.ndarray], items, matches, th: dict) -> dict[str, float]:
    """`high`, `high_needs_term`, `high_max_pos`: the pipeline's best dev precision of `high` at recall ≥
    `HIGH_RECALL` (else the best recall), decided as the scorer decides (relevance, evidence, level)."""
    levels = list(RISK_LEVELS)
    hi = levels.index("high")
    gold = np.array([i.level == hi for i in items])
    relevant = np.array(
        [decide_relevance(m, float(r), th)[0] for m, r in zip(matches, p["relevance"], strict=True)]
    )
    incident = [names_incident(risk_terms(i.text)) for i in items]
    p_pos = p["sentiment_wide"][:, 2]
    if not gold.any():
        return {}
    results = []
    for needs in (0.0, 1.0):
        for max_pos in (1.01, 0.9, 0.7, 0.5):
            for t in [x / 100 for x in range(5, 96, 5)]:
                cand = {**th, "high": t, "high_needs_term": needs, "high_max_pos": max_pos}
                pred = np.array(
                    [
                        rel
                        and decide_level(lv, levels, cand, high_support(inc, float(pp), cand))[0] == "high"
                        for rel, lv, inc, pp in zip(relevant, p["level"], incident, p_pos, strict=True)
                    ]
                )
                tp = float((pred & gold).sum())
                recall = tp / gold.sum()
                precision = tp / pred.sum() if pred.any() else 0.0
                results.append((recall, precision, t, needs, max_pos))
    ok = [r for r in results if r[0] >= HIGH_RECALL]
    # ties: the higher threshold, then the fewer extra conditions
    best = (
        max(ok, key=lambda r: (r[1], r[0], r[2], -r[3], r[4]))
        if ok
        else max(results, key=lambda r: (r[0], r[1], r[2]))
    )
    return {"high": best[2], "high_needs_term": best[3], "high_max_pos": best[4]}


def _sentiment_mix(pr: dict[str, np.ndarray], gold: np.ndarray) -> dict:
    """`wide_mix` and `sentiment_bias` from a two-feature logistic regression on dev (neg vs pos).

    Features: each part's log-odds of pos over neg. Dividing by the encoder's coefficient gives the n-gram
    weight and the intercept in the encoder's units; the intercept is split evenly between neg and pos so
    `neu` keeps its place. Falls back to no shift and a weight of 1 if the fit is degenerate."""
    from sklearn.linear_model import LogisticRegression

    def odds(p):
        return np.log(p[:, 2] + 1e-9) - np.log(p[:, 0] + 1e-9)

    x = np.stack([odds(pr["sentiment"]), odds(pr["sentiment_ngram"])], axis=1)
    y = gold == 2
    if len(set(y.tolist())) < 2:
        return {"wide_mix": 1.0}
    fit = LogisticRegression(C=1.0).fit(x, y)
    a, b = fit.coef_[0]
    if a <= 0 or b < 0:
        return {"wide_mix": 1.0}
    shift = float(fit.intercept_[0] / a)
    return {"wide_mix": float(b / a), "sentiment_bias": [-shift / 2, 0.0, shift / 2]}


def _sentiment_ngram_mix(
    model, others, pad_id: int, p: dict, ps: np.ndarray, tour_dev, sentiment_ngram
) -> float:
    """`mix_sentiment`: the n-gram sentiment's weight in the reported head, on the dev reviews and news
    (`others`) and the dev posts (`p`: their probabilities, read after `wide_mix` and `sentiment_bias`;
    `ps`: their n-gram sentiment)."""
    from models.training.finetune import predict

    encoder, ngram = p["sentiment_wide"], ps
    if others:
        encoder = np.concatenate([predict(model, others, pad_id)["sentiment_wide"], encoder])
        ngram = np.concatenate([sentiment_ngram.probabilities([i.text for i in others])["sentiment"], ngram])
    gold = np.array([i.sent for i in list(others) + list(tour_dev)])
    return fit_mix(encoder, ngram, gold)[0]


def _category_thresholds(probs: np.ndarray, items) -> tuple[float, float]:
    """(lexicon weight, threshold) with the best dev micro-F1 of the fused category scores."""
    names = list(RISK_CATEGORIES)
    gold = [{names[j] for j, v in enumerate(i.cats) if v > 0} for i in items]
    hits = [risk_terms(i.text).keys() for i in items]

    def f1(w, t):
        fused = [fused_categories(r, names, h, w) for r, h in zip(probs, hits, strict=True)]
        return micro_f1(gold, [{n for n, q in zip(names, f, strict=True) if q >= t} for f in fused])

    # ties go to the smaller weight: the model alone unless the lexicon measurably helps
    return max(((w, t) for w in LEXICON_WEIGHTS for t in GRID), key=lambda wt: (f1(*wt), -wt[0]))
