"""The scoring model: one BERT encoder, four heads, and an optional wide n-gram bag for sentiment.

`YuqingConfig` extends `BertConfig` with the head metadata (label names, thresholds, the wide part's
size), so one Hugging Face checkpoint folder (`config.json`, `model.safetensors`, tokenizer files) holds
everything. The encoder attribute is `bert`, as in `BertForMaskedLM` and in hub checkpoints such as
`bert-base-chinese`: their encoder weights load into this class as they are, and only the heads are new.

Heads (on the pooled [CLS] vector):
- `relevance`: one logit (sigmoid) — about tourism in Mile;
- `sentiment`: neg/neu/pos from the encoder alone ("BERT alone" in `yuqing eval`);
- `sentiment_wide`: neg/neu/pos from the encoder's vector joined with a bag of hashed character 1–3-grams
  (a wide-and-deep model; `wide_buckets=0` turns the wide part off and the scorer uses `sentiment`);
- `categories`: eight independent sigmoids (multi-label risk categories);
- `level`: none/low/medium/high.
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, BertConfig, BertModel, PreTrainedModel

# The names (and the n-gram hash) live on the torch-free side, which the ONNX scorer imports alone.
from models.runtime.heads import RISK_CATEGORIES, RISK_LEVELS, SENTIMENT_LABELS, hash_ngrams

__all__ = [
    "RISK_CATEGORIES",
    "RISK_LEVELS",
    "SENTIMENT_LABELS",
    "ProbabilityHead",
    "YuqingConfig",
    "YuqingScorerModel",
    "hash_ngrams",
    "small_config",
]


class YuqingConfig(BertConfig):
    model_type = "yuqing-bert"

    def __init__(
        self,
        sentiment_labels: list[str] | None = None,
        risk_categories: list[str] | None = None,
        risk_levels: list[str] | None = None,
        wide_buckets: int = 0,
        wide_dim: int = 8,
        wide_ngrams: int = 3,
        thresholds: dict | None = None,
        sentiment_head: str = "auto",
        pooling: str = "cls",
        wide_style: str = "concat",
        wide_mix: float = 1.0,
        sentiment_bias: list[float] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        self.sentiment_labels = sentiment_labels or list(SENTIMENT_LABELS)
        self.risk_categories = risk_categories or list(RISK_CATEGORIES)
        self.risk_levels = risk_levels or list(RISK_LEVELS)
        self.wide_buckets = wide_buckets
        self.wide_dim = wide_dim
        self.wide_ngrams = wide_ngrams
        # Decision thresholds tuned on the dev split (see models/training/calibrate.py); defaults until then.
        self.thresholds = thresholds or {}
        # Which head the scorer reports: `sentiment` (encoder alone), `sentiment_wide`, or `auto` (the wide
        # one when the checkpoint has it).
        self.sentiment_head = sentiment_head
        # `cls`: BERT's pooler on [CLS] (as hub checkpoints are trained); `mean`: tanh(dense(mean of the
        # tokens)), better for a small encoder whose [CLS] never had a pretraining task of its own.
        self.pooling = pooling
        # `ensemble`: the n-gram bag has its own logits, trained on their own; the reported wide-and-deep
        # sentiment adds them to the encoder's (`wide_mix` tuned on dev). `concat`: one head on [pooled; bag].
        self.wide_style = wide_style
        self.wide_mix = wide_mix
        # Added to the ensemble's logits (neg, neu, pos): the calibration's intercept, fitted on dev with
        # `wide_mix` (models/training/calibrate.py). None: no shift.
        self.sentiment_bias = sentiment_bias


def optimizer_step(model: nn.Module, loss: torch.Tensor, opt, sched, max_norm: float = 1.0) -> None:
    """Backward, clip (small models from scratch spike early), step optimiser and schedule, clear grads."""
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm)
    opt.step()
    sched.step()
    opt.zero_grad(set_to_none=True)


def warmup_linear_decay(opt, warmup: int, total: int):
    """LR factor rising linearly over `warmup` steps, then falling linearly to 0 at `total`."""

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    return torch.optim.lr_scheduler.LambdaLR(opt, factor)


def ema(previous: float | None, value: float, decay: float = 0.98) -> float:
    """Exponential moving average for progress bars (the first value starts it)."""
    return value if previous is None else decay * previous + (1 - decay) * value


def small_config(vocab_size: int, **overrides) -> YuqingConfig:
    """The shipped architecture: 4 layers, hidden 256, 4 heads, FFN 1024, 256 positions (~3.2M encoder
    parameters besides the embeddings): small enough to pretrain for ~an hour on two CPU cores and to
    score hundreds of posts a second, deep enough for negation and sarcasm patterns a bag cannot see."""
    base = dict(
        vocab_size=vocab_size,
        hidden_size=256,
        num_hidden_layers=4,
        num_attention_heads=4,
        intermediate_size=1024,
        max_position_embeddings=256,
        type_vocab_size=2,
        hidden_dropout_prob=0.1,
        attention_probs_dropout_prob=0.1,
        wide_buckets=1 << 18,
        wide_dim=8,
        pooling="mean",
        wide_style="ensemble",
    )
    base.update(overrides)
    return YuqingConfig(**base)


class YuqingPreTrainedModel(PreTrainedModel):
    config_class = YuqingConfig
    base_model_prefix = "bert"
    supports_gradient_checkpointing = False
    _supports_sdpa = True

    def _init_weights(self, module: nn.Module) -> None:
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(0.0, std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(0.0, std)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)


class YuqingScorerModel(YuqingPreTrainedModel):
    """Encoder + heads; `forward` returns a dict of logits."""

    def __init__(self, config: YuqingConfig) -> None:
        super().__init__(config)
        mean = getattr(config, "pooling", "cls") == "mean"
        self.bert = BertModel(config, add_pooling_layer=not mean)
        h = config.hidden_size
        if mean:
            self.pool = nn.Linear(h, h)
        self.dropout = nn.Dropout(config.hidden_dropout_prob)
        self.relevance = nn.Linear(h, 1)
        self.sentiment = nn.Linear(h, len(config.sentiment_labels))
        self.categories = nn.Linear(h, len(config.risk_categories))
        self.level = nn.Linear(h, len(config.risk_levels))
        if config.wide_buckets:
            self.wide = nn.Embedding(config.wide_buckets, config.wide_dim, padding_idx=0)
            if self.ensemble:
                self.wide_out = nn.Linear(config.wide_dim, len(config.sentiment_labels))
            else:
                self.sentiment_wide = nn.Linear(h + config.wide_dim, len(config.sentiment_labels))
        self.post_init()

    @property
    def ensemble(self) -> bool:
        return getattr(self.config, "wide_style", "concat") == "ensemble"

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        ngram_ids: torch.Tensor | None = None,
    ) -> dict[str, torch.Tensor]:
        out = self.bert(input_ids=input_ids, attention_mask=attention_mask)
        if hasattr(self, "pool"):
            m = attention_mask.unsqueeze(-1).to(out.last_hidden_state.dtype)
            mean = (out.last_hidden_state * m).sum(1) / m.sum(1).clamp(min=1.0)
            pooled = self.dropout(torch.tanh(self.pool(mean)))
        else:
            pooled = self.dropout(out.pooler_output)
        logits = {
            "relevance": self.relevance(pooled).squeeze(-1),
            "sentiment": self.sentiment(pooled),
            "categories": self.categories(pooled),
            "level": self.level(pooled),
        }
        if self.config.wide_buckets and ngram_ids is not None:
            mask = (ngram_ids > 0).to(pooled.dtype).unsqueeze(-1)
            bag = (self.wide(ngram_ids) * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            if self.ensemble:
                logits["sentiment_ngram"] = self.wide_out(bag)
                logits["sentiment_wide"] = (
                    logits["sentiment"] + self.config.wide_mix * logits["sentiment_ngram"]
                )
                if getattr(self.config, "sentiment_bias", None):
                    logits["sentiment_wide"] = logits["sentiment_wide"] + logits["sentiment_wide"].new_tensor(
                        self.config.sentiment_bias
                    )
            else:
                logits["sentiment_wide"] = self.sentiment_wide(torch.cat([pooled, bag], dim=-1))
        return logits


class ProbabilityHead(nn.Module):
    """Export wrapper: logits → probabilities, as fixed positional outputs (for ONNX and the torch path)."""

    OUTPUTS = ("relevance", "sentiment", "sentiment_wide", "categories", "level")

    def __init__(self, model: YuqingScorerModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, ngram_ids):
        lg = self.model(input_ids, attention_mask, ngram_ids)
        wide = lg.get("sentiment_wide", lg["sentiment"])
        return (
            torch.sigmoid(lg["relevance"]),
            torch.softmax(lg["sentiment"], -1),
            torch.softmax(wide, -1),
            torch.sigmoid(lg["categories"]),
            torch.softmax(lg["level"], -1),
        )


AutoConfig.register("yuqing-bert", YuqingConfig)
AutoModel.register(YuqingConfig, YuqingScorerModel)
