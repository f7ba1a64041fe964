"""`negative_share`: the share of negative relevant posts about a spot over a window, with a minimum count."""

from __future__ import annotations

from pydantic import Field

from streams.rules import windows
from streams.rules.base import Context, Hit, Rule, RuleOptions
from streams.rules.durations import Duration
from yuqing.schema import ScoredPost


class NegativeOptions(RuleOptions):
    window: Duration = Field(3600.0, gt=0)
    share: float = Field(0.6, gt=0.0, le=1.0)
    min_count: int = Field(10, ge=1)


class NegativeShare(Rule):
    type_name = "negative_share"
    Options = NegativeOptions
    per_event = False

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        o: NegativeOptions = self.options  # type: ignore[assignment]
        if not post.relevant or not post.spots:
            return []
        size = windows.bucket_size(o.window)
        neg = int(post.sentiment.label == "neg")
        windows.add(ctx.state, post.published_at or post.crawled_at, size, o.window, posts=1, neg=neg)
        now = ctx.now.timestamp()
        count = windows.total(ctx.state, "posts", now - o.window, now + size)
        negative = windows.total(ctx.state, "neg", now - o.window, now + size)
        if count < o.min_count or negative / count < o.share:
            return []
        return [
            Hit(
                scope=f"{ctx.place}@{int(now // size * size)}",
                summary=f"{ctx.place} 负面舆情占比 {negative / count:.0%}"
                f"（{int(o.window // 60)} 分钟内 {count} 条）",
                reason={"posts": count, "negative": negative, "share": round(negative / count, 3)},
                post=post,
                spots=[ctx.place],
                jurisdiction=post.jurisdiction,
            )
        ]
