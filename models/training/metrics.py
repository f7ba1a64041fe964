"""Figures shared by training (dev selection), calibration and `yuqing eval`."""

from __future__ import annotations

import numpy as np

from models.runtime.heads import RISK_LEVELS


def micro_f1(gold: list[set], pred: list[set]) -> float:
    tp = sum(len(g & p) for g, p in zip(gold, pred, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold, pred, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold, pred, strict=True))
    return 2 * tp / max(1, 2 * tp + fp + fn)


def macro_f1(gold: list[int], pred: list[int]) -> float:
    f1s = []
    for c in sorted(set(gold)):
        tp = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p == c)
        fp = sum(1 for g, p in zip(gold, pred, strict=True) if g != c and p == c)
        fn = sum(1 for g, p in zip(gold, pred, strict=True) if g == c and p != c)
        f1s.append(2 * tp / max(1, 2 * tp + fp + fn))
    return float(np.mean(f1s))


def tourism_metrics(items, probs: dict[str, np.ndarray], th: dict | None = None) -> dict[str, float]:
    """Model-only figures on tourism items (relevance on all, level and categories on relevant ones)."""
    th = th or {"relevance": 0.5, "high": 0.5, "category": 0.5}
    rel_gold = np.array([i.rel for i in items])
    rel_acc = float(((probs["relevance"] >= th["relevance"]).astype(int) == rel_gold).mean())
    idx = [k for k, i in enumerate(items) if i.level >= 0]
    if not idx:
        return {"relevance_acc": rel_acc}
    hi = RISK_LEVELS.index("high")
    lv = probs["level"][idx]
    pred = np.where(lv[:, hi] >= th["high"], hi, lv.argmax(-1))
    gold = np.array([items[k].level for k in idx])
    high_recall = float((pred[gold == hi] == hi).mean()) if (gold == hi).any() else 1.0
    cats_p = probs["categories"][idx] >= th["category"]
    g_sets = [{j for j, v in enumerate(items[k].cats) if v > 0} for k in idx]
    p_sets = [set(np.flatnonzero(row).tolist()) for row in cats_p]
    return {
        "relevance_acc": rel_acc,
        "level_acc": float((pred == gold).mean()),
        "high_recall": high_recall,
        "category_micro_f1": micro_f1(g_sets, p_sets),
    }


def _mean(flags: list[bool]) -> float:
    return float(np.mean(flags)) if flags else float("nan")


def post_figures(pred: list[dict], gold: list[dict]) -> dict[str, float]:
    """What a duty room lives with, end to end: `pred` items carry relevant, level, categories and sentiment
    (a label) as a system outputs them; `gold` are labelled posts. An irrelevant gold post's level is `none`.

    false-high rate: the share of gold non-high posts (relevant or not) rated `high`; irrelevant posts rated
    medium/high: a count. Categories (micro-F1) and sentiment (3-way macro-F1): on the gold-relevant posts."""
    pairs = list(zip(pred, gold, strict=True))
    levels = [(p["level"], g["level"] if g["relevant"] else "none") for p, g in pairs]
    rel = [(p, g) for p, g in pairs if g["relevant"]]
    labels = ["neg", "neu", "pos"]
    return {
        "n": len(gold),
        "n_high": sum(g == "high" for _, g in levels),
        "n_irrelevant": len(pairs) - len(rel),
        "relevance_acc": _mean([p["relevant"] == g["relevant"] for p, g in pairs]),
        "high_recall": _mean([p == "high" for p, g in levels if g == "high"]),
        "high_precision": _mean([g == "high" for p, g in levels if p == "high"]),
        "false_high_rate": _mean([p == "high" for p, g in levels if g != "high"]),
        "irrelevant_rated_medium_high": sum(
            not g["relevant"] and p["level"] in ("medium", "high") for p, g in pairs
        ),
        "benign_rated_medium_high": _mean(
            [p["level"] in ("medium", "high") for p, g in rel if g["level"] == "none"]
        ),
        "level_acc": _mean([p == g for p, g in levels]),
        "category_micro_f1": (
            micro_f1([set(g["categories"]) for _, g in rel], [set(p["categories"]) for p, _ in rel])
            if rel
            else float("nan")
        ),
        "sentiment_macro_f1": (
            macro_f1(
                [labels.index(g["sentiment"]) for _, g in rel], [labels.index(p["sentiment"]) for p, _ in rel]
            )
            if rel
            else float("nan")
        ),
    }


def ece(confidence, correct, bins: int = 10) -> float:
    """Expected calibration error: |accuracy − mean confidence| per equal-width confidence bin, weighted by
    the bin's share of the predictions (confidence = the probability of the predicted class)."""
    conf = np.asarray(confidence, dtype=float)
    right = np.asarray(correct, dtype=float)
    if not len(conf):
        return float("nan")
    edges = np.minimum((conf * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        sel = edges == b
        if sel.any():
            total += sel.mean() * abs(right[sel].mean() - conf[sel].mean())
    return float(total)
