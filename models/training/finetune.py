"""Multi-task fine-tuning: one pass over mixed batches of reviews, news and posts, losses masked per head.

- reviews (TRAIN split): sentiment only, neg → `neg`, pos → `pos` (the corpus has no neutral class);
- iNews news (TRAIN split): 3-way sentiment, and not relevant unless a Mile place is named;
- labelled posts (written TRAIN + a slice of template TRAIN, models/training/corpus.py `training_posts`;
  dev is the written DEV split): sentiment (incl. `neu`) and relevance for all; risk categories and level
  for relevant posts only — an irrelevant post's level is `none` by rule (models/runtime/scorer.py), and
  teaching the level head that an accident in 大理 is `none` would teach it to overlook accidents.
The level loss weighs `high` most (a missed emergency is the worst failure). The best epoch on dev is kept
(resumable per epoch); then the n-gram heads are fitted on the same labelled posts
(models/training/ngram_fit.py), and their mixture with the encoder, the temperatures and the thresholds on
the dev splits (models/training/calibrate.py).
"""

from __future__ import annotations

import logging
import os
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm
from transformers import BertModel

from models.runtime.features import Encoded, encode, pad
from models.training.modeling import (
    RISK_CATEGORIES,
    RISK_LEVELS,
    SENTIMENT_LABELS,
    YuqingScorerModel,
    ema,
    optimizer_step,
    warmup_linear_decay,
)

log = logging.getLogger(__name__)
LEVEL_WEIGHTS = [1.0, 1.0, 1.5, 2.0]
NGRAM_DROPOUT = 0.3
TOURISM_REPEAT = 2  # the tourism set is small beside the reviews: see it twice per epoch


@dataclass
class Item:
    enc: Encoded
    text: str = ""
    sent: int = -1
    rel: int = -1
    cats: list[float] | None = None
    level: int = -1


def review_items(tokenizer, examples, max_length: int, buckets: int) -> list[Item]:
    encs = encode(tokenizer, [e.text for e in examples], max_length, buckets)
    return [Item(enc, e.text, sent=0 if e.label == 0 else 2) for enc, e in zip(encs, examples, strict=True)]


def tourism_items(tokenizer, rows: list[dict], max_length: int, buckets: int) -> list[Item]:
    encs = encode(tokenizer, [r["text"] for r in rows], max_length, buckets)
    items = []
    for enc, r in zip(encs, rows, strict=True):
        relevant = bool(r.get("relevant"))
        item = Item(enc, r["text"], sent=SENTIMENT_LABELS.index(r.get("sentiment", "neu")), rel=int(relevant))
        if relevant:
            item.cats = [1.0 if c in r.get("categories", []) else 0.0 for c in RISK_CATEGORIES]
            item.level = RISK_LEVELS.index(r.get("level", "none"))
        items.append(item)
    return items


def news_items(tokenizer, news, max_length: int, buckets: int) -> list[Item]:
    """iNews: 3-way news sentiment for every item, and `not relevant` for those naming no Mile place (real
    incident news from elsewhere — the negatives the relevance head most needs)."""
    from yuqing.gazetteer import default_matcher

    matcher = default_matcher()
    texts = [n.head() for n in news]
    encs = encode(tokenizer, texts, max_length, buckets)
    return [
        Item(enc, t, sent=SENTIMENT_LABELS.index(n.sentiment), rel=-1 if matcher.match(t).maybe_mile else 0)
        for enc, t, n in zip(encs, texts, news, strict=True)
    ]


def collate(items: list[Item], pad_id: int) -> dict[str, torch.Tensor]:
    batch = {k: torch.as_tensor(v) for k, v in pad([i.enc for i in items], pad_id).items()}
    batch["sent"] = torch.tensor([i.sent for i in items])
    batch["rel"] = torch.tensor([i.rel for i in items])
    batch["level"] = torch.tensor([i.level for i in items])
    batch["cats"] = torch.tensor([i.cats or [-1.0] * len(RISK_CATEGORIES) for i in items])
    return batch


def batches(items: list[Item], size: int, rng: random.Random) -> list[list[Item]]:
    """Shuffle, then sort within pools of 50 batches by length: little padding, still random."""
    order = items[:]
    rng.shuffle(order)
    out = []
    pool = size * 50
    for start in range(0, len(order), pool):
        chunk = sorted(order[start : start + pool], key=lambda i: len(i.enc.ids))
        out += [chunk[j : j + size] for j in range(0, len(chunk), size)]
    rng.shuffle(out)
    return out


