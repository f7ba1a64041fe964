"""Posts as the web app reads them: one post behind the `posts` alias, its event and the event's other posts,
how a query scored it, a search page and an export.

The routes call this store (built once per app), never the Elasticsearch client: what is asked of the index
lives here, what a person may see lives in the routes.
"""

from __future__ import annotations

from typing import Any

from elasticsearch import AsyncElasticsearch

from dashboards.query import ParsedQuery
from dashboards.search import SearchParams, export_rows, run_search
from yuqing.es import EVENTS, POSTS
from yuqing.settings import ElasticsearchSettings

EVENT_POSTS = 50  # an event's other posts shown beside a post


class PostStore:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.settings = es, settings
        self.posts, self.events = settings.name(POSTS), settings.name(EVENTS)

    async def get(self, post_id: str) -> tuple[str, dict[str, Any]] | None:
        """The post behind the alias (any month), with the index it lives in."""
        resp = await self.es.search(
            index=self.posts, query={"ids": {"values": [post_id]}}, size=1, ignore_unavailable=True
        )
        hits = resp["hits"]["hits"]
        return (hits[0]["_index"], hits[0]["_source"]) if hits else None

    async def event(self, event_id: str) -> dict[str, Any] | None:
        resp = await self.es.options(ignore_status=404).get(index=self.events, id=event_id)
        return resp["_source"] if resp.get("found") else None

    async def event_posts(self, event_id: str, without: str) -> tuple[list[dict[str, Any]], int]:
        """An event's other posts, oldest first (EVENT_POSTS of them), and how many there are."""
        resp = await self.es.search(
            index=self.posts,
            query={
                "bool": {
                    "filter": [{"term": {"event_id": event_id}}],
                    "must_not": [{"ids": {"values": [without]}}],
                }
            },
            sort=[{"published_at": {"order": "asc", "missing": "_last"}}, {"crawled_at": "asc"}],
            size=EVENT_POSTS,
            source_excludes=["text_seg", "title_seg", "explain"],
            track_total_hits=True,
        )
        return [h["_source"] for h in resp["hits"]["hits"]], resp["hits"]["total"]["value"]

    async def explain(self, index: str, post_id: str, parsed: ParsedQuery) -> dict[str, Any]:
        """How a search query scored this post (Elasticsearch's own explanation)."""
        resp = await self.es.explain(index=index, id=post_id, query=parsed.to_es())
        return {"matched": resp["matched"], "explanation": resp.get("explanation")}

    async def search(self, params: SearchParams, parsed: ParsedQuery) -> dict[str, Any]:
        """One page of hits, highlighted, corrections laid over."""
        return await run_search(self.es, self.settings, params, parsed)

    async def export(
        self, params: SearchParams, parsed: ParsedQuery, rows: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Up to `rows` posts of a search for the CSV export, and the total."""
        return await export_rows(self.es, self.settings, params, parsed, rows)
