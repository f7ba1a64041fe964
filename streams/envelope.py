"""The messages between the stream's stages: a post with what the stages learnt, and dead letters.

Internal topics carry JSON envelopes rather than bare posts so that a stage can pass on what the one before
learnt (place, event, where the post came from) without widening the public `Post` schema.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

DLQ_PREVIEW_CHARS = 2000
# Kafka's default message limit is 1 MiB and base64 adds a third: keep at most this much of an original.
DLQ_MAX_ORIGINAL_BYTES = 600_000


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
    extra: dict[str, Any] = field(default_factory=dict)

    def dumps(self) -> bytes:
        return json.dumps(asdict(self), ensure_ascii=False).encode()

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
) -> bytes:
    """A `posts.dlq` record: why, where, and the original bytes (base64, plus a readable preview).

    An original too large for a Kafka message is cut to its first DLQ_MAX_ORIGINAL_BYTES and its sha256 kept.
    """
    size = len(original or b"")
    kept = (original or b"")[:DLQ_MAX_ORIGINAL_BYTES]
    record: dict[str, Any] = {
        "stage": stage,
        "reason": reason,
        "field": field,
        "post_id": post_id,
        "origin": origin,
        "key": key.decode("utf-8", "replace") if key else None,
        "at": datetime.now(UTC).isoformat(),
        "original_b64": base64.b64encode(kept).decode() if original is not None else None,
        "original_preview": kept[:DLQ_PREVIEW_CHARS].decode("utf-8", "replace"),
        "original_bytes": size,
        "original_truncated": size > len(kept),
        "original_sha256": hashlib.sha256(original or b"").hexdigest(),
    }
    return json.dumps(record, ensure_ascii=False).encode()
