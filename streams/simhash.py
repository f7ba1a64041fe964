"""SimHash over character shingles, and the band keys that find near-duplicates without a full scan.

Two texts whose 64-bit SimHashes differ in at most `k` bits share at least one of `k + 1` bands exactly
(pigeonhole), so a candidate lookup by band finds every near-duplicate within `k`; candidates are then checked
by their real Hamming distance.
"""

from __future__ import annotations

import hashlib
import re
from itertools import pairwise

import numpy as np

BITS = 64
_REPOST_CHAIN = re.compile(r"//@[^:：\s]{1,30}[:：]")
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def canonical(normalized: str) -> str:
    """What near-duplicate detection compares: no repost markers, spaces or punctuation."""
    return _NOISE.sub("", _REPOST_CHAIN.sub("", normalized)).lower()


def _h64(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "big")


_SHIFTS = np.arange(BITS, dtype=np.uint64)


def simhash(text: str, shingle: int = 3) -> int:
    """64-bit SimHash of a text's character shingles (the text itself when shorter than one): each bit is set
    when more shingles' hashes have it set than not. Counted with numpy: a bit loop in Python cost the stream
    more than grouping itself on long posts."""
    text = canonical(text)
    grams = [text[i : i + shingle] for i in range(max(1, len(text) - shingle + 1))]
    hashes = np.fromiter((_h64(g) for g in grams), dtype=np.uint64, count=len(grams))
    ones = ((hashes[:, None] >> _SHIFTS) & np.uint64(1)).sum(axis=0)
    return sum(1 << bit for bit in np.flatnonzero(2 * ones > len(grams)).tolist())


def distance(a: int, b: int) -> int:
    return (a ^ b).bit_count()


def bands(value: int, k: int) -> list[int]:
    """The value cut into `k + 1` bands (as many bits each as fits); near-duplicates share one."""
    n = k + 1
    edges = [round(i * BITS / n) for i in range(n + 1)]
    return [(value >> lo) & ((1 << (hi - lo)) - 1) for lo, hi in pairwise(edges)]


def text_hash(normalized: str) -> str:
    """Identity of a text for exact-duplicate detection (after `canonical`)."""
    return hashlib.sha1(canonical(normalized).encode()).hexdigest()[:20]
