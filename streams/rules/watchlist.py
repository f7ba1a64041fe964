"""`watchlist`: a boolean keyword expression over the post's normalised text (AND / OR / NOT, phrases)."""

from __future__ import annotations

from pydantic import PrivateAttr, field_validator

from streams.rules.base import Context, Hit, Rule, RuleOptions, excerpt
from streams.rules.boolexpr import compile_expression
from yuqing.schema import ScoredPost
from yuqing.text import normalize_post_text


class WatchlistOptions(RuleOptions):
    expression: str
    relevant_only: bool = True
    _match = PrivateAttr()

    @field_validator("expression")
    @classmethod
    def _compiles(cls, value: str) -> str:
        compile_expression(value)  # ExpressionError is a ValueError: pydantic names the key
        return value

    def model_post_init(self, __context: object) -> None:
        self._match = compile_expression(self.expression)


class Watchlist(Rule):
    type_name = "watchlist"
    Options = WatchlistOptions

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        o: WatchlistOptions = self.options  # type: ignore[assignment]
        if o.relevant_only and not post.relevant:
            return []
        text = ctx.normalized or normalize_post_text(post.title, post.text)
        if not o._match(text):
            return []
        return [
            Hit(
                scope=post.event_id or post.id,
                summary=excerpt(post.title or post.text),
                reason={"expression": o.expression, "level": str(post.risk.level)},
                post=post,
                categories=[str(c) for c in post.risk.categories],
            )
        ]
