"""The baselines `yuqing eval` prints beside the model.

Character 1–3-gram TF-IDF + logistic regression (scikit-learn, sublinear tf), trained on the same TRAIN
split, its C (and for categories, one-vs-rest, the decision threshold) chosen on the dev split.
"""

from __future__ import annotations

from models.training.corpus import Example


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


def train_news_baseline(train, dev):
    """3-way news sentiment from title + the first 512 characters (corpus.NewsItem.head(512))."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    best, best_acc = None, -1.0
    x_train, x_dev = [n.head(512) for n in train], [n.head(512) for n in dev]
    for c in (1.0, 4.0, 16.0):
        pipe = make_pipeline(
            TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2),
            LogisticRegression(C=c, max_iter=2000),
        )
        pipe.fit(x_train, [n.sentiment for n in train])
        acc = pipe.score(x_dev, [n.sentiment for n in dev])
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

    from models.training.metrics import micro_f1

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


def train_post_baseline(train: list[dict], dev: list[dict], names: list[str]):
    """The whole post judged by TF-IDF + LR heads, shaped like the scorer's output, for the tables that
    compare systems end to end: relevance (all posts), level (all posts, an irrelevant one is `none`),
    sentiment (3-way, all posts), categories (`train_category_baseline`). An irrelevant verdict gives level
    `none` and no categories, as in the scorer; so does level `none`. Returns texts → list of dicts."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True).fit(
        [r["text"] for r in train]
    )
    x, dx = vec.transform([r["text"] for r in train]), vec.transform([r["text"] for r in dev])

    def head(label):
        y, dy = [label(r) for r in train], [label(r) for r in dev]
        fits = [LogisticRegression(C=c, max_iter=2000).fit(x, y) for c in (4.0, 16.0, 64.0)]
        return max(fits, key=lambda m: m.score(dx, dy))

    relevance = head(lambda r: bool(r["relevant"]))
    level = head(lambda r: r.get("level", "none") if r["relevant"] else "none")
    sentiment = head(lambda r: r["sentiment"])
    categories = train_category_baseline(train, dev, names)

    def predict(texts: list[str]) -> list[dict]:
        xt = vec.transform(texts)
        out = []
        for rel, lvl, sent, cats in zip(
            relevance.predict(xt), level.predict(xt), sentiment.predict(xt), categories(texts), strict=True
        ):
            lvl = str(lvl) if rel else "none"
            out.append(
                {
                    "relevant": bool(rel),
                    "level": lvl,
                    "categories": sorted(cats) if lvl != "none" else [],
                    "sentiment": str(sent),
                }
            )
        return out

    return predict
