"""The label vocabulary of every labelled post file (tourism, natural test, written), in one place."""

from __future__ import annotations

from yuqing.schema import RiskCategory, RiskLevel, SentimentLabel

SENTIMENTS = frozenset(str(s) for s in SentimentLabel)
LEVELS = frozenset(str(level) for level in RiskLevel)
CATEGORIES = frozenset(str(c) for c in RiskCategory)
TRAPS = frozenset(
    {
        "maitreya",
        "other_city_spot",
        "honghe_elsewhere",
        "mile_not_tourism",
        "other_city_incident",
        "other_city_tourism",
    }
)
