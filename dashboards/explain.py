"""The scorer's `explain` as rows for the post page's Chinese panel (the raw JSON stays in the API).

Every value is plain text; the template escapes it. A part of `explain` this module does not know is left to
the panel's collapsed raw data rather than shown with an English key.
"""

from __future__ import annotations

from typing import Any

from dashboards.labels import label, rule_text

PLACE_KEYS = ("spots", "candidate_spots", "aliases", "city", "districts", "decoys", "elsewhere")
PROBABILITY_KEYS = ("relevance", "level", "categories", "sentiment", "sentiment_encoder_only")


def _percent(value: Any) -> str:
    try:
        return f"{float(value) * 100:.0f}%"
    except (TypeError, ValueError):
        return str(value)


def _words(value: Any) -> str:
    if isinstance(value, dict):  # aliases: canonical spot → the names the text used
        return "；".join(
            f"{k}（{'、'.join(map(str, v)) if isinstance(v, list) else v}）" for k, v in value.items()
        )
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    return str(value)


def _place(place: Any) -> list[tuple[str, str]]:
    if not isinstance(place, dict):
        return []
    return [(label(k), _words(place[k])) for k in PLACE_KEYS if place.get(k)]


def _terms(terms: Any) -> list[tuple[str, str]]:
    if not isinstance(terms, dict):
        return []
    return [(label(str(cat)), _words(found)) for cat, found in terms.items() if found]


def _probabilities(probs: Any) -> list[tuple[str, str]]:
    if not isinstance(probs, dict):
        return []
    rows = []
    for key in PROBABILITY_KEYS:
        value = probs.get(key)
        if isinstance(value, dict):
            ordered = sorted(value.items(), key=lambda kv: -float(kv[1] or 0))
            rows.append((label(key), "，".join(f"{label(k)} {_percent(v)}" for k, v in ordered)))
        elif value is not None:
            rows.append((label(key), _percent(value)))
    return rows


def explain_panel(explain: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Sections of the panel: each a title and either one sentence (`text`) or label/value `rows`."""
    explain = explain or {}
    sections: list[dict[str, Any]] = []
    for key in ("relevance_rule", "level_rule"):
        if isinstance(explain.get(key), str):
            sections.append({"title": label(key), "text": rule_text(explain[key])})
    for key, rows in (
        ("risk_terms", _terms(explain.get("risk_terms"))),
        ("place", _place(explain.get("place"))),
        ("probabilities", _probabilities(explain.get("probabilities"))),
    ):
        if rows:
            sections.append({"title": label(key), "rows": rows})
        elif key == "risk_terms" and "risk_terms" in explain:
            sections.append({"title": label(key), "text": "无"})
    extra = [(label(k), str(explain[k])) for k in ("model_windows", "runtime") if explain.get(k) is not None]
    if extra:
        sections.append({"title": "其他", "rows": extra})
    return sections
