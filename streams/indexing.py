"""Stage 4, index: scored posts and event snapshots into Elasticsearch, in bulk, under stable ids.

A post's id is its document id and its index is decided once (publication month, else first sighting), so a
redelivery or a replay overwrites the same document. Elasticsearch being down (connection errors, 429, 5xx)
blocks the stage until it returns; a document Elasticsearch refuses for what it is (a 4xx on the item) is
returned to the caller for the dead-letter topic instead of being retried for ever.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from elasticsearch import ApiError, AsyncElasticsearch, TransportError
from elasticsearch import ConnectionError as ESConnectionError
from pydantic import ValidationError

from streams.events import public
from streams.retry import until_done
from yuqing import es as es_setup
from yuqing.schema import Event, ScoredPost
from yuqing.settings import ElasticsearchSettings

log = logging.getLogger(__name__)


class BulkRetry(Exception):
    """Some items failed for reasons that may pass (429, 5xx): the batch is sent again."""


@dataclass
class Refused:
    doc_id: str
    reason: str


def document_json(post: ScoredPost) -> bytes:
    """The post as indexed (`yuqing.es.to_document`), serialised once: the same bytes go to Elasticsearch and
    to posts.scored (a `ScoredPost` reader ignores the one extra field, title_seg)."""
    if post.title:
        return json.dumps(es_setup.to_document(post), ensure_ascii=False).encode()
    return post.model_dump_json().encode()  # without a title, to_document adds nothing but title_seg: None


def post_actions(
    es: ElasticsearchSettings, posts: list[ScoredPost], docs: list[bytes] | None = None
) -> list[Any]:
    """Bulk lines for the posts (`docs`: their `document_json`, when the caller has them already)."""
    docs = docs if docs is not None else [document_json(p) for p in posts]
    ops: list[Any] = []
    for post, doc in zip(posts, docs, strict=True):
        ops += [{"index": {"_index": es_setup.index_for(post, es), "_id": post.id}}, doc]
    return ops


def event_actions(
    es: ElasticsearchSettings, events: list[dict[str, Any]], version: int | None = None
) -> list[dict[str, Any]]:
    """Bulk lines for event snapshots; with `version`, an external one (`external_gte`: the same snapshot sent
    again is accepted, an older one is refused with a version conflict)."""
    latest = {e["id"]: e for e in events}  # several snapshots of one event: the last wins
    versioned = {"version": version, "version_type": "external_gte"} if version is not None else {}
    ops: list[dict[str, Any]] = []
    for event in latest.values():
        fields = {k: v for k, v in public(event).items() if k != "title_seg"}
        try:
            valid = Event.model_validate(fields)
        except ValidationError as exc:  # derived state: one bad snapshot must not stop the others
            log.error("event snapshot %s skipped: %s", event.get("id"), exc)
            continue
        doc = es_setup.event_document(valid, event.get("title_seg"))
        ops += [{"index": {"_index": es.name(es_setup.EVENTS), "_id": event["id"], **versioned}}, doc]
    return ops


async def bulk(client: AsyncElasticsearch, operations: list[dict[str, Any]]) -> list[Refused]:
    """One bulk request; transient item failures raise BulkRetry, permanent ones are returned."""
    if not operations:
        return []
    try:
        resp = await client.bulk(operations=operations)
    except ApiError as exc:  # the whole request refused: overloaded, or shards recovering after a restart
        if exc.status_code == 429 or exc.status_code >= 500:
            raise BulkRetry(f"bulk answered {exc.status_code}") from exc
        raise
    if not resp.get("errors"):
        return []
    refused, transient = [], 0
    for item in resp["items"]:
        result = next(iter(item.values()))
        status = result.get("status", 500)
        if status < 300:
            continue
        if status == 429 or status >= 500:
            transient += 1
        else:
            refused.append(Refused(result.get("_id", ""), str(result.get("error"))[:500]))
    if transient:
        raise BulkRetry(f"{transient} documents failed with a transient status")
    return refused


async def bulk_until_done(
    client: AsyncElasticsearch, operations: list[dict[str, Any]], max_pause_s: float, on_failure=None
) -> list[Refused]:
    """`bulk`, retried while Elasticsearch is unreachable or overloaded (indexing is idempotent by id)."""
    return await until_done(
        "elasticsearch bulk",
        lambda: bulk(client, operations),
        transient=(ESConnectionError, TransportError, BulkRetry, OSError, TimeoutError),
        max_pause_s=max_pause_s,
        on_failure=on_failure,
    )
