"""The messages between the stream's stages: a post with what the stages learnt, and dead letters.

Internal topics carry JSON envelopes rather than bare posts so that a stage can pass on what the one before
learnt (place, event, where the post came from) without widening the public `Post` schema.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shlex
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DLQ_PREVIEW_CHARS = 2000
# Kafka's default message limit is 1 MiB and base64 adds a third: keep at most this much of an original.
DLQ_MAX_ORIGINAL_BYTES = 600_000
# Stages whose dead letters carry the posts.raw message's own key.
RAW_KEYED_STAGES = ("validate",)


@dataclass
class Envelope:
    """A post between stages. `origin` names the raw message (topic partition and offset) it came from."""

    post: dict[str, Any]
    normalized: str
    place: str
    origin: str
    replay: bool = False
    event_id: str | None = None
    event_new: bool = False
    update: bool = False
    first_seen_at: str | None = None
    produced_at: float = 0.0  # when the raw message reached Kafka (seconds): for latency figures
    links: dict[str, str] = field(default_factory=dict)  # thread / parent / root → post id
    joined_by: str | None = None  # how the post joined its event (streams.events)
    copy_of: str | None = None  # the original whose text this post copies
    copy_scores: dict[str, Any] | None = None  # the original's scores, when known
    urgent: bool = False  # sent down the fast lane
    extra: dict[str, Any] = field(default_factory=dict)

    def dumps(self) -> bytes:
        # its fields are JSON values already: no deep copy (dataclasses.asdict) before encoding them
        return json.dumps(vars(self), ensure_ascii=False).encode()

    @classmethod
    def loads(cls, data: bytes) -> Envelope:
        return cls(**json.loads(data))


def dead_letter(
    stage: str,
    reason: str,
    original: bytes | None,
    *,
    origin: str = "",
    key: bytes | None = None,
    field: str | None = None,
    post_id: str | None = None,
    letter_id: str | None = None,
) -> bytes:
    """A `posts.dlq` record: why, where, the original bytes (base64, plus a readable preview), its own `id`,
    and `replay`: the command that re-offers it once the cause is fixed.

    An original too large for a Kafka message is cut to its first DLQ_MAX_ORIGINAL_BYTES and its sha256 kept.
    """
    size = len(original or b"")
    kept = (original or b"")[:DLQ_MAX_ORIGINAL_BYTES]
    letter_id = letter_id or uuid.uuid4().hex
    key_text = key.decode("utf-8", "replace") if key else None
    record: dict[str, Any] = {
        "id": letter_id,
        "stage": stage,
        "reason": reason,
        "field": field,
        "post_id": post_id,
        "origin": origin,
        "key": key_text,
        "at": datetime.now(UTC).isoformat(),
        "original_b64": base64.b64encode(kept).decode() if original is not None else None,
        "original_preview": kept[:DLQ_PREVIEW_CHARS].decode("utf-8", "replace"),
        "original_bytes": size,
        "original_truncated": size > len(kept),
        "original_sha256": hashlib.sha256(original or b"").hexdigest(),
        "replay": replay_command(stage, letter_post_id(stage, post_id, key_text), letter_id),
    }
    return json.dumps(record, ensure_ascii=False).encode()


def letter_post_id(stage: str, post_id: str | None, key: str | None) -> str | None:
    """The post a dead letter is about: its `post_id`, else, for a raw message, its key (posts.raw is keyed by
    post id; keys of the stream's own hops are places, which name no post)."""
    return post_id or (key if stage in RAW_KEYED_STAGES else None)


def replay_command(stage: str, post_id: str | None, letter_id: str) -> str:
    """The `yuqing replay --dlq` line that selects this one record. A post id reads better in a duty log,
    but not every dead letter has one (unparseable input, an alert), and a bad message's key may hold control
    characters that do not belong on a command line: then the record's own id selects it."""
    readable = post_id and post_id.isprintable() and len(post_id) <= 300
    chosen = f"--post-id {shlex.quote(post_id)}" if readable else f"--id {letter_id}"
    return f"yuqing replay --dlq --stage {shlex.quote(stage)} {chosen}"
