"""The login throttle: one document per sign-in attempt in the `logins` index, counted by one query.

An attempt is written first, as a failure until the password proves otherwise, and only then are the attempts
of the window counted, its own included. Concurrent guesses therefore see each other (of any two, the later
count sees the earlier write), and nothing is read, changed and written back: no update can be lost and none
can conflict. Two limits over the last WEB_LOGIN_LOCKOUT_S seconds:

- one address and one typed name: WEB_LOGIN_MAX_FAILURES failures since that name last signed in from that
  address. The name is counted whether or not such an account exists, so a lock says nothing about accounts.
- one address, any names: WEB_LOGIN_MAX_FAILURES_PER_ADDRESS failures. A success does not reset it (one's own
  account signing in must not buy a guesser another round).

Nothing locks an account for everyone: a stranger guessing from his address makes only his address wait, and
the officer at his own desk signs in as usual (the choice is explained in README.md, Dashboards / Security).
A refused attempt is taken out again: hammering a locked pair neither lengthens the wait nor fills the index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch

from yuqing.settings import ElasticsearchSettings, WebSettings
from yuqing.webstore import LOGINS


@dataclass(frozen=True)
class Limits:
    per_name: int
    per_address: int
    window_s: int

    @classmethod
    def from_settings(cls, web: WebSettings) -> Limits:
        return cls(web.login_max_failures, web.login_max_failures_per_address, web.login_lockout_s)


@dataclass(frozen=True)
class Attempt:
    """One attempt: its document, and how long it must wait (0: it may check the password)."""

    id: str
    wait_s: int


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def verdict(
    own_id: str, name_hits: list[dict[str, Any]], address_failures: int, limits: Limits, now: datetime
) -> int:
    """Seconds to wait, from the window's attempts for this name (newest first) and the address's failures.

    The name's failures are counted back to its last success; the attempt being judged is not one of them.
    """
    failed_at = []
    for hit in name_hits:
        if hit["_id"] == own_id:
            continue
        if hit["_source"].get("ok"):
            break
        failed_at.append(_parse(hit["_source"]["at"]))
    window = timedelta(seconds=limits.window_s)
    wait = timedelta(0)
    if len(failed_at) >= limits.per_name:
        # The pair may try again once enough of its failures have left the window.
        wait = failed_at[limits.per_name - 1] + window - now
    if address_failures - 1 >= limits.per_address:
        wait = max(wait, window)
    return max(1, int(wait.total_seconds()) + 1) if wait > timedelta(0) else 0


class LoginThrottle:
    """Attempts in the `logins` index through the async client."""

    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings, limits: Limits) -> None:
        self.es, self.index, self.limits = es, settings.name(LOGINS), limits

    async def begin(self, name: str, ip: str, now: datetime | None = None) -> Attempt:
        """Record the attempt and judge it; a refused one is removed again."""
        now = now or datetime.now(UTC)
        doc = {"at": now.isoformat(), "name": name, "ip": ip, "ok": False}
        written = await self.es.index(index=self.index, document=doc, refresh=True)
        own = written["_id"]
        since = (now - timedelta(seconds=self.limits.window_s)).isoformat()
        resp = await self.es.search(
            index=self.index,
            size=0,
            query={"bool": {"filter": [{"term": {"ip": ip}}, {"range": {"at": {"gte": since}}}]}},
            aggs={
                "failed": {"filter": {"term": {"ok": False}}},
                "name": {
                    "filter": {"term": {"name": name}},
                    "aggs": {
                        "latest": {
                            "top_hits": {
                                "size": self.limits.per_name + 2,
                                "sort": [{"at": "desc"}],
                                "_source": ["at", "ok"],
                            }
                        }
                    },
                },
            },
        )
        aggs = resp["aggregations"]
        hits = aggs["name"]["latest"]["hits"]["hits"]
        wait = verdict(own, hits, aggs["failed"]["doc_count"], self.limits, now)
        if wait:
            await self.es.options(ignore_status=404).delete(index=self.index, id=own)
        return Attempt(own, wait)

    async def succeeded(self, attempt: Attempt) -> None:
        """The password was right: this name's failures from this address no longer count."""
        await self.es.update(index=self.index, id=attempt.id, doc={"ok": True}, refresh=True)
