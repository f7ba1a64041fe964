"""Which cheap measure says two posts are about the same happening? The surge's texts (bench/data/surge.yaml):
for each of the incident's comments, is the incident's first post nearer to it than every one of the five
other emergencies (each at another spot, several of the same kind)? A measure that cannot tell them apart from
the comment's words alone leaves the join to place, time and kind (what streams/events.py does).

Measures: the encoder's sentence vector (cosine; mean of the last hidden states, and BERT's pooled [CLS]),
from the shipped checkpoint with torch (skipped without the `train` extra); character bigrams (overlap over
the smaller set; with the place names, and without their characters: the stream compares posts of one place,
where the place's name says nothing); telling words (yuqing.segment.words_of: jieba words rarer than 1,000
in jieba's dictionary). Baseline: chance, 1 in 6.
"""

from __future__ import annotations

import importlib.util
import itertools
from collections.abc import Callable

from bench.surge_bench import load_texts
from yuqing.gazetteer import default_matcher
from yuqing.segment import segment, words_of
from yuqing.settings import get_settings
from yuqing.text import normalize_text


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _bigrams(text: str, without: str = "") -> set[str]:
    chars = [c for c in normalize_text(text) if c.isalnum() and c not in without]
    return {x + y for x, y in itertools.pairwise(chars)}


def nearer(
    first: str, comments: list[str], others: list[str], similarity: Callable[[str, str], float]
) -> int:
    """How many comments are strictly more similar to `first` than to every text of `others`."""
    return sum(similarity(first, c) > max(similarity(o, c) for o in others) for c in comments)


def encoder_similarities() -> dict[str, Callable[[str, str], float]]:
    """Cosine of the shipped encoder's vectors (mean-pooled, pooled [CLS]); empty without torch."""
    if importlib.util.find_spec("torch") is None:
        return {}
    import numpy as np
    import torch
    from tokenizers import Tokenizer

    from models.training.modeling import YuqingScorerModel

    path = get_settings().model.path
    model = YuqingScorerModel.from_pretrained(str(path), dtype=torch.float32).eval()
    tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def vectors(text: str) -> tuple[np.ndarray, np.ndarray]:
        if text not in cache:
            ids = torch.tensor([tokenizer.encode(normalize_text(text)).ids[:128]])
            with torch.no_grad():
                out = model.bert(input_ids=ids, attention_mask=torch.ones_like(ids))
            hidden = out.last_hidden_state[0]
            pooled = out.pooler_output[0] if out.pooler_output is not None else hidden[0]
            cache[text] = (hidden.mean(0).numpy(), pooled.numpy())
        return cache[text]

    def cosine(which: int) -> Callable[[str, str], float]:
        def similarity(a: str, b: str) -> float:
            x, y = vectors(a)[which], vectors(b)[which]
            return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y) + 1e-9))

        return similarity

    return {"encoder, mean of hidden states": cosine(0), "encoder, pooled [CLS]": cosine(1)}


def main(quick: bool = False) -> None:
    texts = load_texts()
    first = texts["incident"]["first"]
    comments = texts["incident"]["comments"]
    others = [e["text"] for e in texts["emergencies"]]
    places = "".join(default_matcher().names())
    measures: dict[str, Callable[[str, str], float]] = {
        "character bigrams": lambda a, b: _overlap(_bigrams(a), _bigrams(b)),
        "character bigrams, place names' characters removed": lambda a, b: _overlap(
            _bigrams(a, places), _bigrams(b, places)
        ),
        "telling words": lambda a, b: _overlap(words_of(segment(a)), words_of(segment(b))),
        **encoder_similarities(),
    }
    print(
        f"happening benchmark: {len(comments)} comments on one incident; is its first post nearer to each "
        f"than all {len(others)} other emergencies?"
    )
    print()
    print("| measure | comments nearer to their incident | baseline (chance) | ratio |")
    print("| --- | --- | --- | --- |")
    chance = len(comments) / (len(others) + 1)
    for name, similarity in measures.items():
        n = nearer(first, comments, others, similarity)
        print(f"| {name} | {n} of {len(comments)} | {chance:.1f} | {n / chance:.2f} |")
    if len(measures) == 2:
        print("  (encoder measures skipped: torch is in the `train` extra)")
