"""Elasticsearch setup and access: the client, the posts template and alias, the alerts index, Chinese search.

Posts live in monthly indices `posts-YYYY.MM` (by publication month in Mile's time zone, crawl time when the
source gives none) behind the alias `posts`; alerts in one index `alerts`. Every name takes
`ES_INDEX_PREFIX`. The document id of a post is its stable `Post.id`, so replays overwrite, never duplicate.

Chinese is segmented in Python (`yuqing.segment`) into `*_seg` fields analysed on whitespace, because the
integration-test server has no `cjk` analyzer; queries are segmented the same way and sent as a
`multi_match` (never a query string, so user input cannot inject query syntax).
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, Elasticsearch, NotFoundError
from elasticsearch import ConnectionError as ESConnectionError

from yuqing.errors import ServiceError
from yuqing.schema import TZ, Alert, Event, Post, ScoredPost
from yuqing.segment import segment, segment_query
from yuqing.settings import ElasticsearchSettings

POSTS, ALERTS, EVENTS, LETTERS, REPORTS = "posts", "alerts", "events", "letters", "reports"
SEARCH_FIELDS = ("title_seg^2", "text_seg")

_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}
_SEG = {"type": "text", "analyzer": "whitespace"}
_OPAQUE = {"type": "object", "enabled": False}  # stored in _source, not indexed: free-form

POST_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "source": _KEYWORD,
    "source_id": _KEYWORD,
    "url": {"type": "keyword", "ignore_above": 4096},
    "author": {"type": "keyword", "ignore_above": 256},
    "title": {"type": "text", "analyzer": "standard"},
    "title_seg": _SEG,
    "text": {"type": "text", "analyzer": "standard"},
    "text_seg": _SEG,
    "published_at": _DATE,
    "crawled_at": _DATE,
    "engagement": {
        "properties": {k: {"type": "long"} for k in ("reposts", "comments", "likes", "views")},
    },
    "extras": _OPAQUE,
    "relevant": {"type": "boolean"},
    "spots": _KEYWORD,
    "jurisdiction": _KEYWORD,
    "sentiment": {"properties": {"label": _KEYWORD, "score": {"type": "float"}}},
    "risk": {"properties": {"level": _KEYWORD, "score": {"type": "float"}, "categories": _KEYWORD}},
    "event_id": _KEYWORD,
    "explain": _OPAQUE,
    "first_seen_at": _DATE,
    "scored_at": _DATE,
    "thread_id": _KEYWORD,
    "parent_id": _KEYWORD,
    "root_id": _KEYWORD,
    "parent_text": {"type": "text", "index": False},
    "copy_of": _KEYWORD,
    "joined_by": _KEYWORD,
}

ALERT_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "rule": _KEYWORD,
    "level": _KEYWORD,
    "event_id": _KEYWORD,
    "post_ids": _KEYWORD,
    "spots": _KEYWORD,
    "jurisdiction": _KEYWORD,
    "summary": {"type": "text", "analyzer": "standard"},
    "summary_seg": _SEG,
    "categories": _KEYWORD,
    "rule_type": _KEYWORD,
    "reason": _OPAQUE,
    "evidence": _OPAQUE,
    "similar_count": {"type": "integer"},
    "raised_at": _DATE,
    "updated_at": _DATE,
    "recipients": _KEYWORD,
    "cc": _KEYWORD,
    "agencies": _KEYWORD,
    "notified_at": _DATE,
    "message_id": _KEYWORD,
    "delivered": _KEYWORD,
    "status": _KEYWORD,
    "assignee": _KEYWORD,
    "acknowledged_at": _DATE,
    "acknowledged_by": _KEYWORD,
    "resolved_at": _DATE,
    "resolved_by": _KEYWORD,
    "note": {"type": "text", "analyzer": "standard"},
    "event_status": _KEYWORD,
    "event_size": {"type": "integer"},
    "sources": _KEYWORD,
    "mailed": _OPAQUE,
    "history": _OPAQUE,
    "update_due_at": _DATE,
}

EVENT_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "first_post_id": _KEYWORD,
    "title": {"type": "text", "analyzer": "standard"},
    "title_seg": _SEG,
    "first_seen": _DATE,
    "last_seen": _DATE,
    "post_count": {"type": "integer"},
    "post_ids": _KEYWORD,
    "sources": _KEYWORD,
    "spots": _KEYWORD,
    "jurisdiction": _KEYWORD,
    "relevant": {"type": "boolean"},
    "peak_level": _KEYWORD,
    "peak_score": {"type": "float"},
    "categories": _KEYWORD,
    "simhash": _KEYWORD,
    "status": _KEYWORD,
    "evidence_post_id": _KEYWORD,
    "latest_post_id": _KEYWORD,
    "by_source": _OPAQUE,
    "joined_by": _OPAQUE,
    "negative_count": {"type": "integer"},
    "resolved_post_id": _KEYWORD,
    "resolved_reported_at": _DATE,
}

LETTER_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "event_id": _KEYWORD,
    "alert_id": _KEYWORD,
    "agency": _KEYWORD,
    "agency_name": _KEYWORD,
    "agency_email": _KEYWORD,
    "status": _KEYWORD,
    "number": _KEYWORD,
    "subject": {"type": "text", "analyzer": "standard"},
    "facts": {"type": "text", "analyzer": "standard"},
    "excerpt": {"type": "text", "analyzer": "standard"},
    "evidence": _OPAQUE,
    "requested_action": {"type": "text", "analyzer": "standard"},
    "spots": _KEYWORD,
    "jurisdiction": _KEYWORD,
    "categories": _KEYWORD,
    "level": _KEYWORD,
    "created_at": _DATE,
    "updated_at": _DATE,
    "approved_by": _KEYWORD,
    "approved_at": _DATE,
    "sent_at": _DATE,
    "message_id": _KEYWORD,
    "edited_by": _KEYWORD,
    "edited_at": _DATE,
    "rejected_by": _KEYWORD,
    "rejected_at": _DATE,
    "reject_reason": {"type": "text", "analyzer": "standard"},
    "sending_at": _DATE,
    "send_error": {"type": "keyword", "ignore_above": 1000},
}

# Reports (日报/周报/专报, dashboards/reports/): the report's data as built (read back, never searched), the
# analyst's draft of 研判建议, and the scheduled e-mail's record (a claim while sending, sent once).
REPORT_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "kind": _KEYWORD,
    "key": _KEYWORD,
    "event_id": _KEYWORD,
    "station": _KEYWORD,
    "title": {"type": "keyword", "ignore_above": 500},
    "period_label": {"type": "keyword", "ignore_above": 200},
    "start": _DATE,
    "end": _DATE,
    "data": _OPAQUE,
    "notes": {"type": "text", "index": False},
    "notes_by": _KEYWORD,
    "notes_at": _DATE,
    "generated_at": _DATE,
    "generated_by": _KEYWORD,
    "recipients": _KEYWORD,
    "message_id": _KEYWORD,
    "sending_at": _DATE,
    "sent_at": _DATE,
    "send_error": {"type": "keyword", "ignore_above": 1000},
    "attempts": {"type": "integer"},
}


def posts_mapping() -> dict[str, Any]:
    # strict: a field the schema gains but the mapping lacks fails loudly at index time (and in tests).
    return {"dynamic": "strict", "properties": POST_PROPERTIES}


def alerts_mapping() -> dict[str, Any]:
    return {"dynamic": "strict", "properties": ALERT_PROPERTIES}


def events_mapping() -> dict[str, Any]:
    return {"dynamic": "strict", "properties": EVENT_PROPERTIES}


def client(es: ElasticsearchSettings) -> Elasticsearch:
    """A client for the configured cluster."""
    auth = None
    if es.username:
        auth = (es.username, es.password.get_secret_value() if es.password else "")
    return Elasticsearch(es.urls, basic_auth=auth, request_timeout=es.request_timeout_s)


def async_client(es: ElasticsearchSettings) -> AsyncElasticsearch:
    """An asyncio client for the configured cluster (the web app's; close it with `await c.close()`)."""
    auth = None
    if es.username:
        auth = (es.username, es.password.get_secret_value() if es.password else "")
    return AsyncElasticsearch(es.urls, basic_auth=auth, request_timeout=es.request_timeout_s)


def _unreachable(es: ElasticsearchSettings, exc: Exception) -> ServiceError:
    return ServiceError("elasticsearch", f"cannot reach {es.url}: {exc} (is `yuqing services up` done?)")


def posts_index(es: ElasticsearchSettings, when: datetime) -> str:
    """The monthly index for a moment (months in Mile's time zone)."""
    local = (when if when.tzinfo else when.replace(tzinfo=UTC)).astimezone(TZ)
    return es.name(f"{POSTS}-{local:%Y.%m}")


def index_for(post: Post, es: ElasticsearchSettings | None = None) -> str:
    """The index a post belongs in: by publication month; when undated, the month the stream first saw it
    (kept with the post, so a re-crawl next month lands on the same document), else its crawl month."""
    first_seen = getattr(post, "first_seen_at", None)
    return posts_index(es or ElasticsearchSettings(), post.published_at or first_seen or post.crawled_at)


def to_document(post: ScoredPost) -> dict[str, Any]:
    """The post as indexed: its fields plus the segmented title and text."""
    doc = post.model_dump(mode="json")
    doc["text_seg"] = post.text_seg or segment(post.text)
    doc["title_seg"] = segment(post.title) if post.title else None
    return doc


def alert_document(alert: Alert) -> dict[str, Any]:
    doc = alert.model_dump(mode="json")
    doc["summary_seg"] = segment(alert.summary)
    return doc


def event_document(event: Event, title_seg: str | None = None) -> dict[str, Any]:
    """The event as indexed; `title_seg` when the caller segmented the title already."""
    doc = event.model_dump(mode="json")
    doc["title_seg"] = title_seg or (segment(event.title) if event.title else None)
    return doc


def index_post(
    es_client: Elasticsearch, es: ElasticsearchSettings, post: ScoredPost, refresh: bool = False
) -> str:
    """Index (or overwrite) a post under its stable id; returns the index name."""
    index = index_for(post, es)
    es_client.index(
        index=index, id=post.id, document=to_document(post), refresh="wait_for" if refresh else None
    )
    return index


def index_alert(
    es_client: Elasticsearch, es: ElasticsearchSettings, alert: Alert, refresh: bool = False
) -> None:
    es_client.index(
        index=es.name(ALERTS),
        id=alert.id,
        document=alert_document(alert),
        refresh="wait_for" if refresh else None,
    )


def chinese_query(text: str, fields: tuple[str, ...] = SEARCH_FIELDS) -> dict[str, Any]:
    """A query for Chinese user input, segmented like the index; every term counts up to two, then 75%."""
    terms = segment_query(text)
    if not terms:
        return {"match_none": {}}
    return {
        "multi_match": {
            "query": terms,
            "fields": list(fields),
            "type": "best_fields",
            "operator": "or",
            "minimum_should_match": "2<75%",
        }
    }


def search_posts(
    es_client: Elasticsearch,
    es: ElasticsearchSettings,
    text: str,
    filters: list[dict[str, Any]] | None = None,
    size: int = 20,
) -> list[dict[str, Any]]:
    """Posts matching a Chinese query (through the `posts` alias), best first, as `_source` dicts."""
    query = {"bool": {"must": [chinese_query(text)], "filter": filters or []}}
    resp = es_client.search(index=es.name(POSTS), query=query, size=size, ignore_unavailable=True)
    return [hit["_source"] for hit in resp["hits"]["hits"]]


def posts_template(es: ElasticsearchSettings) -> dict[str, Any]:
    """The composable index template of the monthly posts indices."""
    return {
        "index_patterns": [es.name(f"{POSTS}-*")],
        # A longer prefix is more specific: it wins over the unprefixed template if patterns overlap.
        "priority": 100 + len(es.index_prefix),
        "template": {
            "settings": {"number_of_shards": es.shards, "number_of_replicas": es.replicas},
            "mappings": posts_mapping(),
            "aliases": {es.name(POSTS): {}},
        },
        "_meta": {"managed_by": "yuqing init"},
    }


def ensure_indices(
    es_client: Elasticsearch, es: ElasticsearchSettings, now: datetime | None = None
) -> list[str]:
    """Template, current posts index with its alias, the alerts, events, letters and reports indices; existing
    ones get new fields."""
    lines: list[str] = []
    try:
        name = es.name(POSTS)
        es_client.indices.put_index_template(name=name, **posts_template(es))
        lines.append(f"index template {name}: patterns {es.name(POSTS)}-* → alias {name}")
        current = posts_index(es, now or datetime.now(UTC))
        lines.append(_ensure_index(es_client, current, None, "posts"))
        # Indices made under an older template gain the fields added since (mappings only grow).
        es_client.indices.put_mapping(index=es.name(f"{POSTS}-*"), **posts_mapping())
        alerts = es.name(ALERTS)
        body = {
            "settings": {"number_of_shards": 1, "number_of_replicas": es.replicas},
            "mappings": alerts_mapping(),
        }
        lines.append(_ensure_index(es_client, alerts, body, "alerts"))
        es_client.indices.put_mapping(index=alerts, **alerts_mapping())
        events = es.name(EVENTS)
        body = {
            "settings": {"number_of_shards": es.shards, "number_of_replicas": es.replicas},
            "mappings": events_mapping(),
        }
        lines.append(_ensure_index(es_client, events, body, "events"))
        es_client.indices.put_mapping(index=events, **events_mapping())
        letters = es.name(LETTERS)
        body = {
            "settings": {"number_of_shards": 1, "number_of_replicas": es.replicas},
            "mappings": {"dynamic": "strict", "properties": LETTER_PROPERTIES},
        }
        lines.append(_ensure_index(es_client, letters, body, "letters: 公安提示函 drafts"))
        es_client.indices.put_mapping(index=letters, properties=LETTER_PROPERTIES)
        reports = es.name(REPORTS)
        body = {
            "settings": {"number_of_shards": 1, "number_of_replicas": es.replicas},
            "mappings": {"dynamic": "strict", "properties": REPORT_PROPERTIES},
        }
        lines.append(_ensure_index(es_client, reports, body, "reports: 日报、周报、专报 and their e-mails"))
        es_client.indices.put_mapping(index=reports, properties=REPORT_PROPERTIES)
    except ESConnectionError as exc:
        raise _unreachable(es, exc) from exc
    except ApiError as exc:
        raise ServiceError("elasticsearch", f"setup failed: {exc}") from exc
    return lines


def _ensure_index(es_client: Elasticsearch, name: str, body: dict[str, Any] | None, what: str) -> str:
    if es_client.indices.exists(index=name):
        return f"index {name}: exists"
    try:
        es_client.indices.create(index=name, **(body or {}))
    except ApiError as exc:
        if exc.error != "resource_already_exists_exception":
            raise
        return f"index {name}: exists"
    return f"index {name}: created ({what})"


def delete_prefixed(es_client: Elasticsearch, es: ElasticsearchSettings) -> None:
    """Remove every index and template under the prefix (tests clean up with this; never unprefixed)."""
    if not es.index_prefix:
        raise ValueError("refusing to delete unprefixed indices")
    for index in es_client.indices.get(
        index=f"{es.index_prefix}*", expand_wildcards="all", ignore_unavailable=True
    ):
        es_client.indices.delete(index=index)
    with contextlib.suppress(NotFoundError):
        es_client.indices.delete_index_template(name=es.name(POSTS))
