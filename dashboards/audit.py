"""The audit trail (the `audit` index): who searched what, exported, corrected, acted on alerts, logged in.

An entry is written (without waiting for a refresh) before the page answers; if it cannot be written, the
request fails, so nothing is exported or changed unrecorded.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch

from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import AUDIT

ACTIONS = (
    "login", "login_failed", "logout", "search", "export", "view_post", "correct", "alert_acknowledge",
    "alert_assign", "alert_resolve", "alert_false_alarm", "alert_reopen", "user_add", "user_password",
    "user_disable", "user_enable",
)  # fmt: skip


class Audit:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name(AUDIT)

    async def record(
        self,
        user: str,
        action: str,
        target: str | None = None,
        query: str | None = None,
        details: dict[str, Any] | None = None,
        role: str | None = None,
        ip: str | None = None,
        refresh: bool = False,
    ) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        doc = {
            "at": datetime.now(UTC).isoformat(),
            "user": user,
            "role": role,
            "action": action,
            "target": target,
            "query": query,
            "ip": ip,
            "details": details or {},
        }
        await self.es.index(index=self.index, document=doc, refresh="wait_for" if refresh else None)

    async def search(
        self,
        user: str | None = None,
        action: str | None = None,
        size: int = 100,
        page: int = 1,
        target: str | None = None,
        oldest_first: bool = False,
    ) -> tuple[int, list[dict[str, Any]]]:
        filters: list[dict[str, Any]] = []
        if target:
            filters.append({"term": {"target": target}})
        if user:
            filters.append({"term": {"user": user}})
        if action:
            filters.append({"term": {"action": action}})
        resp = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            sort=[{"at": "asc" if oldest_first else "desc"}],
            size=size,
            from_=(page - 1) * size,
            track_total_hits=True,
        )
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]
