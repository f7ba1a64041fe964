"""Stage 3, score: a micro-batch of envelopes through `models.scorer.Scorer`, into `ScoredPost` documents.

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
) -> tuple[list[tuple[Envelope, ScoredPost]], list[Failure]]:
    """(envelope, scored post) in input order, and the posts that could not be scored even alone."""
    for attempt in range(1, BATCH_ATTEMPTS + 1):
        try:
            results = scorer.score(_texts(envelopes, post_text))
            return [(e, to_scored(e, r)) for e, r in zip(envelopes, results, strict=True)], []
        except Exception as exc:  # the scorer's faults are unknown in kind: retry, then isolate
            log.warning("scoring a batch of %d failed (attempt %d): %r", len(envelopes), attempt, exc)
            time.sleep(pause_s * attempt)
    scored: list[tuple[Envelope, ScoredPost]] = []
    failed: list[Failure] = []
    for env in envelopes:
        try:
            (result,) = scorer.score(_texts([env], post_text))
            scored.append((env, to_scored(env, result)))
        except Exception as exc:
            failed.append(Failure(env, f"scorer failed: {type(exc).__name__}: {exc}"))
    return scored, failed


def to_scored(env: Envelope, result: dict[str, Any]) -> ScoredPost:
    """The indexed document: the post, the scores, its event and the segmented text."""
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
            "text_seg": segment(post["text"]),
            "first_seen_at": env.first_seen_at,
            "scored_at": datetime.now(UTC),
            "copy_of": env.copy_of,
            "joined_by": env.joined_by,
        }
    )


def result_of(post: ScoredPost) -> dict[str, Any]:
    """The scorer's answer as `to_scored` received it (what settles the event and what copies take)."""
    return post.model_dump(
        mode="json", include={"relevant", "spots", "jurisdiction", "sentiment", "risk", "explain"}
    )