def loss_of(logits: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> torch.Tensor:
    total = logits["relevance"].new_zeros(())
    s = b["sent"] >= 0
    if s.any():
        total = total + nn.functional.cross_entropy(logits["sentiment"][s], b["sent"][s])
        # the n-gram logits learn on their own (ensemble), or the joint head does (concat)
        wide = logits.get("sentiment_ngram", logits.get("sentiment_wide"))
        if wide is not None:
            total = total + nn.functional.cross_entropy(wide[s], b["sent"][s])
    r = b["rel"] >= 0
    if r.any():
        total = total + nn.functional.binary_cross_entropy_with_logits(
            logits["relevance"][r], b["rel"][r].float()
        )
    c = b["cats"][:, 0] >= 0
    if c.any():
        total = total + nn.functional.binary_cross_entropy_with_logits(logits["categories"][c], b["cats"][c])
    lv = b["level"] >= 0
    if lv.any():
        w = torch.tensor(LEVEL_WEIGHTS)
        total = total + nn.functional.cross_entropy(logits["level"][lv], b["level"][lv], weight=w)
    return total


@torch.inference_mode()
def predict(
    model: YuqingScorerModel, items: list[Item], pad_id: int, size: int = 64
) -> dict[str, np.ndarray]:
    """Probabilities per head for `items`, in their order."""
    model.eval()
    order = sorted(range(len(items)), key=lambda i: len(items[i].enc.ids))
    parts: dict[str, list] = {}
    for start in range(0, len(order), size):
        idx = order[start : start + size]
        b = collate([items[i] for i in idx], pad_id)
        lg = model(b["input_ids"], b["attention_mask"], b["ngram_ids"])
        probs = {
            "relevance": torch.sigmoid(lg["relevance"]),
            "sentiment": torch.softmax(lg["sentiment"], -1),
            "sentiment_wide": torch.softmax(lg.get("sentiment_wide", lg["sentiment"]), -1),
            "sentiment_ngram": torch.softmax(lg.get("sentiment_ngram", lg["sentiment"]), -1),
            "categories": torch.sigmoid(lg["categories"]),
            "level": torch.softmax(lg["level"], -1),
        }
        for k, v in probs.items():
            parts.setdefault(k, []).append(v.numpy())
    inv = np.argsort(np.asarray(order))
    return {k: np.concatenate(v)[inv] for k, v in parts.items()}


def dev_score(model, review_dev: list[Item], tour_dev: list[Item], pad_id: int) -> tuple[float, dict]:
    from models.training.metrics import tourism_metrics

    out: dict[str, float] = {}
    p = predict(model, review_dev, pad_id)
    gold = np.array([i.sent for i in review_dev])
    for head in ("sentiment", "sentiment_wide"):
        pred = np.where(p[head][:, 2] > p[head][:, 0], 2, 0)
        out[f"{head}_acc"] = float((pred == gold).mean())
    if tour_dev:
        pt = predict(model, tour_dev, pad_id)
        out.update(tourism_metrics(tour_dev, pt))
    score = out["sentiment_acc"] + out["sentiment_wide_acc"]
    score += sum(out.get(k, 0.0) for k in ("relevance_acc", "category_micro_f1", "level_acc", "high_recall"))
    return score, out


def load_encoder(model: YuqingScorerModel, encoder_dir: Path) -> None:
    """Copy pretrained encoder weights (any HF BERT folder) into the scorer; the pooler may be new."""
    enc = BertModel.from_pretrained(str(encoder_dir), add_pooling_layer=False)
    missing, _unexpected = model.bert.load_state_dict(enc.state_dict(), strict=False)
    log.info("encoder loaded from %s (new: %s)", encoder_dir, [m for m in missing if "pooler" not in m])


def finetune(tokenizer, encoder_dir: Path, config, work: Path, plan, resume: bool = True) -> Path:
    """Fine-tune all heads; returns the folder of the best model (HF format, tokenizer included)."""
    from models.runtime.ngram import SENTIMENT_FILE
    from models.training.calibrate import calibrate
    from models.training.corpus import inews, sentiment_corpus, training_posts
    from models.training.ngram_fit import fit as fit_ngram
    from models.training.ngram_fit import fit_sentiment

    final = work / "model"
    if resume and (final / "config.json").exists():
        return final
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(config.seed if hasattr(config, "seed") else 20240601)
    torch.manual_seed(20240601)
    corpus = sentiment_corpus()
    tourism = training_posts(plan.tourism_path)
    news = inews().get("train", [])
    if plan.max_review_lines:  # quick runs: a slice of every split
        tourism = {k: v[: plan.max_review_lines] for k, v in tourism.items()}
        news = news[: plan.max_review_lines]
    buckets = config.wide_buckets
    reviews = corpus["train"][: plan.max_review_lines] if plan.max_review_lines else corpus["train"]
    rev_dev = corpus["dev"][: plan.max_review_lines] if plan.max_review_lines else corpus["dev"]
    review_train = review_items(tokenizer, reviews, plan.max_length, buckets)
    tour_train = tourism_items(tokenizer, tourism["train"], plan.max_length, buckets)
    train = review_train + tour_train * TOURISM_REPEAT
    news_train = news_items(tokenizer, news, plan.max_length, buckets)
    train += news_train
    review_dev = review_items(tokenizer, rev_dev, plan.max_length, buckets)
    tour_dev = tourism_items(tokenizer, tourism["dev"], plan.max_length, buckets)
    news_dev = news_items(
        tokenizer, inews().get("dev", [])[: plan.max_review_lines], plan.max_length, buckets
    )
    log.info("fine-tuning on %d items (%d labelled posts, %d news)", len(train), len(tour_train), len(news))

    model = YuqingScorerModel(config)
    load_encoder(model, encoder_dir)
    groups: dict[str, list] = {"encoder": [], "heads": [], "wide": []}
    for n, p in model.named_parameters():
        groups["encoder" if n.startswith("bert.") else "wide" if n.startswith("wide") else "heads"].append(p)
    # The fresh heads learn faster than the pretrained encoder; the n-gram table is a sparse linear model
    # and needs a far larger step still.
    opt = torch.optim.AdamW(
        [
            {"params": groups["encoder"], "lr": plan.finetune_lr, "weight_decay": 0.01},
            {"params": groups["heads"], "lr": plan.head_lr, "weight_decay": 0.01},
            {"params": groups["wide"], "lr": plan.wide_lr, "weight_decay": 0.0},
        ]
    )
    steps_per_epoch = -(-len(train) // plan.finetune_batch)
    total = max(1, int(plan.finetune_epochs * steps_per_epoch))
    warm = max(1, total // 16)
    sched = warmup_linear_decay(opt, warm, total)
    state_path = work / "state.pt"
    step, best, epoch = 0, -1.0, 0
    if resume and state_path.exists():
        st = torch.load(state_path, weights_only=False)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        rng.setstate(st["rng"])
        torch.set_rng_state(st["torch_rng"])
        step, best, epoch = st["step"], st["best"], st["epoch"]
        log.info("resuming fine-tuning at step %d (epoch %d)", step, epoch)
    bar = tqdm(total=total, initial=step, desc="fine-tune", mininterval=10, dynamic_ncols=True)
    ema_loss = None
    while step < total:
        model.train()
        for b_items in batches(train, plan.finetune_batch, rng):
            if step >= total:
                break
            b = collate(b_items, tokenizer.pad_token_id)
            # n-gram dropout: the bag must not memorise whole sentences through their rare trigrams
            ngrams = b["ngram_ids"] * (torch.rand(b["ngram_ids"].shape) >= NGRAM_DROPOUT)
            loss = loss_of(model(b["input_ids"], b["attention_mask"], ngrams), b)
            optimizer_step(model, loss, opt, sched)
            step += 1
            ema_loss = ema(ema_loss, loss.item())
            bar.update(1)
            bar.set_postfix(loss=f"{ema_loss:.3f}", refresh=False)
        epoch += 1
        score, figures = dev_score(model, review_dev, tour_dev, tokenizer.pad_token_id)
        log.info("epoch %d step %d dev %s", epoch, step, {k: round(v, 4) for k, v in figures.items()})
        if score > best:
            best = score
            model.save_pretrained(str(work / "best"))
        tmp = state_path.with_suffix(".tmp")
        torch.save(
            {
                "model": model.state_dict(),
                "opt": opt.state_dict(),
                "sched": sched.state_dict(),
                "rng": rng.getstate(),
                "torch_rng": torch.get_rng_state(),
                "step": step,
                "best": best,
                "epoch": epoch,
            },
            tmp,
        )
        os.replace(tmp, state_path)
    bar.close()
    model = YuqingScorerModel.from_pretrained(str(work / "best"))
    ngram = fit_ngram(tourism["train"], tourism["dev"], RISK_LEVELS, RISK_CATEGORIES)
    sentiment_ngram = fit_sentiment(
        [(i.text, i.sent) for i in review_train + tour_train + news_train],
        [(i.text, i.sent) for i in review_dev + tour_dev + news_dev],
    )
    # the encoder alone, with its own fitted thresholds: `yuqing eval` shows what each part adds
    alone = calibrate(model, review_dev, tour_dev, tokenizer.pad_token_id)
    sentiment = ("wide_mix", "sentiment_bias")  # the sentiment ensemble is the same for both: config-level
    model.config.thresholds_encoder_alone = {k: v for k, v in alone.items() if k not in sentiment}
    model.config.thresholds = calibrate(
        model, review_dev, tour_dev, tokenizer.pad_token_id, ngram, sentiment_ngram, news_dev
    )
    model.config.wide_mix = model.config.thresholds.pop("wide_mix", model.config.wide_mix)
    model.config.sentiment_bias = model.config.thresholds.pop("sentiment_bias", None)
    model.save_pretrained(str(final))
    tokenizer.save_pretrained(str(final))
    ngram.save(final)
    sentiment_ngram.save(final, SENTIMENT_FILE)
    return final
