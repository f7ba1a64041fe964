"""The scorer: posts in, scores out — normalise, place, micro-batch through a runtime, decide, explain.

    scorer = Scorer.from_settings()              # MODEL_PATH, MODEL_RUNTIME, MODEL_BATCH_SIZE ...
    scorer.score(["弥勒湖泉有人落水了！", ...])    # → list of dicts, same order

Micro-batching with dynamic padding: a call's posts are sorted by length, cut into batches of
`batch_size`, padded to each batch's longest post, and put back in input order. The gazetteer reads the
whole (normalised) text, and so does the model: a text longer than its window of `max_length` tokens is
read in overlapping windows (`windows`) whose outputs are pooled (`pooled`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.runtime.engine import Runtime, load_runtime
from models.runtime.features import encode, length_batches, pad
from models.runtime.lexicon import load_lexicon, names_incident, risk_terms
from models.runtime.ngram import SENTIMENT_FILE, NgramHeads, blended, char_ngrams, with_sentiment
from models.runtime.relevance import (
    calibrated,
    decide_categories,
    decide_level,
    decide_relevance,
    high_support,
    thresholds_of,
)
from models.runtime.reported import report_cap
from yuqing.gazetteer import Matcher, default_matcher, default_stations, place
from yuqing.text import normalize_post_text, normalize_text

LEVEL_SEVERITY = {"none": 0.0, "low": 1 / 3, "medium": 2 / 3, "high": 1.0}


MAX_WINDOWS = 8  # a text is read up to about 8 windows long (≈ 1,500 characters); longer, evenly sampled
WINDOW_OVERLAP = 0.25  # of a window: a sentence cut by one window's edge is whole in the next


def windows(text: str, size: int, most: int = MAX_WINDOWS) -> list[str]:
    """The overlapping spans of `size` characters the encoder reads of `text` (the text itself when it
    fits); at most `most`, evenly spread from the first to the last."""
    if len(text) <= size:
        return [text]
    step = max(1, int(size * (1 - WINDOW_OVERLAP)))
    starts = sorted({min(s, len(text) - size) for s in range(0, len(text) - size + step, step)})
    if len(starts) > most:
        starts = [starts[round(i * (len(starts) - 1) / (most - 1))] for i in range(most)]
    return [text[s : s + size] for s in starts]


def pooled(out: dict[str, np.ndarray], counts: list[int], levels) -> dict[str, np.ndarray]:
    """One row per text from its windows' rows: the level and categories of its most severe window (a risk
    buried in the middle of a long review is the review's risk), relevance the highest (a diary about
    昆明 and then 弥勒 is about travel in Mile), sentiment the mean (the attitude of the whole)."""
    severity = np.array([LEVEL_SEVERITY.get(n, 0.0) for n in levels], dtype=np.float32)
    worst, merged = [], {k: [] for k in out}
    start = 0
    for n in counts:
        rows = slice(start, start + n)
        worst.append(start + int(np.argmax(out["level"][rows] @ severity)))
        for k, v in out.items():
            if k == "relevance":
                merged[k].append(v[rows].max(axis=0))
            elif k not in ("level", "categories"):
                merged[k].append(v[rows].mean(axis=0))
        start += n
    merged["level"] = list(out["level"][worst])
    merged["categories"] = list(out["categories"][worst])
    return {k: np.asarray(v, dtype=np.float32) for k, v in merged.items()}


@dataclass
class PostText:
    text: str
    title: str | None = None
    context: str | None = None  # what a reply or comment answers: its thread's opening post, its parent


def _in_context(context: str, text: str) -> str:
    return f"{context}\n{text}"


def _r(x: float) -> float:
    return round(float(x), 4)


class Scorer:
    """Batch of texts in, scores out; the runtime (torch or ONNX Runtime) is hidden behind `Runtime`."""

    def __init__(
        self,
        runtime: Runtime,
        tokenizer,
        *,
        batch_size: int = 32,
        max_length: int = 256,
        matcher: Matcher | None = None,
        stations=None,
        ngram: NgramHeads | None = None,
        sentiment_ngram: NgramHeads | None = None,
    ) -> None:
        self.runtime = runtime
        self.ngram = ngram
        self.tokenizer = tokenizer
        self.config = runtime.config
        self.batch_size = batch_size
        self.max_length = min(max_length, self.config.max_position_embeddings)
        self.matcher = matcher or default_matcher()
        self.stations = stations or default_stations()
        load_lexicon()  # a broken config/lexicon.yaml stops here, naming the key, not at the first post
        self.th = thresholds_of(self.config, encoder_alone=ngram is None and self._has_encoder_alone())
        # only with the risk heads (the encoder alone has no `mix_sentiment`), and only when it counts
        mixed = ngram is not None and self.th.get("mix_sentiment", 0.0) > 0
        self.sentiment_ngram = sentiment_ngram if mixed else None
        head = getattr(self.config, "sentiment_head", "auto")
        wide = bool(getattr(self.config, "wide_buckets", 0))
        self.sentiment_head = ("sentiment_wide" if wide else "sentiment") if head == "auto" else head

    def _has_encoder_alone(self) -> bool:
        return bool(getattr(self.config, "thresholds_encoder_alone", None))

    def encoder_alone(self) -> Scorer | None:
        """The same checkpoint without its n-gram heads, deciding with the thresholds fitted for the encoder
        alone (what the n-grams add, for `yuqing eval`); None when the checkpoint has no such thresholds."""
        if self.ngram is None or not self._has_encoder_alone():
            return None
        return Scorer(
            self.runtime,
            self.tokenizer,
            batch_size=self.batch_size,
            max_length=self.max_length,
            matcher=self.matcher,
            stations=self.stations,
        )

    @classmethod
    def load(
        cls,
        path: Path,
        runtime: str = "onnx",
        *,
        threads: int = 2,
        batch_size: int = 32,
        max_length: int = 256,
    ) -> Scorer:
        from models.runtime.tokenizer import ScoringTokenizer
        from yuqing.errors import ConfigError

        if not (Path(path) / "config.json").exists():
            raise ConfigError(
                str(path), "MODEL_PATH", "no Hugging Face checkpoint here (config.json missing)"
            )
        return cls(
            load_runtime(Path(path), runtime, threads),
            ScoringTokenizer(Path(path)),
            batch_size=batch_size,
            max_length=max_length,
            ngram=NgramHeads.load(Path(path)),
            sentiment_ngram=NgramHeads.load(Path(path), SENTIMENT_FILE),
        )

    @classmethod
    def from_settings(
        cls,
        settings=None,
        *,
        path: Path | None = None,
        runtime: str | None = None,
        batch_size: int | None = None,
        threads: int | None = None,
    ) -> Scorer:
        """The scorer MODEL_* settings describe; explicit arguments (from a command line, or a caller that
        runs several scorings at once and divides the threads) win."""
        from yuqing.settings import get_settings

        m = (settings or get_settings()).model
        return cls.load(
            path or m.path,
            runtime or m.runtime,
            threads=threads or m.threads,
            batch_size=batch_size or m.batch_size,
            max_length=m.max_length,
        )

    def probabilities(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per-head probabilities for normalised texts, in input order (micro-batched, dynamic padding), with
        the checkpoint's n-gram heads mixed in (models/runtime/ngram.py), the n-gram sentiment into the
        reported sentiment head; temperatures not yet applied. A text longer than the encoder's window is read
        whole, in overlapping windows (`windows`, `pooled`)."""
        spans = [windows(t, self.max_length - 2, MAX_WINDOWS) for t in texts]
        pieces = [w for ws in spans for w in ws]
        encs = encode(self.tokenizer, pieces, self.max_length, getattr(self.config, "wide_buckets", 0))
        out: dict[str, np.ndarray] = {}
        for idx in length_batches([len(e.ids) for e in encs], self.batch_size):
            probs = self.runtime(pad([encs[i] for i in idx], self.tokenizer.pad_token_id))
            for k, v in probs.items():
                if k not in out:
                    out[k] = np.zeros((len(pieces), *v.shape[1:]), dtype=np.float32)
                out[k][idx] = v
        if len(pieces) > len(texts):
            out = pooled(out, [len(ws) for ws in spans], self.config.risk_levels)
        if self.ngram is None:
            return out
        grams = [char_ngrams(t) for t in texts]  # counted once for both n-gram files
        # the n-gram heads read the whole text, not the encoder's window
        out = blended(out, self.ngram.probabilities(texts, grams), self.th)
        if self.sentiment_ngram is not None:
            sent = self.sentiment_ngram.probabilities(texts, grams)["sentiment"]
            out = with_sentiment(out, sent, self.sentiment_head, self.th)
        return out

    def score(self, posts: list[str | PostText]) -> list[dict[str, Any]]:
        """One dict per post (relevant, spots, jurisdiction, sentiment, risk, explain), in input order."""
        items = [p if isinstance(p, PostText) else PostText(p) for p in posts]
        return self.score_normalized(
            [normalize_post_text(p.title, p.text) for p in items],
            [normalize_text(p.context) if p.context else None for p in items],
        )

    def score_normalized(
        self, texts: list[str], contexts: list[str | None] | None = None
    ) -> list[dict[str, Any]]:
        """`score` for texts already normalised (title and text as `score` joins them, contexts too): the
        stream normalises each post once, at intake, and carries the result.

        A reply judged in its context (`contexts[i]`, what it answers): where it is and whether it is about
        Mile's tourism come from both together ("哪一家？" under a thread about 可邑小镇's prices);
        its level is the calmer of the reply alone and the reply in context, so a reply that adds nothing to
        a risky thread ("顶") does not inherit its risk, and a borderline reply under a calm thread
        ("已经打12345反映了" under a parking fee) is read as part of it; its sentiment is its own."""
        if not texts:
            return []
        probs = calibrated(self.probabilities(texts), self.th)
        rows = [{k: v[i] for k, v in probs.items()} for i in range(len(texts))]
        asked = [i for i, c in enumerate(contexts or []) if c]
        if not asked:
            return [self._decide(t, row) for t, row in zip(texts, rows, strict=True)]
        joined = {i: _in_context(contexts[i], texts[i]) for i in asked}  # type: ignore[index]
        both = calibrated(self.probabilities([joined[i] for i in asked]), self.th)
        for n, i in enumerate(asked):
            rows[i] = self._with_context(rows[i], {k: v[n] for k, v in both.items()})
        return [
            self._decide(t, row, context=joined.get(i))
            for i, (t, row) in enumerate(zip(texts, rows, strict=True))
        ]

    def _with_context(self, own: dict[str, np.ndarray], joined: dict[str, np.ndarray]) -> dict[str, Any]:
        """A reply's probabilities: relevance in context, level and categories the calmer reading's."""
        severity = np.array([LEVEL_SEVERITY.get(n, 0.0) for n in self.config.risk_levels])
        calmer = joined if float(joined["level"] @ severity) < float(own["level"] @ severity) else own
        return {
            **own,
            "relevance": joined["relevance"],
            "level": calmer["level"],
            "categories": calmer["categories"],
        }

    def _decide(self, text: str, p: dict[str, np.ndarray], context: str | None = None) -> dict[str, Any]:
        """`context`: the reply joined to what it answers, when it has that."""
        cfg, th = self.config, self.th
        match = self.matcher.match(text, normalized=True)
        if context is not None and not (match.spots or match.candidate_spots or match.in_mile):
            match = self.matcher.match(context, normalized=True)  # the reply is where its thread is
        relevant, rule = decide_relevance(match, float(p["relevance"]), th)
        placement = place(match, relevant, self.stations)
        sent = p[self.sentiment_head]
        s_labels = cfg.sentiment_labels
        s_best = int(np.argmax(sent))
        terms = risk_terms(text)
        level_rule, cap = "not relevant", None
        if relevant:
            missing = high_support(names_incident(terms), float(sent[list(s_labels).index("pos")]), th)
            level, level_rule = decide_level(p["level"], cfg.risk_levels, th, missing)
            cap = report_cap(text)
            if cap and cfg.risk_levels.index(level) > cfg.risk_levels.index(cap.level):
                level, level_rule = cap.level, f"{level_rule}; at most {cap.level}: {cap.why}"
            else:
                cap = None  # it changed nothing
            cats = decide_categories(p["categories"], cfg.risk_categories, level, th, terms.keys())
            risk_score = sum(
                LEVEL_SEVERITY.get(n, 0.0) * float(q)
                for n, q in zip(cfg.risk_levels, p["level"], strict=True)
            )
        else:  # not Mile's tourism: nothing for Mile's police to act on, whatever it describes
            level, cats, risk_score = "none", [], 0.0
        probabilities = {
            "relevance": _r(p["relevance"]),
            "sentiment": {n: _r(q) for n, q in zip(s_labels, sent, strict=True)},
            "level": {n: _r(q) for n, q in zip(cfg.risk_levels, p["level"], strict=True)},
            "categories": {n: _r(q) for n, q in zip(cfg.risk_categories, p["categories"], strict=True)},
        }
        if self.sentiment_head != "sentiment":
            probabilities["sentiment_encoder_only"] = {
                n: _r(q) for n, q in zip(s_labels, p["sentiment"], strict=True)
            }
        explain = {
            "place": match.explain(),
            "relevance_rule": rule,
            "level_rule": level_rule,
            "risk_terms": terms,
            "probabilities": probabilities,
            "thresholds": {k: v for k, v in th.items() if isinstance(v, float | int)},
            "runtime": getattr(self.runtime, "name", type(self.runtime).__name__),
        }
        if cap:  # the words that made the difference
            explain["report_cap"] = {"level": cap.level, "why": cap.why, "words": list(cap.words)}
        if context is not None:
            explain["read_in_context"] = True
        if len(text) > self.max_length - 2:  # roughly: one token per Chinese character
            explain["model_windows"] = len(windows(text, self.max_length - 2, MAX_WINDOWS))
        return {
            "relevant": relevant,
            "spots": placement.spots if relevant else [],
            "jurisdiction": placement.jurisdiction,
            "sentiment": {"label": s_labels[s_best], "score": _r(sent[s_best])},
            "risk": {"level": level, "score": _r(min(1.0, max(0.0, risk_score))), "categories": cats},
            "explain": explain,
        }
