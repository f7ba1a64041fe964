"""The n-gram heads: character 1–3-gram TF-IDF + logistic regression beside the encoder, blended per head.

On written dev posts the encoder's level head is far behind a plain TF-IDF + LR head trained on the same
posts (dev log-loss 0.35 against 0.11): a 4-layer model pretrained for an hour on two CPU cores reads
phrases less well than a linear model over 55 k character n-grams. So the shipped judgement is a stacked
ensemble: for relevance, level and categories, the logits of both are mixed with a weight fitted on the
dev split (models/calibrate.py, `mix_<head>`; 0 = the encoder alone, 1 = the n-grams alone), and the
temperatures, thresholds and evidence rules of models/relevance.py read the mixture. A deployment that
fine-tunes a larger checkpoint (`yuqing train --init-from`) gets its own, fitted mixture.
Sentiment has an n-gram head too, in a file of its own (`ngram_sentiment.npz`): it learns from the reviews
and news as well as the posts, so its vocabulary is theirs; `mix_sentiment` blends it into the reported head.

Scoring needs numpy only: the vocabulary, idf and weights live in `ngram_heads.npz` beside the checkpoint,
and `NgramHeads.logits` reproduces scikit-learn's `TfidfVectorizer(analyzer="char", ngram_range=(1, 3),
sublinear_tf=True)` (lowercase, runs of whitespace as one space, l2 norm) followed by the linear heads;
`fit` and `fit_sentiment` (training only) import scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from models.relevance import from_logits, logits_of

NGRAM_FILE = "ngram_heads.npz"
SENTIMENT_FILE = "ngram_sentiment.npz"  # its own vocabulary: it also learns from the reviews
N_MAX = 3
MAX_CHARS = 4000  # a pasted novel should not cost seconds; posts and articles' leads fit easily
HEADS = ("relevance", "level", "categories")  # sigmoid, softmax, sigmoids
SOFTMAX_HEADS = ("level", "sentiment")
SENTIMENT_CS = (4.0, 16.0)  # two values only: each fit over ~245 k n-grams and ~25 k texts takes seconds
_WHITE = re.compile(r"\s\s+")  # what scikit-learn's char analyzer collapses
_EPS = 1e-7


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


def fit(train: list[dict], dev: list[dict], levels: list[str], categories: list[str]) -> NgramHeads:
    """TF-IDF + LR heads on labelled posts (training only: scikit-learn). Relevance learns from every post,
    level and categories from the relevant ones (as the encoder's heads do); each head's C is the one with
    the least dev log-loss. n-grams seen in a single post are dropped: they name writers, not risks."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, N_MAX), sublinear_tf=True, min_df=2)
    x = vec.fit_transform([r["text"][:MAX_CHARS] for r in train])
    dx = vec.transform([r["text"][:MAX_CHARS] for r in dev])
    rel = [k for k, r in enumerate(train) if r.get("relevant")]
    drel = [k for k, r in enumerate(dev) if r.get("relevant")]

    def cats(rows, idx):
        return np.array([[c in rows[k].get("categories", []) for c in categories] for k in idx], dtype=int)

    weights, biases = {}, {}
    weights["relevance"], biases["relevance"] = _best_lr(
        x, np.array([bool(r.get("relevant")) for r in train], dtype=int),
        dx, np.array([bool(r.get("relevant")) for r in dev], dtype=int),
    )  # fmt: skip
    weights["level"], biases["level"] = _best_lr(
        x[rel], np.array([levels.index(train[k].get("level", "none")) for k in rel]),
        dx[drel], np.array([levels.index(dev[k].get("level", "none")) for k in drel]),
        classes=len(levels),
    )  # fmt: skip
    y, dy = cats(train, rel), cats(dev, drel)
    per_cat = [_best_lr(x[rel], y[:, j], dx[drel], dy[:, j]) for j in range(len(categories))]
    weights["categories"] = np.concatenate([w for w, _ in per_cat], axis=1)
    biases["categories"] = np.concatenate([b for _, b in per_cat])
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    return NgramHeads(vocab, vec.idf_.astype(np.float64), weights, biases)


def fit_sentiment(train: list[tuple[str, int]], dev: list[tuple[str, int]], classes: int = 3) -> NgramHeads:
    """A TF-IDF + LR sentiment head on (text, label) pairs: the reviews (neg/pos), the labelled posts and
    the news (neg/neu/pos), with a vocabulary of its own, since the reviews' words are not the posts'. C by
    dev log-loss; n-grams seen in a single text are dropped."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, N_MAX), sublinear_tf=True, min_df=2)
    x = vec.fit_transform([t[:MAX_CHARS] for t, _ in train])
    dx = vec.transform([t[:MAX_CHARS] for t, _ in dev])
    w, b = _best_lr(
        x, np.array([y for _, y in train]), dx, np.array([y for _, y in dev]), classes, SENTIMENT_CS
    )
    vocab = {t: int(i) for t, i in vec.vocabulary_.items()}
    return NgramHeads(vocab, vec.idf_.astype(np.float64), {"sentiment": w}, {"sentiment": b})


def _best_lr(
    x, y, dx, dy, classes: int = 2, cs: tuple[float, ...] = (16.0, 64.0, 256.0)
) -> tuple[np.ndarray, np.ndarray]:
    """(weights (V, outputs), bias) of the logistic regression with the least dev log-loss over C. A binary
    label gives one output (the log-odds of 1); a label never seen positive gives a constant."""
    from sklearn.linear_model import LogisticRegression

    present = np.unique(y)
    if len(present) < 2:  # nothing to learn (a category absent from the training posts): a constant
        only = int(present[0]) if len(present) else 0
        if classes == 2:
            return np.zeros((x.shape[1], 1)), np.array([10.0 if only == 1 else -10.0])
        b = np.full(classes, -10.0)
        b[only] = 10.0
        return np.zeros((x.shape[1], classes)), b
    fits = [_full(LogisticRegression(C=c, max_iter=3000).fit(x, y), classes) for c in cs]
    return min(fits, key=lambda wb: _log_loss(dx @ wb[0] + wb[1], dy)) if len(dy) else fits[len(cs) // 2]


def _full(model, classes: int) -> tuple[np.ndarray, np.ndarray]:
    """A fitted model as (V, outputs) weights and biases over all `classes` (a level the training posts
    never had stays at a logit of -10)."""
    if classes == 2:
        return model.coef_.T, model.intercept_
    w, b = np.zeros((model.coef_.shape[1], classes)), np.full(classes, -10.0)
    if len(model.classes_) == 2:  # scikit-learn's binary form: one vector, the log-odds of the second
        w[:, model.classes_[1]], b[model.classes_[1]] = model.coef_[0], model.intercept_[0]
        b[model.classes_[0]] = 0.0
    else:
        w[:, model.classes_], b[model.classes_] = model.coef_.T, model.intercept_
    return w, b


def _log_loss(logits: np.ndarray, y: np.ndarray) -> float:
    if logits.shape[1] == 1:
        p = 1 / (1 + np.exp(-logits[:, 0]))
        return float(-np.mean(np.log(np.clip(np.where(y == 1, p, 1 - p), _EPS, 1))))
    z = logits - logits.max(axis=1, keepdims=True)
    logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    return float(-np.mean(logp[np.arange(len(y)), y]))
