"""Stage 5, judge: run the rules on a scored post and turn what fired into alerts, one per event and family.

Rules about a post or its event (level, watchlist, event growth) collapse into one alert per event and rule
family, whose id derives from both: it never multiplies per post. Its level is the highest severity any of the
family's rules reached for the event, so a `medium` event that turns `high` escalates the same alert. Once an
event has an alert, each later post of the event refreshes it (counts, platforms, status) even when no rule
fires on that post; the notifier decides what of that is worth an e-mail. A post that reports its case
resolved is judged at most `medium` (a resolved case is never `high`). Window rules (volume spike, negative
share) raise one alert per spot and window, held back by their cooldown; when the post that tips the window
belongs to an incident that has its alert already, the incident explains the spot's numbers: the window rule
is named on that alert (`also_matched`) instead of raising one of its own.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from streams import alerting
from streams.rules import RuleSet
from streams.rules.base import DEFAULT_FAMILY, Context, Hit, Rule
from yuqing.config import Stations
from yuqing.schema import Alert, RiskLevel, ScoredPost

ORDER = list(RiskLevel)


@dataclass
class State:
    rule_state: MutableMapping[str, Any]  # rule|place → the rule's windows
    cooldowns: MutableMapping[str, Any]  # rule|place|scope → when it last fired
    escalation: MutableMapping[str, Any]  # event id|family → {level, rule, summary}: the event's alert


def event_alert_id(scope: str, family: str) -> str:
    return f"event:{hashlib.sha1(f'{scope}|{family}'.encode()).hexdigest()[:20]}"


def capped(post: ScoredPost, resolved: bool) -> ScoredPost:
    """A resolution report is judged at most `medium`."""
    if not resolved or ORDER.index(post.risk.level) <= ORDER.index(RiskLevel.medium):
        return post
    return post.model_copy(update={"risk": post.risk.model_copy(update={"level": RiskLevel.medium})})


def judge(
    post: ScoredPost,
    place: str,
    event: dict[str, Any] | None,
    rules: RuleSet,
    state: State,
    stations: Stations,
    now: datetime,
    *,
    resolved: bool = False,
    normalized: str | None = None,
) -> list[Alert]:
    """The alerts one post raises (`normalized`: its title and text as intake normalised them, so that no
    rule normalises them again)."""
    post = capped(post, resolved)
    per_event: dict[str, list[tuple[Rule, Hit]]] = {}
    raised: list[Alert] = []
    scope = (event or {}).get("id") or post.event_id or post.id
    explained: list[str] = []  # window rules an incident explains: named on its alert
    for rule in rules.rules:
        if not rule.accepts(post, event):
            continue
        key = f"{rule.name}|{place}"
        before = state.rule_state.get(key) or {}
        mine = dict(before)
        ctx = Context(now=now, place=place, event=event, state=mine, normalized=normalized)
        hits = rule.on_post(post, ctx)
        if mine != before:
            state.rule_state[key] = mine
        for hit in hits:
            if resolved and rule.severity == RiskLevel.high:
                continue  # a resolution report never raises (nor renames) a high alert
            if rule.per_event:
                per_event.setdefault(rule.family, []).append((rule, hit))
                continue
            ck = alerting.cooldown_key(rule, place, hit)
            if alerting.cooling_down(state.cooldowns, ck, now, rule.cooldown_s):
                continue
            state.cooldowns[ck] = now.timestamp()
            if _incident_alerted(state, scope, event, DEFAULT_FAMILY):
                explained.append(rule.name)
                continue
            raised.append(alerting.make_alert(rule, hit, event, stations, now))
    families = set(per_event) | (_alerted_families(state, scope, rules) if event else set())
    if explained:
        families.add(DEFAULT_FAMILY)
    for family in sorted(families):
        alert = _event_alert(
            family, per_event.get(family, []), event, post, scope, rules, state, stations, now,
            explained if family == DEFAULT_FAMILY else [],
        )  # fmt: skip
        if alert is not None:
            raised.append(alert)
    return raised


def _incident_alerted(state: State, scope: str, event: dict[str, Any] | None, family: str) -> bool:
    """Whether the post's event is an incident (medium or higher) whose alert of `family` is raised."""
    level = (event or {}).get("peak_level") or "none"
    return ORDER.index(RiskLevel(level)) >= ORDER.index(RiskLevel.medium) and bool(
        state.escalation.get(f"{scope}|{family}")
    )


def _alerted_families(state: State, scope: str, rules: RuleSet) -> set[str]:
    families = {r.family for r in rules.rules if r.per_event}
    return {f for f in families if state.escalation.get(f"{scope}|{f}")}


def _event_alert(
    family: str,
    fired: list[tuple[Rule, Hit]],
    event: dict[str, Any] | None,
    post: ScoredPost,
    scope: str,
    rules: RuleSet,
    state: State,
    stations: Stations,
    now: datetime,
    explained: list[str] | None = None,
) -> Alert | None:
    """The event's alert of this family after this post: raised, escalated, or refreshed (`explained`: the
    window rules this event explains, named on it)."""
    key = f"{scope}|{family}"
    prior = state.escalation.get(key)
    strongest = max(fired, key=lambda rh: ORDER.index(rh[0].severity)) if fired else None  # first of those
    if strongest and (
        prior is None or ORDER.index(strongest[0].severity) >= ORDER.index(RiskLevel(prior["level"]))
    ):
        rule, hit = strongest
        also = sorted({r.name for r, _ in fired} - {rule.name})
    else:  # nothing as severe fired on this post: the alert keeps its rule, refreshed with the event's state
        rule = rules.named(prior["rule"]) if prior else None
        if rule is None:
            return None
        hit = Hit(
            scope=scope,
            summary=prior.get("summary") or rule.name,
            reason=dict(prior.get("reason") or {}),
            post=post,
            categories=list((event or {}).get("categories") or []),
        )
        also = sorted({r.name for r, _ in fired})
    level = rule.severity if prior is None else max(rule.severity, RiskLevel(prior["level"]), key=ORDER.index)
    if prior is None or ORDER.index(rule.severity) > ORDER.index(RiskLevel(prior["level"])):
        state.escalation[key] = {"level": str(level), "rule": rule.name, "summary": hit.summary,
                                 "reason": _small(hit.reason)}  # fmt: skip
    alert = alerting.make_alert(rule, hit, event, stations, now, severity=level)
    also = sorted({*also, *(explained or [])})
    reason = {**alert.reason, "also_matched": also} if also else alert.reason
    return alert.model_copy(update={"id": event_alert_id(scope, family), "reason": reason})


def _small(reason: dict[str, Any]) -> dict[str, Any]:
    """The part of a rule's reason worth keeping in the table (no long term lists)."""
    return {k: v for k, v in reason.items() if isinstance(v, str | int | float | bool)}
