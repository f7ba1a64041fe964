"""The character vocabulary: one token per Chinese character, WordPiece pieces for Latin text.

Built from the pretraining text (People's Daily 1998 and the TRAIN split of the review corpus) plus the
gazetteer's names, so the test split never shapes it. The bracket words that `yuqing.text.normalize`
writes (`[链接]`, `[表情]`, `[愤怒]` ...) are single tokens: registered as added tokens they are matched
before BERT's pre-tokenizer would split them at the brackets. The result is a `vocab.txt` that
`transformers.BertTokenizerFast` reads (`tokenize_chinese_chars=True`, lower-case); scoring reads its
`tokenizer.json` without transformers (models/runtime/tokenizer.py).
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
