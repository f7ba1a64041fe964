"""Counts per time bucket for the window rules, kept small enough to write to a changelog on every post."""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import datetime
from typing import Any

BUCKETS_PER_WINDOW = 6


def bucket_size(window_s: float) -> int:
    return max(60, int(window_s // BUCKETS_PER_WINDOW))


def add(state: MutableMapping[str, Any], when: datetime, size: int, keep_s: float, **counts: int) -> None:
    """Add counts to the bucket of `when`, and forget buckets older than `keep_s` before it."""
    ts = when.timestamp()
    buckets: dict[str, dict[str, int]] = dict(state.get("buckets") or {})
    key = str(int(ts // size * size))
    slot = dict(buckets.get(key) or {})
    for name, n in counts.items():
        slot[name] = slot.get(name, 0) + n
    buckets[key] = slot
    state["buckets"] = {k: v for k, v in buckets.items() if ts - int(k) <= keep_s + size}


def total(state: MutableMapping[str, Any], name: str, start: float, end: float) -> int:
    """The sum of one count over buckets starting in [start, end)."""
    return sum(v.get(name, 0) for k, v in (state.get("buckets") or {}).items() if start <= int(k) < end)
