"""Stage 3, score: a micro-batch of envelopes through `models.runtime.scorer.Scorer`; `to_scored` makes the
indexed `ScoredPost` of one post once its event is settled.

A failing batch is retried (the scorer may have hit a transient fault); if it still fails, each post is scored
alone so that one poisonous post goes to the dead-letter topic with the reason and the others go on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from streams.envelope import Envelope
from yuqing.schema import ScoredPost
from yuqing.segment import segment

log = logging.getLogger(__name__)
BATCH_ATTEMPTS = 3


class BatchScorer(Protocol):
    def score(self, posts: list[Any]) -> list[dict[str, Any]]: ...


@dataclass
class Failure:
    envelope: Envelope
    reason: str


def _texts(envelopes: list[Envelope], post_text: Callable[[dict[str, Any]], Any]) -> list[Any]:
    return [post_text(e.post) for e in envelopes]


def score_batch(
    scorer: BatchScorer,
    envelopes: list[Envelope],
    post_text: Callable[[dict[str, Any]], Any],
    *,
    pause_s: float = 0.2,
) -> tuple[list[tuple[Envelope, dict[str, Any]]], list[Failure]]:
    """(envelope, the scorer's result) in input order, and the posts that could not be scored even alone."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            results = scorer.score(_texts(envelopes, post_text))
            return list(zip(envelopes, results, strict=True)), []
        except Exception as exc:  # the scorer's faults are unknown in kind: retry, then isolate
            log.warning("scoring a batch of %d failed (attempt %d): %r", len(envelopes), attempt, exc)
            time.sleep(pause_s * attempt)
    scored: list[tuple[Envelope, dict[str, Any]]] = []
    failed: list[Failure] = []
    for env in envelopes:
        try:
            (result,) = scorer.score(_texts([env], post_text))
            scored.append((env, result))
        except Exception as exc:
            failed.append(Failure(env, f"scorer failed: {type(exc).__name__}: {exc}"))
    return scored, failed


def to_scored(env: Envelope, result: dict[str, Any], text_seg: str | None = None) -> ScoredPost:
    """The indexed document: the post, the scores, its event and the segmented text (`text_seg`, when the
    caller segmented it already)."""
    post = env.post
    return ScoredPost.model_validate(
        {
            **{k: v for k, v in post.items() if k != "id"},
            "relevant": result["relevant"],
            "spots": result["spots"],
            "jurisdiction": result["jurisdiction"],
            "sentiment": result["sentiment"],
            "risk": result["risk"],
            "explain": result["explain"],
            "event_id": env.event_id,
            "text_seg": segment(post["text"]) if text_seg is None else text_seg,
            "first_seen_at": env.first_seen_at,
            "scored_at": datetime.now(UTC),
            "copy_of": env.copy_of,
            "joined_by": env.joined_by,
        }
    )
