"""The scoring tokenizer: `tokenizer.json` read by the `tokenizers` library alone, without transformers.

The vocabulary and the files are written at training time (models/training/vocab.py); this side only reads
them, so a process that scores needs neither transformers nor torch.
"""

from __future__ import annotations

from pathlib import Path


class ScoringTokenizer:
    """`tokenizer.json` through the `tokenizers` library alone, for scoring without transformers.

    Called like the Hugging Face tokenizer in `models.runtime.features.encode` (texts →
    `{"input_ids": ...}`, with [CLS]/[SEP] and right truncation to `max_length` tokens) and gives the same
    ids: the file holds the normaliser, pre-tokeniser, added bracket words and the [CLS] … [SEP] template it
    was saved with."""

    def __init__(self, path: Path) -> None:
        from tokenizers import Tokenizer

        self._tok = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
        self._tok.no_padding()
        self._tok.no_truncation()
        self._truncate: int | None = None
        self.pad_token_id = self._tok.token_to_id("[PAD]")

    def __call__(
        self,
        texts: list[str],
        add_special_tokens: bool = True,
        truncation: bool = False,
        max_length: int | None = None,
    ) -> dict[str, list[list[int]]]:
        limit = max_length if truncation and max_length else None
        if limit != self._truncate:
            # a setting of the shared Tokenizer: the scorer calls with one max_length, so this runs once
            if limit:
                self._tok.enable_truncation(limit)
            else:
                self._tok.no_truncation()
            self._truncate = limit
        enc = self._tok.encode_batch(texts, add_special_tokens=add_special_tokens)
        return {"input_ids": [e.ids for e in enc]}
