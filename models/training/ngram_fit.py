"""Fitting the n-gram heads (models/runtime/ngram.py): TF-IDF + logistic regression with scikit-learn.

The heads are written into the checkpoint folder (`NgramHeads.save`) and scored with numpy alone.
"""

from __future__ import annotations

import numpy as np

from models.runtime.ngram import MAX_CHARS, N_MAX, NgramHeads

SENTIMENT_CS = (4.0, 16.0)  # two values only: each fit over ~245 k n-grams and ~25 k texts takes seconds
_EPS = 1e-7


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
