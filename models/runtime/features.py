"""Text → model inputs: token ids with dynamic padding, plus the hashed n-gram ids of the wide part."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.runtime.heads import hash_ngrams


@dataclass
class Encoded:
    """One post's inputs before padding."""

    ids: list[int]
    ngrams: list[int]


def encode(tokenizer, texts: list[str], max_length: int, buckets: int, n_max: int = 3) -> list[Encoded]:
    """Tokenise (truncating to `max_length` tokens) and hash the n-grams of the same leading text."""
    enc = tokenizer(texts, add_special_tokens=True, truncation=True, max_length=max_length)["input_ids"]
    # n-grams cover about the same span the encoder sees (one token ≈ one Chinese character).
    return [
        Encoded(ids, hash_ngrams(text[: max_length * 2], buckets, n_max))
        for ids, text in zip(enc, texts, strict=True)
    ]


def pad(batch: list[Encoded], pad_id: int = 0) -> dict[str, np.ndarray]:
    """Pad a micro-batch to its own longest member (dynamic padding)."""
    n = len(batch)
    seq = max(len(e.ids) for e in batch)
    ng = max(1, max(len(e.ngrams) for e in batch))
    ids = np.full((n, seq), pad_id, dtype=np.int64)
    mask = np.zeros((n, seq), dtype=np.int64)
    ngrams = np.zeros((n, ng), dtype=np.int64)
    for i, e in enumerate(batch):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
        ngrams[i, : len(e.ngrams)] = e.ngrams
    return {"input_ids": ids, "attention_mask": mask, "ngram_ids": ngrams}


def length_batches(lengths: list[int], batch_size: int) -> list[list[int]]:
    """Indices grouped into micro-batches of similar length (longest first), so padding stays small."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    return [order[i : i + batch_size] for i in range(0, len(order), batch_size)]
