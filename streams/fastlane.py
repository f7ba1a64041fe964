"""The fast lane: which posts may be urgent, decided at intake in microseconds, so that they are scored and
alerted ahead of any backlog of ordinary posts (topic `posts.urgent`, an agent of its own).

A candidate names an incident of a kind where minutes matter (the scorer's lexicon: safety, public order,
disasters, traffic, health) and is an original post: reposts and copies of a text this worker routed in the
last minutes are not, since a viral incident is one incident and its first post already took the lane. Each
place may send at most `per_min` candidates a minute (a token bucket), so one viral place can never crowd
out another place's emergency. The lane only decides *when* a post is processed, never *how*: its posts go
through the same grouping, scoring, indexing and rules as every other post. The state here is this process's
memory, a routing hint that a restart may forget without harm.
"""

from __future__ import annotations

import time
from collections import OrderedDict

from models.runtime.lexicon import risk_terms
from streams import simhash as sh
from streams.envelope import Envelope

URGENT_CATEGORIES = frozenset({"safety", "public_order", "disaster", "traffic", "health"})
TEXTS_REMEMBERED = 20_000


class FastLane:
    def __init__(self, per_min: int, clock=time.monotonic) -> None:
        self.per_min, self.clock = per_min, clock
        self._tokens: dict[str, tuple[float, float]] = {}  # place → (tokens, when)
        self._seen: OrderedDict[str, None] = OrderedDict()

    def admits(self, env: Envelope) -> bool:
        """Whether this post takes the fast lane (and spends one of its place's tokens)."""
        if self.per_min <= 0 or env.replay or env.links or "//@" in env.post["text"]:
            return False
        thash = sh.text_hash(env.normalized)
        if thash in self._seen:
            self._seen.move_to_end(thash)
            return False
        self._seen[thash] = None
        if len(self._seen) > TEXTS_REMEMBERED:
            self._seen.popitem(last=False)
        if not URGENT_CATEGORIES & set(risk_terms(env.normalized)):
            return False
        return self._take(env.place)

    def _take(self, place: str) -> bool:
        now = self.clock()
        tokens, when = self._tokens.get(place, (float(self.per_min), now))
        tokens = min(float(self.per_min), tokens + (now - when) * self.per_min / 60.0)
        if tokens < 1.0:
            self._tokens[place] = (tokens, now)
            return False
        self._tokens[place] = (tokens - 1.0, now)
        return True
