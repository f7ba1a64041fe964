"""Reads what a report needs from Elasticsearch (posts, events, alerts, letters), a few requests each.

Indices that do not exist yet count as empty (a new deployment's first report is valid and short); an
unreachable cluster raises the client's ConnectionError, which the CLI turns into exit 3 and the web app
into its 503 page.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from dashboards.reports import queries
from yuqing.es import ALERTS, EVENTS, LETTERS, POSTS
from yuqing.settings import ElasticsearchSettings

MSEARCH_CHUNK = 100


class ReportSource:
    """The indices a report reads, under the deployment's prefix."""

    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es = es
        self.posts, self.events = settings.name(POSTS), settings.name(EVENTS)
        self.alerts, self.letters = settings.name(ALERTS), settings.name(LETTERS)

    async def search(self, index: str, body: dict[str, Any]) -> dict[str, Any]:
        return dict(await self.es.search(index=index, ignore_unavailable=True, allow_no_indices=True, **body))

    async def msearch(self, index: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Many searches of one index in few requests; each answer in order (an error raises)."""
        out: list[dict[str, Any]] = []
        if not bodies:
            return out
        for i in range(0, len(bodies), MSEARCH_CHUNK):
            lines: list[dict[str, Any]] = []
            for body in bodies[i : i + MSEARCH_CHUNK]:
                lines += [{"index": index, "ignore_unavailable": True, "allow_no_indices": True}, body]
            resp = await self.es.msearch(searches=lines)
            for answer in resp["responses"]:
                if "error" in answer:
                    raise RuntimeError(f"search failed: {answer['error']}")
                out.append(answer)
        return out

    async def counts(self, queries_: list[dict[str, Any]]) -> list[int]:
        """The number of posts each query matches (the search page's total for it)."""
        if not queries_:
            return []
        answers = await self.msearch(self.posts, [queries.count_body(q) for q in queries_])
        return [a["hits"]["total"]["value"] for a in answers]

    async def events_by_id(self, ids: list[str]) -> dict[str, dict[str, Any]]:
        if not ids:
            return {}
        if not await self.es.indices.exists(index=self.events):
            return {}
        resp = await self.es.mget(index=self.events, ids=ids, source_excludes=["title_seg", "post_ids"])
        return {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}

    async def event(self, event_id: str) -> dict[str, Any] | None:
        return (await self.events_by_id([event_id])).get(event_id)

    async def alerts_of_events(self, event_ids: list[str]) -> list[dict[str, Any]]:
        if not event_ids:
            return []
        body = {"size": 500, "query": {"terms": {"event_id": event_ids}}, "sort": [{"raised_at": "asc"}],
                "_source": {"excludes": ["summary_seg", "mailed"]}}  # fmt: skip
        return [h["_source"] for h in (await self.search(self.alerts, body))["hits"]["hits"]]

    async def letters_of_event(self, event_id: str) -> list[dict[str, Any]]:
        body = {"size": 100, "query": {"term": {"event_id": event_id}}, "sort": [{"created_at": "asc"}]}
        return [h["_source"] for h in (await self.search(self.letters, body))["hits"]["hits"]]
