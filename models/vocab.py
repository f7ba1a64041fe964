"""The character vocabulary: one token per Chinese character, WordPiece pieces for Latin text.

Built from the pretraining text (People's Daily 1998 and the TRAIN split of the review corpus) plus the
gazetteer's names, so the test split never shapes it. The bracket words that `yuqing.text.normalize`
writes (`[链接]`, `[表情]`, `[愤怒]` ...) are single tokens: registered as added tokens they are matched
before BERT's pre-tokenizer would split them at the brackets. The result is a `vocab.txt` that
`transformers.BertTokenizerFast` reads (`tokenize_chinese_chars=True`, lower-case).
"""

from __future__ import annotations

import string
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from yuqing.text import EMOJI_TOKEN, EMOJI_WORDS, URL_TOKEN

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
MIN_COUNT = 2  # a character seen once is more likely noise than vocabulary


def bracket_tokens() -> list[str]:
    """The bracketed words normalisation produces, in a stable order."""
    return list(dict.fromkeys([URL_TOKEN, EMOJI_TOKEN, *EMOJI_WORDS.values()]))


def build_vocab(texts: Iterable[str], always: Iterable[str] = ()) -> list[str]:
    counts = Counter()
    for text in texts:
        counts.update(text.lower())
    keep = {ch for ch, n in counts.items() if n >= MIN_COUNT and not ch.isspace()}
    keep.update(ch for name in always for ch in name.lower())
    latin = list(string.ascii_lowercase + string.digits)
    keep.difference_update(latin)
    tokens = [*SPECIAL, *bracket_tokens(), *latin, *("##" + c for c in latin)]
    tokens += sorted(keep - set(tokens))
    return tokens


def write_tokenizer(tokens: list[str], out: Path, max_length: int = 256):
    """Write vocab.txt and the tokenizer files; return the loaded fast tokenizer."""
    from transformers import BertTokenizerFast

    out.mkdir(parents=True, exist_ok=True)
    (out / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
    tok = BertTokenizerFast(
        vocab={t: i for i, t in enumerate(tokens)},
        do_lower_case=True,
        tokenize_chinese_chars=True,
        strip_accents=False,
        model_max_length=max_length,
    )
    tok.add_tokens(bracket_tokens(), special_tokens=True)
    tok.save_pretrained(str(out))
    return tok


def load_tokenizer(path: Path):
    """The Hugging Face tokenizer (training and export; needs transformers, the `train` extra)."""
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(path))


class ScoringTokenizer:
    """`tokenizer.json` through the `tokenizers` library alone, for scoring without transformers.

    Called like the Hugging Face tokenizer in `models.features.encode` (texts → `{"input_ids": ...}`, with
    [CLS]/[SEP] and right truncation to `max_length` tokens) and gives the same ids: the file holds the
    normaliser, pre-tokeniser, added bracket words and the [CLS] … [SEP] template it was saved with."""

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
