"""Relevance from the gazetteer and the model together, and the risk level from the level head.

The rule (thresholds come from the checkpoint's config, tuned on dev by models/calibrate.py):
- no Mile evidence at all (no city, township or spot name; 弥勒佛 and other decoys are masked out by the
  gazetteer) → not relevant, whatever the model says: the product is about Mile;
- unambiguous Mile evidence (弥勒, a township, a spot unique to Mile) → relevant when the model's
  probability reaches `relevance` (Mile school news names 弥勒 but is not tourism: the model decides);
- only an ambiguous spot (太平湖, 白龙洞, 锦屏山 exist elsewhere too), or Mile evidence beside another
  city's name (元阳, 建水, 杭州 …) → the stricter `relevance_strict`;
- recall first for emergencies: a post the level head calls `high` with probability ≥ `emergency`, that names
  a Mile place (or only an ambiguous spot with relevance ≥ `emergency_relevance`) and no other city, is
  relevant even below those thresholds. A false alarm about another town's 白龙洞 costs a duty officer a
  glance; a missed drowning at Mile's costs far more.
"""

from __future__ import annotations

from yuqing.gazetteer import PlaceMatch

DEFAULTS = {
    "relevance": 0.5,
    "relevance_strict": 0.7,
    "high": 0.3,
    "category": 0.5,
    "category_lexicon": 0.0,
    "emergency": 0.5,
    "emergency_relevance": 0.2,
}


def thresholds_of(config) -> dict[str, float]:
    return {**DEFAULTS, **(getattr(config, "thresholds", None) or {})}


def evidence(match: PlaceMatch) -> str:
    """none | ambiguous | mixed | mile: how strongly the gazetteer puts the post in Mile."""
    if not match.maybe_mile:
        return "none"
    if not match.in_mile:
        return "ambiguous"
    return "mixed" if match.elsewhere else "mile"


def decide_relevance(
    match: PlaceMatch, p_relevant: float, th: dict[str, float], p_high: float = 0.0
) -> tuple[bool, str]:
    """(relevant, the rule that decided) for one post."""
    kind = evidence(match)
    if kind == "none":
        return False, "no Mile place named" + (f" (decoy: {'、'.join(match.decoys)})" if match.decoys else "")
    t = th["relevance"] if kind == "mile" else th["relevance_strict"]
    plausible = kind == "mile" or p_relevant >= th["emergency_relevance"]
    if p_relevant < t and p_high >= th["emergency"] and plausible and not match.elsewhere:
        return True, f"possible emergency (P(high)={p_high:.2f}) at a Mile place: recall first"
    if kind == "mile":
        return p_relevant >= t, f"Mile named; model p={p_relevant:.2f} vs {t:.2f}"
    why = "only an ambiguous spot" if kind == "ambiguous" else f"also names {'、'.join(match.elsewhere)}"
    return p_relevant >= t, f"{why}; model p={p_relevant:.2f} vs stricter {t:.2f}"


def decide_level(p_level, levels: list[str], th: dict[str, float]) -> str:
    """`high` as soon as its probability reaches the (low, recall-first) threshold; else the argmax."""
    hi = levels.index("high")
    if p_level[hi] >= th["high"]:
        return "high"
    best = max((i for i in range(len(levels)) if i != hi), key=lambda i: p_level[i])
    return levels[best]


def fused_categories(p_cats, names: list[str], hits, weight: float) -> list[float]:
    """Each category's model probability blended with whether the risk lexicon fired for it.

    The tourism set's test events are written from other fragments than its training events, so the model
    meets unseen incident wording; the hand-written lexicon (models/lexicon.py) carries the domain's words
    for each category. `weight` (0 = model alone) is tuned on dev by models/calibrate.py."""
    return [(1 - weight) * float(p) + weight * (n in hits) for n, p in zip(names, p_cats, strict=True)]


def decide_categories(
    p_cats, names: list[str], level: str, th: dict[str, float], hits=frozenset()
) -> list[str]:
    scores = fused_categories(p_cats, names, hits, th["category_lexicon"])
    cats = [n for n, p in zip(names, scores, strict=True) if p >= th["category"]]
    if level != "none" and not cats:  # something to act on always says what kind of thing it is
        cats = [names[max(range(len(names)), key=lambda i: scores[i])]]
    return cats
