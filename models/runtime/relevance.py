"""The decisions on top of the heads: temperatures, relevance, the risk level (with its evidence), categories.

Every value here comes from the checkpoint's config (`thresholds`), fitted on the dev split of written,
natural posts by models/training/calibrate.py; `DEFAULTS` only stand in for a checkpoint that has none.

- Temperatures: the relevance logit and the level logits are divided by `temperature_relevance` /
  `temperature_level` (fitted for the least dev log-loss), so a probability of 0.9 means right nine times in
  ten on natural text, not on the templates the model saw. A small model is over-confident on text unlike
  its training data; the temperatures take that out before any threshold reads the numbers.
- Relevance: no Mile evidence at all (no city, township or spot name; 弥勒佛 and other decoys are masked out
  by the gazetteer) → not relevant, whatever the model says; unambiguous Mile evidence → relevant when the
  model's probability reaches `relevance` (Mile school news names 弥勒 but is not tourism: the model
  decides); only an ambiguous spot (太平湖, 白龙洞, 锦屏山 exist elsewhere too; 水乡 alone is how visitors
  write 红河水乡 and also any water town), or Mile beside another city's name → the stricter
  `relevance_strict`. There is no "recall first" override any more: it turned ordinary Mile news into
  emergencies whenever the level head met text unlike its training data.
- Level: `high` needs the (calibrated) P(high) ≥ `high` *and evidence* — an incident term of the risk
  lexicon in the text (`high_needs_term`) and a sentiment head that does not read the post as praise
  (P(pos) < `high_max_pos`): 篝火晚会太火爆了 has danger words and no incident. Unsupported, the post gets
  the most probable of the other levels. An irrelevant post is always `none`.
- Categories: the model's probability blended with the lexicon (`category_lexicon`), at most
  `MAX_CATEGORIES`, more only for categories whose own incident terms the text names.
"""

from __future__ import annotations

import numpy as np

from yuqing.gazetteer import PlaceMatch

DEFAULTS = {
    "relevance": 0.5,
    "relevance_strict": 0.7,
    "high": 0.5,
    "high_needs_term": 1.0,
    "high_max_pos": 0.5,
    "category": 0.5,
    "category_lexicon": 0.0,
    "temperature_relevance": 1.0,
    "temperature_level": 1.0,
    "mix_relevance": 0.0,
    "mix_level": 0.0,
    "mix_categories": 0.0,
}
MAX_CATEGORIES = 3
_EPS = 1e-7


def thresholds_of(config, encoder_alone: bool = False) -> dict[str, float]:
    """The checkpoint's fitted values; `encoder_alone`: those fitted for the encoder without its n-gram
    heads (models/runtime/ngram.py), stored beside them for `yuqing eval`'s comparison."""
    key = "thresholds_encoder_alone" if encoder_alone else "thresholds"
    return {**DEFAULTS, **(getattr(config, key, None) or {})}


def logits_of(p, binary: bool = False) -> np.ndarray:
    """Log-odds of sigmoid probabilities; log-probabilities of softmax ones (logits up to the constant the
    softmax ignores)."""
    p = np.asarray(p, dtype=np.float64)
    if binary:
        return np.log(np.clip(p, _EPS, 1)) - np.log(np.clip(1 - p, _EPS, 1))
    return np.log(np.clip(p, _EPS, 1))


def from_logits(z: np.ndarray, binary: bool = False) -> np.ndarray:
    """Sigmoid, or softmax over the last axis."""
    if binary:
        return 1 / (1 + np.exp(-z))
    z = np.exp(z - z.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def with_temperature(p: np.ndarray, temperature: float, binary: bool = False) -> np.ndarray:
    """Probabilities as if their logits had been divided by `temperature` (last axis for softmax heads)."""
    p = np.asarray(p, dtype=np.float64)
    if temperature == 1.0:
        return p
    return from_logits(logits_of(p, binary) / temperature, binary)


def calibrated(p: dict[str, np.ndarray], th: dict[str, float]) -> dict[str, np.ndarray]:
    """The heads' probabilities with the fitted temperatures applied to relevance and level."""
    out = dict(p)
    out["relevance"] = with_temperature(p["relevance"], th["temperature_relevance"], binary=True)
    out["level"] = with_temperature(p["level"], th["temperature_level"])
    return out


def evidence(match: PlaceMatch) -> str:
    """none | ambiguous | mixed | mile: how strongly the gazetteer puts the post in Mile."""
    if not match.maybe_mile:
        return "none"
    if not match.in_mile:
        return "ambiguous"
    return "mixed" if match.elsewhere else "mile"


def decide_relevance(match: PlaceMatch, p_relevant: float, th: dict[str, float]) -> tuple[bool, str]:
    """(relevant, the rule that decided) for one post."""
    kind = evidence(match)
    if kind == "none":
        return False, "no Mile place named" + (f" (decoy: {'、'.join(match.decoys)})" if match.decoys else "")
    if kind == "mile":
        t = th["relevance"]
        return p_relevant >= t, f"Mile named; model p={p_relevant:.2f} vs {t:.2f}"
    t = th["relevance_strict"]
    why = "only an ambiguous spot" if kind == "ambiguous" else f"also names {'、'.join(match.elsewhere)}"
    return p_relevant >= t, f"{why}; model p={p_relevant:.2f} vs stricter {t:.2f}"


def high_support(incident_terms: bool, p_positive: float, th: dict[str, float]) -> str | None:
    """None when the text supports `high`; otherwise what is missing (shown in `explain`)."""
    if th["high_needs_term"] and not incident_terms:
        return "no incident term in the text"
    if p_positive >= th["high_max_pos"]:
        return f"reads as praise (P(pos)={p_positive:.2f})"
    return None


def decide_level(
    p_level, levels: list[str], th: dict[str, float], missing: str | None = None
) -> tuple[str, str]:
    """(level, why): `high` when P(high) reaches its threshold and nothing is `missing`; else the argmax of
    the other levels."""
    hi = levels.index("high")
    p_high = float(p_level[hi])
    best = max((i for i in range(len(levels)) if i != hi), key=lambda i: p_level[i])
    if p_high >= th["high"]:
        if missing is None:
            support = " with incident evidence" if th["high_needs_term"] else ""
            return "high", f"P(high)={p_high:.2f} ≥ {th['high']:.2f}{support}"
        return levels[best], f"P(high)={p_high:.2f} but {missing}"
    return levels[best], f"P(high)={p_high:.2f} < {th['high']:.2f}"


def fused_categories(p_cats, names: list[str], hits, weight: float) -> list[float]:
    """Each category's model probability blended with whether the risk lexicon fired for it.

    `weight` (0 = model alone) is tuned on dev by models/training/calibrate.py."""
    return [(1 - weight) * float(p) + weight * (n in hits) for n, p in zip(names, p_cats, strict=True)]


def decide_categories(
    p_cats, names: list[str], level: str, th: dict[str, float], hits=frozenset()
) -> list[str]:
    scores = fused_categories(p_cats, names, hits, th["category_lexicon"])
    order = sorted(range(len(names)), key=lambda i: -scores[i])
    chosen = [i for i in order if scores[i] >= th["category"]]
    # at most three, unless the text itself names incidents of more kinds
    cats = [names[i] for k, i in enumerate(chosen) if k < MAX_CATEGORIES or names[i] in hits]
    if level != "none" and not cats:  # something to act on always says what kind of thing it is
        cats = [names[order[0]]]
    return cats
