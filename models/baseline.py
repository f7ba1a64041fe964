"""The baselines `yuqing eval` prints beside the model.

Character 1–3-gram TF-IDF + logistic regression (scikit-learn, sublinear tf), trained on the same TRAIN
split, its C (and for categories, one-vs-rest, the decision threshold) chosen on the dev split.
"""

from __future__ import annotations

from models.corpus import Example


def train_baseline(train: list[Example], dev: list[Example]):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    best, best_acc = None, -1.0
    for c in (4.0, 16.0, 64.0):
        pipe = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=1),
            LogisticRegression(C=c, max_iter=2000),
        )
        pipe.fit([e.text for e in train], [e.label for e in train])
        acc = pipe.score([e.text for e in dev], [e.label for e in dev])
        if acc > best_acc:
            best, best_acc = pipe, acc
    return best


def train_category_baseline(train: list[dict], dev: list[dict], names: list[str]):
    """One-vs-rest over the relevant posts' categories; returns texts → list of category sets."""
    import numpy as np
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline

    from models.metrics import micro_f1

    def xy(rows):
        rows = [r for r in rows if r.get("relevant")]
        y = np.array([[n in r.get("categories", []) for n in names] for r in rows], dtype=int)
        return [r["text"] for r in rows], y, [set(r.get("categories", [])) for r in rows]

    def sets(probs, t):
        return [{n for n, q in zip(names, row, strict=True) if q >= t} for row in probs]

    x, y, _ = xy(train)
    dx, _, dgold = xy(dev)
    best, best_f1 = None, -1.0
    for c in (4.0, 16.0):
        pipe = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True),
            OneVsRestClassifier(LogisticRegression(C=c, max_iter=2000)),
        ).fit(x, y)
        probs = pipe.predict_proba(dx)
        for t in (0.2, 0.3, 0.4, 0.5):
            f1 = micro_f1(dgold, sets(probs, t))
            if f1 > best_f1:
                best, best_f1 = (pipe, t), f1
    pipe, t = best
    return lambda texts: sets(pipe.predict_proba(texts), t)
