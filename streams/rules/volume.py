"""`volume_spike`: relevant posts about a spot in the last window, against that spot's own recent baseline."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from streams.rules import windows
from streams.rules.base import Context, Hit, Rule, RuleOptions
from streams.rules.durations import Duration
from yuqing.schema import ScoredPost


class VolumeOptions(RuleOptions):
    window: Duration = Field(1800.0, gt=0)
    baseline: Duration = Field(86400.0, gt=0, description="how far back the spot's normal volume is taken")
    factor: float = Field(3.0, gt=1.0, description="the window must hold this many times the baseline")
    min_count: int = Field(10, ge=1, description="and at least this many posts")


class VolumeSpike(Rule):
    type_name = "volume_spike"
    Options = VolumeOptions
    per_event = False

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        o: VolumeOptions = self.options  # type: ignore[assignment]
        if not post.relevant or not post.spots:
            return []
        size = windows.bucket_size(o.window)
        when = post.published_at or post.crawled_at
        windows.add(ctx.state, when, size, o.window + o.baseline, posts=1)
        now = ctx.now.timestamp()
        current = windows.total(ctx.state, "posts", now - o.window, now + size)
        before = windows.total(ctx.state, "posts", now - o.window - o.baseline, now - o.window)
        expected = max(1.0, before * o.window / o.baseline)
        if current < o.min_count or current < o.factor * expected:
            return []
        start = datetime.fromtimestamp(now - o.window).astimezone()
        return [
            Hit(
                scope=f"{ctx.place}@{int(now // size * size)}",
                summary=f"{ctx.place} 帖量激增：{int(o.window // 60)} 分钟内 {current} 条"
                f"（平时约 {expected:.1f} 条）",
                reason={
                    "posts": current,
                    "expected": round(expected, 2),
                    "factor": o.factor,
                    "since": str(start),
                },
                post=post,
                spots=[ctx.place],
                jurisdiction=post.jurisdiction,
            )
        ]
