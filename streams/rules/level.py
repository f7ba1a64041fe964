"""`level`: a single post at or above a risk level, optionally with a minimum model confidence."""

from __future__ import annotations

from pydantic import Field

from streams.rules.base import Context, Hit, Rule, RuleOptions, excerpt
from yuqing.schema import RiskLevel, ScoredPost

ORDER = list(RiskLevel)


class LevelOptions(RuleOptions):
    level: RiskLevel
    min_confidence: float = Field(0.0, ge=0.0, le=1.0, description="P(level) from the model, at least")
    relevant_only: bool = True


class Level(Rule):
    type_name = "level"
    Options = LevelOptions

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        o: LevelOptions = self.options  # type: ignore[assignment]
        if o.relevant_only and not post.relevant:
            return []
        if ORDER.index(post.risk.level) < ORDER.index(o.level):
            return []
        probs = (post.explain.get("probabilities") or {}).get("level") or {}
        confidence = float(probs.get(str(post.risk.level), 1.0))
        if confidence < o.min_confidence:
            return []
        return [
            Hit(
                scope=post.event_id or post.id,
                summary=excerpt(post.title or post.text),
                reason={
                    "level": str(post.risk.level),
                    "confidence": round(confidence, 4),
                    "risk_score": post.risk.score,
                    "risk_terms": post.explain.get("risk_terms", {}),
                },
                post=post,
                categories=[str(c) for c in post.risk.categories],
            )
        ]
