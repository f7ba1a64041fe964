"""What scoring needs to know about the model without torch: label names, the n-gram hash, the config.

A worker or web process scores through ONNX Runtime and imports only `models.runtime` (this, `features`,
`engine`, `tokenizer`, `relevance`, `lexicon`, `scorer`); `models.training.modeling` builds the torch model
from the same names and reads the same `config.json`.
"""

from __future__ import annotations

import json
import zlib
from pathlib import Path
from types import SimpleNamespace

SENTIMENT_LABELS = ["neg", "neu", "pos"]
RISK_CATEGORIES = [
    "public_order",
    "traffic",
    "safety",
    "consumer",
    "health",
    "disaster",
    "police",
    "environment",
]
RISK_LEVELS = ["none", "low", "medium", "high"]

# YuqingConfig's head fields and their defaults when config.json leaves one out
# (see models/training/modeling.py).
HEAD_DEFAULTS = {
    "sentiment_labels": SENTIMENT_LABELS,
    "risk_categories": RISK_CATEGORIES,
    "risk_levels": RISK_LEVELS,
    "wide_buckets": 0,
    "wide_dim": 8,
    "wide_ngrams": 3,
    "thresholds": {},
    "sentiment_head": "auto",
    "pooling": "cls",
    "wide_style": "concat",
    "wide_mix": 1.0,
    "sentiment_bias": None,
    "max_position_embeddings": 512,
}


def read_config(path: Path) -> SimpleNamespace:
    """The checkpoint's `config.json` as attributes (what `YuqingConfig.from_pretrained` would hold for the
    fields scoring reads), without transformers."""
    data = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    values = {k: (list(v) if isinstance(v, list) else v) for k, v in HEAD_DEFAULTS.items()}
    values.update({k: v for k, v in data.items() if v is not None or k not in HEAD_DEFAULTS})
    return SimpleNamespace(**values)


def hash_ngrams(text: str, buckets: int, n_max: int = 3, limit: int = 768) -> list[int]:
    """Hashed character 1..n-grams of `text` (crc32, stable across processes and machines).

    Ids start at 1; 0 is padding."""
    if buckets <= 0:
        return []
    out: list[int] = []
    for n in range(1, n_max + 1):
        for i in range(len(text) - n + 1):
            out.append(1 + zlib.crc32(text[i : i + n].encode("utf-8")) % (buckets - 1))
            if len(out) >= limit:
                return out
    return out
