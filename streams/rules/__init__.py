"""Alert rules: `config/rules.yaml` validated and built into `Rule` objects (types in this package)."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from streams.rules.base import DEFAULT_FAMILY, REGISTRY, Route, Rule, RuleFilter
from streams.rules.durations import Duration
from yuqing.config import load_model
from yuqing.errors import ConfigError
from yuqing.schema import RiskLevel
from yuqing.settings import config_dir
from yuqing.text import normalize_text

RULES_FILE = "rules.yaml"
_COMMON = {"name", "type", "severity", "cooldown", "route", "enabled", "filter", "family"}

# Rule types register themselves when their module is imported: import them all (no hand-kept list).
for _mod in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_mod.name}")


class _Common(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")
    type: str
    severity: RiskLevel
    cooldown: Duration = 1800.0
    route: Route = Field(default_factory=Route)
    enabled: bool = True
    filter: RuleFilter = Field(default_factory=RuleFilter)
    family: str = Field(DEFAULT_FAMILY, min_length=1, pattern=r"^[A-Za-z0-9_.\-]+$")


class Digest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    levels: list[RiskLevel] = Field(default_factory=lambda: [RiskLevel.low])


class Incidents(BaseModel):
    """How the stream reads incidents: the words of a source reporting a case resolved."""

    model_config = ConfigDict(extra="forbid")

    resolved_terms: list[str] = Field(default_factory=list)


class RulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    digest: Digest = Field(default_factory=Digest)
    rules: list[dict[str, Any]] = Field(min_length=1)
    incidents: Incidents = Field(default_factory=lambda: Incidents())


@dataclass
class RuleSet:
    rules: list[Rule]
    digest_levels: set[str]
    resolved_terms: tuple[str, ...] = ()

    def of_type(self, type_name: str) -> list[Rule]:
        return [r for r in self.rules if r.type_name == type_name]

    def named(self, name: str) -> Rule | None:
        return next((r for r in self.rules if r.name == name), None)


def _error(path: Path, where: str, exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    key = ".".join([where, *(str(p) for p in err["loc"])])
    return ConfigError(str(path), key, err["msg"])


def build_rule(spec: dict[str, Any], path: Path, where: str) -> Rule | None:
    try:
        common = _Common.model_validate(spec)
    except ValidationError as exc:
        raise _error(path, where, exc) from exc
    cls = REGISTRY.get(common.type)
    if cls is None:
        known = ", ".join(sorted(REGISTRY))
        raise ConfigError(str(path), f"{where}.type", f"unknown rule type {common.type!r} (known: {known})")
    try:
        options = cls.Options.model_validate({k: v for k, v in spec.items() if k not in _COMMON})
    except ValidationError as exc:
        raise _error(path, where, exc) from exc
    if not common.enabled:
        return None
    return cls(
        common.name, common.severity, common.cooldown, common.route, options, common.filter, common.family
    )


def load_rules(directory: Path | None = None) -> RuleSet:
    """The enabled rules of `rules.yaml`; a mistake names the file and the key (`rules.2.window`)."""
    path = (directory or config_dir()) / RULES_FILE
    spec = load_model(path, RulesFile)
    rules = [build_rule(r, path, f"rules.{i}") for i, r in enumerate(spec.rules)]
    names = [r.name for r in rules if r]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise ConfigError(str(path), "rules", f"rule name used twice: {', '.join(dupes)}")
    return RuleSet(
        [r for r in rules if r],
        {str(level) for level in spec.digest.levels},
        tuple(normalize_text(t) for t in spec.incidents.resolved_terms),
    )
