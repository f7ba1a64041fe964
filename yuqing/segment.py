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
    norm = normalize_text(text).lower()
    words = (w.strip() for w in _tokenizer().cut_for_search(norm))
    return " ".join(w for w in words if w)


def segment_query(query: str) -> str:
    """Segment a user's query the same way as indexed text."""
    return segment(query)
