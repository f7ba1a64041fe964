"""What every alert rule is: options validated from `config/rules.yaml`, a hook per post, a hook per tick.

    class Level(Rule):
        type_name = "level"              # the `type:` that picks this class in rules.yaml
        Options = LevelOptions           # the rule's own keys (required ones have no default)

        def on_post(self, post, ctx) -> list[Hit]: ...

Subclasses register themselves by `type_name` (no hand-kept registry); `streams.rules.load_rules` validates
the file and builds them. Rule state lives in the worker's Faust tables, handed over as `ctx.state`.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from yuqing.schema import RiskLevel, ScoredPost

REGISTRY: dict[str, type[Rule]] = {}


class RuleOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Route(BaseModel):
    """Who hears of an alert beyond the responsible station's duty officers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    supervisors: bool | None = None  # None: copied when the severity is high
    agencies: bool = False  # pass the problem to the agencies whose categories match (通报)


@dataclass
class Context:
    """What a rule may look at and keep, for the post at hand."""

    now: datetime
    place: str
    event: dict[str, Any] | None
    state: MutableMapping[str, Any]  # this rule's state for this place (a Faust table in the worker)


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


class Rule:
    type_name: ClassVar[str] = ""
    Options: ClassVar[type[RuleOptions]] = RuleOptions
    # Rules keyed on an event keep one alert per event; window rules one alert per spot and window.
    per_event: ClassVar[bool] = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.type_name:
            REGISTRY[cls.type_name] = cls

    def __init__(
        self, name: str, severity: RiskLevel, cooldown_s: float, route: Route, options: RuleOptions
    ) -> None:
        self.name, self.severity, self.cooldown_s, self.route = name, severity, cooldown_s, route
        self.options = options

    def on_post(self, post: ScoredPost, ctx: Context) -> list[Hit]:
        """Called for every scored post (replays excepted), in its place's partition."""
        return []

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name} ({self.severity})>"


def excerpt(text: str, chars: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= chars else text[: chars - 1] + "…"
