"""Stage 5, judge: run the rules on a scored post and turn what fired into alerts, one per event.

Rules about a post or its event (level, watchlist, event growth) may fire together and again for every repost:
they collapse into one alert per event and severity, whose id is derived from both. Reposts refresh that alert
(the notifier updates its count, sends nothing); only an escalation to a higher severity is a new alert and a
new e-mail. Window rules (volume spike, negative share) raise one alert per spot and window, held back by
their cooldown.
"""

from __future__ import annotations

import hashlib
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from streams import alerting
from streams.rules import RuleSet
from streams.rules.base import Context, Hit, Rule
from yuqing.config import Stations
from yuqing.schema import Alert, RiskLevel, ScoredPost

ORDER = list(RiskLevel)


@dataclass
class State:
    rule_state: MutableMapping[str, Any]  # rule|place → the rule's windows
    cooldowns: MutableMapping[str, Any]  # rule|place|scope → when it last fired
    escalation: MutableMapping[str, Any]  # event id → the highest severity alerted so far


def judge(
    post: ScoredPost,
    place: str,
    event: dict[str, Any] | None,
    rules: RuleSet,
    state: State,
    stations: Stations,
    now: datetime,
) -> list[Alert]:
    per_event: list[tuple[Rule, Hit]] = []
    raised: list[Alert] = []
    for rule in rules.rules:
        key = f"{rule.name}|{place}"
        before = state.rule_state.get(key) or {}
        mine = dict(before)
        hits = rule.on_post(post, Context(now=now, place=place, event=event, state=mine))
        if mine != before:
            state.rule_state[key] = mine
        for hit in hits:
            if rule.per_event:
                per_event.append((rule, hit))
                continue
            ck = alerting.cooldown_key(rule, place, hit)
            if alerting.cooling_down(state.cooldowns, ck, now, rule.cooldown_s):
                continue
            state.cooldowns[ck] = now.timestamp()
            raised.append(alerting.make_alert(rule, hit, event, stations, now))
    if per_event:
        raised.append(_event_alert(per_event, event, post, state, stations, now))
    return raised


def _event_alert(
    fired: list[tuple[Rule, Hit]],
    event: dict[str, Any] | None,
    post: ScoredPost,
    state: State,
    stations: Stations,
    now: datetime,
) -> Alert:
    rule, hit = max(fired, key=lambda rh: ORDER.index(rh[0].severity))  # first of the most severe
    scope = (event or {}).get("id") or post.event_id or post.id
    top = state.escalation.get(scope)
    severity = rule.severity if top is None else max(rule.severity, RiskLevel(top), key=ORDER.index)
    if top != severity:
        state.escalation[scope] = str(severity)
    alert = alerting.make_alert(rule, hit, event, stations, now)
    also = sorted({r.name for r, _ in fired} - {rule.name})
    return alert.model_copy(
        update={
            "id": f"event:{hashlib.sha1(f'{scope}:{severity}'.encode()).hexdigest()[:20]}",
            "level": severity,
            "reason": {**alert.reason, "also_matched": also} if also else alert.reason,
        }
    )
