"""What every alert rule is: options validated from `config/rules.yaml`, a filter, a hook per post, a hook
per tick.

    class Level(Rule):
        type_name = "level"              # the `type:` that picks this class in rules.yaml
        Options = LevelOptions           # the rule's own keys (required ones have no default)

        def on_post(self, post, ctx) -> list[Hit]: ...      # every scored post of its place
        def on_tick(self, last_seen, now) -> list[Hit]: ... # on the leader's timer (default: nothing)

Subclasses register themselves by `type_name` (no hand-kept registry); `streams.rules.load_rules` validates
the file and builds them. Rule state lives in the worker's Faust tables, handed over as `ctx.state`.
Every rule takes a `filter` (as ElastAlert2's `filter`): the posts, or for rules about events the events,
it is about. A rule keyed on events belongs to a `family`: the rules of one family raise one alert per event.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from yuqing.schema import RiskCategory, RiskLevel, ScoredPost, SentimentLabel

REGISTRY: dict[str, type[Rule]] = {}


class RuleOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(BaseModel):
    """Who hears of an alert beyond the responsible station's duty officers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    supervisors: bool | None = None  # None: copied when the severity is high
    agencies: bool = False  # pass the problem to the agencies whose categories match (通报)


LEVELS = list(RiskLevel)


class RuleFilter(BaseModel):
    """Which posts (or, for rules about events, which events) a rule looks at. Conditions combine with AND,
    or with OR under `match: any`; an event's sentiment is `neg` when at least half its posts read negative,
    its level is its peak, its sources the platforms it reached."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_level: RiskLevel | None = None
    sentiment: list[SentimentLabel] = Field(default_factory=list)
    categories: list[RiskCategory] = Field(default_factory=list)
    relevant_only: bool = False
    sources: list[str] = Field(default_factory=list)
    match: str = Field("all", pattern="^(all|any)$")

    def accepts(self, post: ScoredPost, event: dict[str, Any] | None, about_events: bool) -> bool:
        subject = _subject(post, event if about_events else None)
        checks = []
        if self.min_level is not None:
            checks.append(LEVELS.index(subject["level"]) >= LEVELS.index(self.min_level))
        if self.sentiment:
            checks.append(subject["sentiment"] in {str(s) for s in self.sentiment})
        if self.categories:
            checks.append(bool(subject["categories"] & {str(c) for c in self.categories}))
        if self.sources:
            checks.append(bool(subject["sources"] & set(self.sources)))
        relevant = subject["relevant"] or not self.relevant_only
        if not checks:
            return relevant
        return relevant and (any(checks) if self.match == "any" else all(checks))


def _subject(post: ScoredPost, event: dict[str, Any] | None) -> dict[str, Any]:
    if event is None:
        return {
            "level": post.risk.level,
            "sentiment": str(post.sentiment.label),
            "categories": {str(c) for c in post.risk.categories},
            "sources": {post.source},
            "relevant": post.relevant,
        }
    negative = 2 * int(event.get("negative_count") or 0) >= int(event.get("post_count") or 1)
    return {
        "level": RiskLevel(event.get("peak_level") or "none"),
        "sentiment": "neg" if negative else "neu",
        "categories": set(event.get("categories") or []),
        "sources": set(event.get("sources") or []),
        "relevant": bool(event.get("relevant")),
    }


@dataclass
class Context:
    """What a rule may look at and keep, for the post at hand."""

    now: datetime
    place: str
    event: dict[str, Any] | None
    state: MutableMapping[str, Any]  # this rule's state for this place (a Faust table in the worker)
    normalized: str | None = None  # the post's title and text as intake normalised them, when known


@dataclass
class Hit:
    """A rule fired. `scope` names what it fired about (an event, a spot window, a source)."""

    scope: str
    summary: str
    reason: dict[str, Any]
    post: ScoredPost | None = None
    categories: list[str] = field(default_factory=list)
    spots: list[str] = field(default_factory=list)
    jurisdiction: str | None = None


DEFAULT_FAMILY = "event"  # the family of rules about events unless a rule names another


class Rule:
    type_name: ClassVar[str] = ""
    Options: ClassVar[type[RuleOptions]] = RuleOptions
    # Rules keyed on an event keep one alert per event; window rules one alert per spot and window.
    per_event: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type_name:
            REGISTRY[cls.type_name] = cls

    # Rules whose filter looks at the event rather than the post (event growth).
    about_events: ClassVar[bool] = False

    def __init__(
        self,
        name: str,
        severity: RiskLevel,
        cooldown_s: float,
        route: Route,
        options: RuleOptions,
        filter: RuleFilter | None = None,
        family: str = DEFAULT_FAMILY,
    ) -> None:
        self.name, self.severity, self.cooldown_s, self.route = name, severity, cooldown_s, route
        self.options = options
        self.filter = filter or RuleFilter()
        self.family = family

    def accepts(self, post: ScoredPost, event: dict[str, Any] | None) -> bool:
        """Whether the rule's filter lets this post (or its event) through."""
        return self.filter.accepts(post, event, self.about_events and event is not None)

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        """Called for every scored post its filter accepts (replays excepted), in its place's partition."""
        return []

    def on_tick(self, last_seen: dict[str, datetime], now: datetime) -> list[Hit]:
        """Called on the leader worker's timer with the newest post time of each source."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({self.severity})>"


def excerpt(text: str, chars: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1] + "…"
