"""Figures shared by training (dev selection), calibration and `yuqing eval`."""

from __future__ import annotations

import numpy as np

from models.heads import RISK_LEVELS


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
