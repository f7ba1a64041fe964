"""The sentiment baseline `yuqing eval` prints beside the model.

Character 1–3-gram TF-IDF + logistic regression (scikit-learn, sublinear tf), trained on the same TRAIN
split, its C chosen on the dev split.
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
