"""`yuqing train`: the whole recipe from nothing to the shipped folder, phase by phase, resumable.

Phases (each skips itself when its output already exists in the work folder, so `--resume` after an
interruption continues where it stopped):
1. tokenizer — character vocabulary from the pretraining text (models/training/vocab.py);
2. pretrain — whole-word-masked MLM on People's Daily 1998 + review TRAIN + iNews TRAIN
   (models/training/pretrain.py);
3. finetune — multi-task heads on reviews, iNews and the labelled posts (written + a slice of template
   posts, models/training/corpus.py `training_posts`) (models/training/finetune.py), then temperatures and
   thresholds fitted on the dev splits, the posts' dev split being written (natural) posts only
   (models/training/calibrate.py);
4. export — the Hugging Face folder plus `model.int8.onnx` (models/training/export.py).
"""

from __future__ import annotations

import logging
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import torch

from models.training.pretrain import PretrainConfig, pretrain

log = logging.getLogger(__name__)
SEED = 20240601


@dataclass
class TrainPlan:
    pretrain: PretrainConfig = field(default_factory=PretrainConfig)
    finetune_epochs: float = 5.0
    finetune_batch: int = 32
    finetune_lr: float = 2e-4
    head_lr: float = 1e-3
    wide_lr: float = 5e-3
    max_length: int = 160
    model_overrides: dict = field(default_factory=dict)
    max_review_lines: int | None = None
    tourism_path: Path | None = None  # default: models/data/tourism_posts.jsonl
    init_from: Path | None = None  # an HF BERT folder (e.g. bert-base-chinese) instead of pretraining
    quick: bool = False


def quick_plan() -> TrainPlan:
    """A tiny run for tests: a 1-layer model, a few dozen steps, a slice of the data."""
    return TrainPlan(
        pretrain=PretrainConfig(
            steps=12, batch_tokens=512, short_len=64, long_len=128, warmup=2, save_every=6, max_lines=300
        ),
        finetune_epochs=0.05,
        finetune_batch=16,
        max_length=64,
        model_overrides=dict(
            hidden_size=32,
            num_hidden_layers=1,
            num_attention_heads=2,
            intermediate_size=64,
            wide_buckets=1 << 10,
        ),
        max_review_lines=400,
        quick=True,
    )


def build_tokenizer(work: Path, max_lines: int | None = None):
    from models.training.corpus import inews, news_lines, peoples_daily, sentiment_corpus
    from models.training.vocab import build_vocab, load_tokenizer, write_tokenizer
    from yuqing.gazetteer import default_matcher

    out = work / "tokenizer"
    if (out / "vocab.txt").exists():
        return load_tokenizer(out)
    texts = [e.text for e in sentiment_corpus()["train"]][:max_lines]
    texts += ["".join(words) for words in peoples_daily()][:max_lines]
    texts += news_lines(inews().get("train", []))[:max_lines]
    tokens = build_vocab(texts, always=default_matcher().names())
    log.info("vocabulary: %d tokens", len(tokens))
    return write_tokenizer(tokens, out)


def run(out_dir: Path, work: Path, plan: TrainPlan, resume: bool = True, phases: tuple = ()) -> dict:
    """Run the recipe; returns the time each phase took (seconds)."""
    from models.training.modeling import small_config

    torch.manual_seed(SEED)
    if not resume and work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True, exist_ok=True)
    times: dict[str, float] = {}
    t = time.time()
    if plan.init_from:
        # A deployment's own pretrained BERT (bert-base-chinese, RoBERTa-wwm ...): its vocabulary and size.
        from transformers import BertConfig

        from models.training.modeling import YuqingConfig
        from models.training.vocab import load_tokenizer

        tokenizer = load_tokenizer(plan.init_from)
        base = BertConfig.from_pretrained(str(plan.init_from)).to_dict()
        base.pop("model_type", None)
        config = YuqingConfig(**{**base, "wide_buckets": 1 << 18, **plan.model_overrides})
        encoder = Path(plan.init_from)
        times["tokenizer"] = time.time() - t
    else:
        tokenizer = build_tokenizer(work, plan.pretrain.max_lines)
        times["tokenizer"] = time.time() - t
        if phases and "pretrain" not in phases:
            return times
        config = small_config(len(tokenizer), **plan.model_overrides)
        t = time.time()
        encoder = pretrain(tokenizer, config, work / "pretrain", plan.pretrain, resume=resume)
        times["pretrain"] = time.time() - t
    if phases and "finetune" not in phases:
        return times

    from models.training.export import export_onnx, store_half
    from models.training.finetune import finetune

    t = time.time()
    model_dir = finetune(tokenizer, encoder, config, work / "finetune", plan, resume=resume)
    times["finetune"] = time.time() - t

    t = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    for f in model_dir.iterdir():
        if f.is_file():
            shutil.copy2(f, out_dir / f.name)
    # vocab.txt beside tokenizer.json: what BertTokenizerFast(vocab=...) and other BERT tools read
    vocab = tokenizer.get_vocab()
    (out_dir / "vocab.txt").write_text("\n".join(sorted(vocab, key=vocab.get)) + "\n", encoding="utf-8")
    export_onnx(out_dir)
    store_half(out_dir)
    times["export"] = time.time() - t
    return times
