"""Chinese word segmentation for the index and for queries (jieba, with the gazetteer's names added).

The integration-test Elasticsearch has no `cjk` analyzer, so text is segmented here and indexed with the
`whitespace` analyzer beside the raw text. Queries go through the same function, so 可邑 finds 可邑小镇.
"""

from __future__ import annotations

import logging
import threading
from functools import lru_cache

from yuqing.gazetteer import default_matcher
from yuqing.text import normalize_text

_lock = threading.Lock()
# jieba's dictionary counts words in a large general corpus; a word this common ("有人", "已经", "公司") says
# nothing about which happening a post is about. Place names are added at 20000: every post at a spot has one.
COMMON_WORD_FREQ = 1000


@lru_cache(maxsize=1)
def _tokenizer():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tok = jieba.Tokenizer()
    with _lock:
        tok.initialize()
        for name in default_matcher().names():
            # Aliases (可邑) are names too, so cut_for_search emits them inside longer names (可邑小镇).
            tok.add_word(name, freq=20000)
    return tok


def segment(text: str) -> str:
    """Space-separated search terms of `text` (fine-grained: 可邑小镇 → 可邑 小镇 可邑小镇)."""
    return segment_normalized(normalize_text(text))


@lru_cache(maxsize=4096)
def segment_normalized(normalized: str) -> str:
    """`segment` of a text already through `yuqing.text.normalize_text` (the latest texts kept: a viral
    incident's reposts and copies repeat one text thousands of times)."""
    words = (w.strip() for w in _tokenizer().cut_for_search(normalized.lower()))
    return " ".join(w for w in words if w)


def segment_query(query: str) -> str:
    """Segment a user's query the same way as indexed text."""
    return segment(query)


def words_of(segmented: str) -> set[str]:
    """The words of a segmented text (`segment`'s output) that say what it is about: Chinese words of two
    characters or more rarer than COMMON_WORD_FREQ in jieba's dictionary, place names and their pieces left
    out ("游船", "救生圈", "超载"; not "有人", "弥勒", "生态园")."""
    freq, places = _tokenizer().FREQ, _place_parts()
    return {
        w
        for w in segmented.split()
        if len(w) >= 2 and not w.isascii() and freq.get(w, 0) < COMMON_WORD_FREQ and w not in places
    }


@lru_cache(maxsize=1)
def _place_parts() -> frozenset[str]:
    """Every piece of two characters or more of the gazetteer's names (生态园 of 湖泉生态园)."""
    names = default_matcher().names()
    return frozenset(n[i:j] for n in names for i in range(len(n)) for j in range(i + 2, len(n) + 1))
