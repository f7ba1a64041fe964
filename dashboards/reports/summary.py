"""The three-line summary of an event: its most central posts (extractive; no generation service).

Each post is a TF-IDF vector over its jieba words (the index's `text_seg`, words of two characters or more);
the event's centroid is the mean of the normalised vectors; the posts nearest the centroid (cosine) say what
most posts say. A near copy of a post already chosen (cosine ≥ COPY_COSINE) is skipped, so three reposts of
one text do not fill the summary.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

LINES = 3
COPY_COSINE = 0.8
EXCERPT_CHARS = 90
_SENTENCE_END = re.compile(r"[。！？!?；;]")

Vector = dict[str, float]


def tokens(segmented: str) -> list[str]:
    """The words that carry meaning: two characters or more, not pure digits or punctuation."""
    return [w for w in segmented.split() if len(w) >= 2 and not w.isdigit() and any(c.isalnum() for c in w)]


def _normalised(vec: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vec.values()))
    return {k: v / norm for k, v in vec.items()} if norm else {}


def tfidf(docs: Sequence[list[str]]) -> list[Vector]:
    """Sublinear TF × smoothed IDF, each vector normalised."""
    n = len(docs)
    df = Counter(w for doc in docs for w in set(doc))
    idf = {w: math.log((1 + n) / (1 + c)) + 1 for w, c in df.items()}
    return [_normalised({w: (1 + math.log(c)) * idf[w] for w, c in Counter(doc).items()}) for doc in docs]


def cosine(a: Vector, b: Vector) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(k, 0.0) for k, v in a.items())


def central(segmented: Sequence[str], lines: int = LINES) -> list[int]:
    """Indexes of the `lines` most central texts, most central first (fewer when fewer differ)."""
    docs = [tokens(s) for s in segmented]
    vectors = tfidf(docs)
    if not vectors:
        return []
    centroid: Vector = {}
    for vec in vectors:
        for k, v in vec.items():
            centroid[k] = centroid.get(k, 0.0) + v / len(vectors)
    ranked = sorted(range(len(vectors)), key=lambda i: (-cosine(vectors[i], centroid), i))
    chosen: list[int] = []
    for i in ranked:
        if not vectors[i] and chosen:
            continue
        if any(cosine(vectors[i], vectors[j]) >= COPY_COSINE for j in chosen):
            continue
        chosen.append(i)
        if len(chosen) == lines:
            break
    return chosen


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """One line of a post: up to its first sentence's end within `limit` characters, else cut with …"""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    head = flat[:limit]
    ends = [m.end() for m in _SENTENCE_END.finditer(head)]
    if ends and ends[-1] >= limit // 3:
        return head[: ends[-1]]
    return head.rstrip() + "…"
