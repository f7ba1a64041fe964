"""The n-gram heads: character 1–3-gram TF-IDF + logistic regression beside the encoder, blended per head.

On written dev posts the encoder's level head is far behind a plain TF-IDF + LR head trained on the same
posts (dev log-loss 0.35 against 0.11): a 4-layer model pretrained for an hour on two CPU cores reads
phrases less well than a linear model over 55 k character n-grams. So the shipped judgement is a stacked
ensemble: for relevance, level and categories, the logits of both are mixed with a weight fitted on the
dev split (models/training/calibrate.py, `mix_<head>`; 0 = the encoder alone, 1 = the n-grams alone), and the
temperatures, thresholds and evidence rules of models/runtime/relevance.py read the mixture. A deployment that
fine-tunes a larger checkpoint (`yuqing train --init-from`) gets its own, fitted mixture.
Sentiment has an n-gram head too, in a file of its own (`ngram_sentiment.npz`): it learns from the reviews
and news as well as the posts, so its vocabulary is theirs; `mix_sentiment` blends it into the reported head.

Scoring needs numpy only: the vocabulary, idf and weights live in `ngram_heads.npz` beside the checkpoint,
and `NgramHeads.logits` reproduces scikit-learn's `TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
sublinear_tf=True)` (lowercase, runs of whitespace as one space, l2 norm) followed by the linear heads;
fitting them (scikit-learn) is training code: models/training/ngram_fit.py.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.runtime.relevance import from_logits, logits_of

NGRAM_FILE = "ngram_heads.npz"
SENTIMENT_FILE = "ngram_sentiment.npz"  # its own vocabulary: it also learns from the reviews
N_MAX = 3
MAX_CHARS = 4000  # a pasted novel should not cost seconds; posts and articles' leads fit easily
HEADS = ("relevance", "level", "categories")  # sigmoid, softmax, sigmoids
SOFTMAX_HEADS = ("level", "sentiment")
_WHITE = re.compile(r"\s\s+")  # what scikit-learn's char analyzer collapses


def char_ngrams(text: str, n_max: int = N_MAX) -> Counter:
    """Character 1..n-grams, counted, as scikit-learn's `analyzer="char"` produces them."""
    text = _WHITE.sub(" ", text[:MAX_CHARS].lower())
    return Counter(text[i : i + n] for n in range(1, n_max + 1) for i in range(len(text) - n + 1))


@dataclass
class NgramHeads:
    vocabulary: dict[str, int]
    idf: np.ndarray  # (V,)
    weights: dict[str, np.ndarray]  # head → (V, outputs)
    biases: dict[str, np.ndarray]  # head → (outputs,)

    def features(self, text: str, grams: Counter | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(column indices, l2-normalised sublinear tf-idf values) of one text (`grams`: its `char_ngrams`,
        when already counted for another set of heads)."""
        grams = char_ngrams(text) if grams is None else grams
        counts = [(self.vocabulary[g], c) for g, c in grams.items() if g in self.vocabulary]
        if not counts:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        idx = np.array([i for i, _ in counts], dtype=np.int64)
        val = np.array([1.0 + math.log(c) for _, c in counts]) * self.idf[idx]
        return idx, val / np.linalg.norm(val)

    def logits(self, texts: list[str], grams: list[Counter] | None = None) -> dict[str, np.ndarray]:
        out = {h: np.zeros((len(texts), len(b))) for h, b in self.biases.items()}
        for k, text in enumerate(texts):
            idx, val = self.features(text, grams[k] if grams is not None else None)
            for h, w in self.weights.items():
                out[h][k] = val @ w[idx].astype(np.float64) if len(idx) else 0.0
        return {h: v + self.biases[h] for h, v in out.items()}

    def probabilities(self, texts: list[str], grams: list[Counter] | None = None) -> dict[str, np.ndarray]:
        """The shapes of the encoder's heads: relevance (n,), level (n, 4), categories (n, 8); the
        sentiment file's one head, sentiment (n, 3)."""
        out = {}
        for head, lg in self.logits(texts, grams).items():
            if head in SOFTMAX_HEADS:
                out[head] = from_logits(lg)
            else:
                out[head] = from_logits(lg[:, 0] if lg.shape[1] == 1 else lg, binary=True)
        return out

    def save(self, folder: Path, name: str = NGRAM_FILE) -> Path:
        path = Path(folder) / name
        terms = sorted(self.vocabulary, key=self.vocabulary.get)
        arrays = {f"w_{h}": w.astype(np.float16) for h, w in self.weights.items()}
        arrays |= {f"b_{h}": b.astype(np.float32) for h, b in self.biases.items()}
        np.savez_compressed(path, vocabulary=np.array(terms), idf=self.idf.astype(np.float32), **arrays)
        return path

    @classmethod
    def load(cls, folder: Path, name: str = NGRAM_FILE) -> NgramHeads | None:
        """The checkpoint's n-gram heads (`name`), or None when it has none (the encoder alone scores)."""
        path = Path(folder) / name
        if not path.exists():
            return None
        with np.load(path, allow_pickle=False) as data:
            terms = data["vocabulary"].tolist()
            heads = [k[2:] for k in data.files if k.startswith("w_")]
            return cls(
                vocabulary={t: i for i, t in enumerate(terms)},
                idf=data["idf"].astype(np.float64),
                weights={h: data[f"w_{h}"].astype(np.float32) for h in heads},
                biases={h: data[f"b_{h}"].astype(np.float64) for h in heads},
            )


def blend(encoder: np.ndarray, ngram: np.ndarray, mix: float, binary: bool = False) -> np.ndarray:
    """Probabilities from the mixed logits (1 - mix) · encoder + mix · n-grams (log-odds for sigmoid
    heads, log-probabilities for the softmax head, whose constant shift softmax ignores)."""
    if mix <= 0.0:
        return np.asarray(encoder, dtype=np.float64)
    return from_logits((1 - mix) * logits_of(encoder, binary) + mix * logits_of(ngram, binary), binary)


def blended(p: dict[str, np.ndarray], ngram: dict[str, np.ndarray], th: dict[str, float]) -> dict:
    """The encoder's probabilities with each head's n-gram mixture (`mix_<head>` of the thresholds)."""
    out = dict(p)
    for head in HEADS:
        out[head] = blend(p[head], ngram[head], th.get(f"mix_{head}", 0.0), binary=head != "level")
    return out


def with_sentiment(p: dict[str, np.ndarray], sentiment: np.ndarray, head: str, th: dict) -> dict:
    """`p` with its reported sentiment head (`head`) mixed with the n-gram sentiment (`mix_sentiment`)."""
    mix = th.get("mix_sentiment", 0.0)
    return {**p, head: blend(p[head], sentiment, mix)} if mix > 0 else p
