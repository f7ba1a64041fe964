"""The demo site's gold labels (models/data/natural_long/demo_gold.jsonl, written by the long set's writer A)
cover every demo post, and carry the very text the crawlers deliver of it (they drift apart otherwise)."""

from __future__ import annotations

from demo_gold_texts import demo_texts

from models.data.natural_long import load_demo_gold


def test_every_demo_post_has_a_gold_label_with_its_current_text():
    gold, texts = load_demo_gold(), demo_texts()
    assert set(gold) == set(texts)
    for ref, labels in gold.items():
        assert {k: labels[k] for k in ("title", "text", "context")} == texts[ref], ref
