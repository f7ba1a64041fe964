"""Analyst search: parameters, the Elasticsearch request built from them, hits with corrections laid over.

Every parameter is validated here (pydantic) so a bad one is a 4xx with a message; the query text goes through
`dashboards.query`, never into a query string.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, Literal

from elasticsearch import AsyncElasticsearch
from pydantic import BaseModel, Field, field_validator, model_validator

from dashboards.messages import say
from dashboards.query import ParsedQuery, highlight_query, parse
from yuqing.es import POSTS
from yuqing.schema import TZ, RiskCategory, RiskLevel, SentimentLabel
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import CORRECTIONS

MAX_WINDOW = 10_000  # Elasticsearch's max_result_window: deeper pages need search_after
_KEYWORDISH = re.compile(r"^[^\x00-\x1f]{1,200}$")


class SearchParams(BaseModel):
    """What the search form and `/api/search` accept."""

    q: str = Field("", description='query: words, AND/OR/NOT, -word, "phrase", (groups)')
    date_from: datetime | None = Field(None, description="published at or after (ISO 8601)")
    date_to: datetime | None = Field(None, description="published before (ISO 8601)")
    spot: list[str] = Field(default_factory=list, description="canonical scenic-spot names")
    station: list[str] = Field(default_factory=list, description="stations responsible (jurisdiction)")
    level: list[RiskLevel] = Field(default_factory=list)
    category: list[RiskCategory] = Field(default_factory=list)
    sentiment: list[SentimentLabel] = Field(default_factory=list)
    source: list[str] = Field(default_factory=list)
    event_id: str | None = None
    relevant: Literal["any", "true", "false"] = "true"
    sort: Literal["relevance", "time", "risk"] = "relevance"
    page: int = Field(1, ge=1, le=1000)
    size: int = Field(20, ge=1, le=100)

    @field_validator("spot", "station", "source")
    @classmethod
    def _plain(cls, values: list[str]) -> list[str]:
        values = [v.strip() for v in values if v and v.strip()]
        if len(values) > 20:
            raise ValueError(say("too_many_values", limit=20))
        for v in values:
            if not _KEYWORDISH.match(v):
                raise ValueError(say("value_chars", limit=200))
        return values

    @field_validator("event_id")
    @classmethod
    def _event(cls, value: str | None) -> str | None:
        value = (value or "").strip() or None
        if value and not _KEYWORDISH.match(value):
            raise ValueError(say("event_id_chars", limit=200))
        return value

    @field_validator("date_from", "date_to")
    @classmethod
    def _mile_time(cls, value: datetime | None) -> datetime | None:
        # A time typed without a zone (the form's datetime-local) is Mile's wall clock, not UTC.
        return value.replace(tzinfo=TZ) if value is not None and value.tzinfo is None else value

    @model_validator(mode="after")
    def _window(self) -> SearchParams:
        if self.page * self.size > MAX_WINDOW:
            raise ValueError(say("window", limit=MAX_WINDOW))
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError(say("date_order"))
        return self

    def filters(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if self.date_from or self.date_to:
            out.append(post_time_filter(self.date_from, self.date_to))
        for fieldname, values in (
            ("spots", self.spot),
            ("jurisdiction", self.station),
            ("risk.level", [v.value for v in self.level]),
            ("risk.categories", [v.value for v in self.category]),
            ("sentiment.label", [v.value for v in self.sentiment]),
            ("source", self.source),
        ):
            if values:
                out.append({"terms": {fieldname: values}})
        if self.event_id:
            out.append({"term": {"event_id": self.event_id}})
        if self.relevant != "any":
            out.append({"term": {"relevant": self.relevant == "true"}})
        return out

    def parsed(self, max_chars: int) -> ParsedQuery:
        return parse(self.q, max_chars)


def post_time_filter(gte: datetime | None = None, lt: datetime | None = None) -> dict[str, Any]:
    """A post's time is its publication time, or when it was crawled if the source gave none (no scripts on
    this server, so the two fields are combined in the query)."""
    rng = {k: v.isoformat() for k, v in (("gte", gte), ("lt", lt)) if v is not None}
    undated = {
        "bool": {
            "must_not": [{"exists": {"field": "published_at"}}],
            "filter": [{"range": {"crawled_at": rng}}],
        }
    }
    return {"bool": {"should": [{"range": {"published_at": rng}}, undated], "minimum_should_match": 1}}


BY_TIME = [{"published_at": {"order": "desc", "missing": "_last"}}, {"crawled_at": {"order": "desc"}}]


def sort_clause(sort: str) -> list[Any]:
    if sort == "time":
        return [*BY_TIME, {"id": "asc"}]
    if sort == "risk":
        return [{"risk.score": {"order": "desc"}}, *BY_TIME, {"id": "asc"}]
    return ["_score", *BY_TIME, {"id": "asc"}]


def search_body(params: SearchParams, parsed: ParsedQuery, explain: bool = False) -> dict[str, Any]:
    """The request body for one page of results (also sent straight to ES by the benchmark)."""
    body: dict[str, Any] = {
        "query": {"bool": {"must": [parsed.to_es()], "filter": params.filters()}},
        "sort": sort_clause(params.sort),
        "from": (params.page - 1) * params.size,
        "size": params.size,
        "track_total_hits": True,
        "_source": {"excludes": ["text_seg", "title_seg", "explain"]},
    }
    hq = highlight_query(parsed)
    if hq:
        body["highlight"] = {
            # html encoder: ES escapes the crawled text, then adds only our <mark> tags.
            "encoder": "html",
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "highlight_query": hq,
            "fields": {
                "title": {"number_of_fragments": 0},
                "text": {"fragment_size": 120, "number_of_fragments": 3},
            },
        }
    if explain:
        body["explain"] = True
    return body


def merge_marks(fragment: str) -> str:
    """The standard analyzer marks Chinese character by character: join `</mark><mark>` runs into one mark."""
    return fragment.replace("</mark><mark>", "")


async def corrections_for(
    es: AsyncElasticsearch, settings: ElasticsearchSettings, post_ids: list[str]
) -> dict[str, dict[str, Any]]:
    if not post_ids:
        return {}
    resp = await es.mget(index=settings.name(CORRECTIONS), ids=post_ids)
    return {d["_id"]: d["_source"] for d in resp["docs"] if d.get("found")}


def apply_correction(post: dict[str, Any], correction: dict[str, Any] | None) -> dict[str, Any]:
    """The post as the analysts judged it: corrected labels replace the model's, the model's stay beside."""
    if not correction:
        return post
    shown = dict(post)
    shown["model"] = {k: post.get(k) for k in ("relevant", "spots", "sentiment", "risk")}
    if correction.get("relevant") is not None:
        shown["relevant"] = correction["relevant"]
    if correction.get("spots") is not None:
        shown["spots"] = correction["spots"]
    if correction.get("sentiment"):
        shown["sentiment"] = {**(post.get("sentiment") or {}), "label": correction["sentiment"]}
    risk = dict(post.get("risk") or {})
    if correction.get("level"):
        risk["level"] = correction["level"]
    if correction.get("categories") is not None:
        risk["categories"] = correction["categories"]
    if correction.get("false_alarm") and not correction.get("level"):
        risk["level"], risk["categories"] = "none", []
    shown["risk"] = risk
    shown["correction"] = correction
    return shown


async def run_search(
    es: AsyncElasticsearch, settings: ElasticsearchSettings, params: SearchParams, parsed: ParsedQuery
) -> dict[str, Any]:
    body = search_body(params, parsed)
    resp = await es.search(index=settings.name(POSTS), ignore_unavailable=True, allow_no_indices=True, **body)
    hits = resp["hits"]["hits"]
    corrections = await corrections_for(es, settings, [h["_id"] for h in hits])
    out = []
    for hit in hits:
        post = apply_correction(hit["_source"], corrections.get(hit["_id"]))
        hl = hit.get("highlight", {})
        post["_highlight"] = {
            "title": merge_marks(hl["title"][0]) if hl.get("title") else None,
            "text": [merge_marks(f) for f in hl.get("text", [])],
        }
        post["_score"] = hit.get("_score")
        out.append(post)
    total = resp["hits"]["total"]["value"]
    return {
        "total": total,
        "page": params.page,
        "size": params.size,
        "pages": max(1, min(-(-total // params.size), MAX_WINDOW // params.size)),
        "took_ms": resp.get("took"),
        "hits": out,
    }


async def export_rows(
    es: AsyncElasticsearch,
    settings: ElasticsearchSettings,
    params: SearchParams,
    parsed: ParsedQuery,
    rows: int,
) -> tuple[list[dict[str, Any]], int]:
    """The first `rows` posts of a search, corrections laid over, without highlights; and the total."""
    body = search_body(params.model_copy(update={"page": 1, "size": 1}), parsed)
    body.pop("highlight", None)
    body.update({"from": 0, "size": rows})
    resp = await es.search(index=settings.name(POSTS), ignore_unavailable=True, **body)
    hits = resp["hits"]["hits"]
    corrections = await corrections_for(es, settings, [h["_id"] for h in hits])
    posts = [apply_correction(h["_source"], corrections.get(h["_id"])) for h in hits]
    return posts, resp["hits"]["total"]["value"]
