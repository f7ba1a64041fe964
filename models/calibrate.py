"""Decision thresholds tuned on the dev splits and stored in the checkpoint's config (`thresholds`).

- `relevance` / `relevance_strict`: the best dev accuracy of the gazetteer+model rule (models/relevance.py)
  for posts with clear Mile evidence, and for ambiguous or mixed ones (never below `relevance`);
- `high`: the largest threshold that still catches every dev `high` post (`HIGH_RECALL`: dev and test
  events are written from different fragments, so dev recall needs a margin) — recall first, because a
  missed emergency costs more than a false alarm;
- `category` and `category_lexicon`: one threshold for all eight category scores and the weight of the risk
  lexicon blended into them (models/relevance.py `fused_categories`), the best dev micro-F1;
- `wide_mix`, `sentiment_bias` (ensemble checkpoints): the weight of the n-gram logits beside the encoder's
  and a shift of the neg/pos logits, from a logistic regression on the dev reviews (moved into the config).
"""

from __future__ import annotations

import numpy as np

from models.heads import RISK_CATEGORIES, RISK_LEVELS
from models.lexicon import risk_terms
from models.metrics import micro_f1
from models.relevance import DEFAULTS, evidence, fused_categories

HIGH_RECALL = 1.0
GRID = [round(x, 2) for x in np.arange(0.05, 0.96, 0.05)]
LEXICON_WEIGHTS = [0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6]


def calibrate(model, review_dev, tour_dev, pad_id: int) -> dict[str, float]:
    from models.finetune import predict
    from yuqing.gazetteer import default_matcher

    th = dict(DEFAULTS)
    if getattr(model.config, "wide_style", "") == "ensemble" and review_dev:
        th.update(_sentiment_mix(predict(model, review_dev, pad_id), np.array([i.sent for i in review_dev])))
    if not tour_dev:
        return th
    p = predict(model, tour_dev, pad_id)
    matcher = default_matcher()
    kinds = np.array([evidence(matcher.match(i.text, normalized=True)) for i in tour_dev])
    gold = np.array([i.rel for i in tour_dev])
    pr = p["relevance"]

    def acc(mask, t):
        return float(((pr[mask] >= t).astype(int) == gold[mask]).mean()) if mask.any() else 0.0

    clear = kinds == "mile"
    th["relevance"] = max(GRID, key=lambda t: (acc(clear, t), -abs(t - 0.5)))
    unclear = np.isin(kinds, ["ambiguous", "mixed"])
    strict_grid = [t for t in GRID if t >= th["relevance"]]
    th["relevance_strict"] = max(strict_grid, key=lambda t: (acc(unclear, t), t))

    idx = [k for k, i in enumerate(tour_dev) if i.level >= 0]
    hi = RISK_LEVELS.index("high")
    lv = p["level"][idx]
    gold_lv = np.array([tour_dev[k].level for k in idx])
    high_p = lv[gold_lv == hi, hi]
    if len(high_p):
        # the largest t with recall >= HIGH_RECALL, capped at 0.5 (argmax territory)
        ok = [t for t in [x / 100 for x in range(2, 51)] if (high_p >= t).mean() >= HIGH_RECALL]
        th["high"] = max(ok) if ok else 0.02
    th["category_lexicon"], th["category"] = _category_thresholds(
        p["categories"][idx], [tour_dev[k] for k in idx]
    )
    return {k: v if isinstance(v, list) else float(v) for k, v in th.items()}


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
