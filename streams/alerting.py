"""From a rule's hit to an `Alert`: its stable id, cooldown, routing to the people on duty, the evidence.

An alert's id is `rule:scope` (scope: the event, or the spot and window, or the source and outage), so a rule
that fires again for the same event refreshes the same alert instead of raising a second one, and a worker
that replays a post after a crash produces the same id the notifier has already delivered.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import MutableMapping
from datetime import UTC, datetime
from typing import Any

from streams.rules.base import Hit, Rule
from yuqing.config import Stations
from yuqing.schema import TZ, Alert, RiskLevel, ScoredPost

EXCERPT_CHARS = 300


def alert_id(rule: Rule, hit: Hit) -> str:
    digest = hashlib.sha1(f"{rule.name}:{hit.scope}".encode()).hexdigest()[:16]
    return f"{rule.name}:{digest}"


def cooling_down(cooldowns: MutableMapping[str, Any], key: str, now: datetime, cooldown_s: float) -> bool:
    last = cooldowns.get(key)
    return last is not None and now.timestamp() - float(last) < cooldown_s


def cooldown_key(rule: Rule, place: str, hit: Hit) -> str:
    """Same rule, place and event (window rules: place alone) within the cooldown: no repeat."""
    return f"{rule.name}|{place}|{hit.scope if rule.per_event else ''}"


def evidence(post: ScoredPost | None) -> dict[str, Any]:
    if post is None:
        return {}
    return {
        "post_id": post.id,
        "excerpt": post.text[:EXCERPT_CHARS],
        "title": post.title,
        "url": post.url,
        "author": post.author,
        "source": post.source,
        "published_at": post.published_at.isoformat() if post.published_at else None,
        "crawled_at": post.crawled_at.isoformat(),
        "sentiment": post.sentiment.model_dump(mode="json"),
        "risk": post.risk.model_dump(mode="json"),
    }


def route(
    severity: RiskLevel,
    jurisdiction: str | None,
    categories: list[str],
    rule: Rule | None,
    stations: Stations,
    now: datetime,
) -> tuple[list[str], list[str], list[str]]:
    """(to, cc, agencies): the station's duty officers on shift now (all of them if none is), supervisors
    on high severity (or as the rule says), the agencies whose categories match if the rule passes it on.
    No rule (an alert naming none that is configured): the station's officers, supervisors if high, no
    agency. A jurisdiction not on the roster is the default station's."""
    station = stations.get(jurisdiction or "") or stations.get(stations.default_station)
    assert station is not None  # the default station is validated to exist
    local = now.astimezone(TZ)
    on_duty = [p for p in station.duty_officers if p.on_duty(local)] or list(station.duty_officers)
    supervisors = rule.route.supervisors if rule is not None else None
    copy_supervisors = supervisors if supervisors is not None else severity == "high"
    cc = [p.email for p in station.supervisors] if copy_supervisors else []
    agencies = []
    if rule is not None and rule.route.agencies:
        agencies = [a.key for a in stations.agencies if set(map(str, a.categories)) & set(categories)]
    return [p.email for p in on_duty], cc, agencies


def make_alert(
    rule: Rule,
    hit: Hit,
    event: dict[str, Any] | None,
    stations: Stations,
    now: datetime | None = None,
    severity: RiskLevel | None = None,
) -> Alert:
    now = now or datetime.now(UTC)
    severity = severity or rule.severity
    post = hit.post
    about_event = rule.per_event and event is not None
    jurisdiction = (
        hit.jurisdiction
        or (event.get("jurisdiction") if about_event else None)
        or (post.jurisdiction if post else None)
        or stations.default_station
    )
    spots = (
        hit.spots
        or (list(event.get("spots") or []) if about_event else [])
        or (list(post.spots) if post else [])
    )
    to, cc, agencies = route(severity, jurisdiction, hit.categories, rule, stations, now)
    return Alert(
        id=alert_id(rule, hit),
        rule=rule.name,
        rule_type=rule.type_name,
        level=severity,
        event_id=(event or {}).get("id") if rule.per_event else None,
        post_ids=[post.id] if post else [],
        spots=spots,
        jurisdiction=jurisdiction,
        summary=hit.summary[:500] or rule.name,
        categories=hit.categories,
        reason={"rule": rule.name, "type": rule.type_name, **hit.reason},
        evidence=evidence(post),
        similar_count=max(0, int((event or {}).get("post_count", 1)) - 1) if rule.per_event else 0,
        raised_at=now,
        updated_at=now,
        recipients=to,
        cc=cc,
        agencies=agencies,
        event_status=event.get("status") if about_event else None,
        event_size=int(event.get("post_count") or 1) if about_event else 0,
        sources=list(event.get("sources") or []) if about_event else [],
    )


class AlertGate:
    """At most one refresh of an alert per `every_s` on the alerts topic: a growing event refreshes its alert
    with every post, and thousands of reposts a minute must not become thousands of writes. A change of
    level, status or platforms passes at once; a refresh that only carries counts waits, and the latest
    waiting one is sent when its time comes (`due`, on a timer). Memory of this process only: a restart
    sends one more."""

    KEEP_S = 3600.0

    def __init__(self, every_s: float, clock=time.monotonic) -> None:
        self.every_s, self.clock = every_s, clock
        self._last: dict[str, tuple[float, tuple]] = {}
        self._pending: dict[str, Alert] = {}

    @staticmethod
    def _signature(alert: Alert) -> tuple:
        return (str(alert.level), alert.event_status, tuple(sorted(alert.sources)))

    def offer(self, alert: Alert) -> bool:
        """Whether to send this alert message now (else it waits, replacing an older waiting one)."""
        now, sig = self.clock(), self._signature(alert)
        last = self._last.get(alert.id)
        if last is None or last[1] != sig or now - last[0] >= self.every_s:
            self._last[alert.id] = (now, sig)
            self._pending.pop(alert.id, None)
            return True
        self._pending[alert.id] = alert
        return False

    def due(self) -> list[Alert]:
        """The waiting refreshes whose time has come (and forget alerts quiet for an hour)."""
        now = self.clock()
        ready = [a for i, a in self._pending.items() if now - self._last[i][0] >= self.every_s]
        for alert in ready:
            del self._pending[alert.id]
            self._last[alert.id] = (now, self._signature(alert))
        for key in [
            k for k, (t, _) in self._last.items() if now - t > self.KEEP_S and k not in self._pending
        ]:
            del self._last[key]
        return ready
