"""Split the sources between N crawler processes without overlap: `--shard i/N`.

A source belongs to shard `sha1(name) mod N` (0-based). The hash is of the name alone, so every process
computes the same split with no coordination, and a source stays on its shard while the sources around it
come and go. Changing N reshuffles; run all N processes with the same N.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import TypeVar

T = TypeVar("T")
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def shard_of(name: str, count: int) -> int:
    """The shard (0..count-1) that owns the source `name`."""
    if count < 1:
        raise ValueError("shard count must be at least 1")
    return int.from_bytes(hashlib.sha1(name.encode("utf-8")).digest()[:8], "big") % count


def parse_shard(text: str) -> tuple[int, int]:
    """`"1/3"` → (1, 3); the index is 0-based and below the count."""
    match = _SHARD.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a shard: write i/N, e.g. 0/3")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or not 0 <= index < count:
        raise ValueError(f"{text!r}: the index must be 0..N-1 and N at least 1")
    return index, count


def select(items: Iterable[T], index: int, count: int, name=lambda item: item.name) -> list[T]:
    """The items this shard owns."""
    return [item for item in items if shard_of(name(item), count) == index]
