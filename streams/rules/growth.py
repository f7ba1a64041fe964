"""`event_growth`: an event reaching N posts within T of its first sighting (a story spreading)."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from streams.rules.base import Context, Hit, Rule, RuleOptions, excerpt
from streams.rules.durations import Duration
from yuqing.schema import ScoredPost


class GrowthOptions(RuleOptions):
    min_posts: int = Field(5, ge=2)
    within: Duration = Field(1800.0, gt=0)
    relevant_only: bool = True


class EventGrowth(Rule):
    type_name = "event_growth"
    Options = GrowthOptions
    about_events = True

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        o: GrowthOptions = self.options  # type: ignore[assignment]
        event = ctx.event
        if event is None or (o.relevant_only and not event.get("relevant")):
            return []
        span = datetime.fromisoformat(event["last_seen"]) - datetime.fromisoformat(event["first_seen"])
        if event["post_count"] < o.min_posts or span.total_seconds() > o.within:
            return []
        return [
            Hit(
                scope=event["id"],
                summary=f"事件扩散（{event['post_count']} 条）：{excerpt(event['title'], 50)}",
                reason={"posts": event["post_count"], "minutes": round(span.total_seconds() / 60, 1)},
                post=post,
                categories=list(event.get("categories") or []),
                spots=list(event.get("spots") or []),
                jurisdiction=event.get("jurisdiction"),
            )
        ]
