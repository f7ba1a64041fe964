"""The shipped model against its floors, measured in the same run as the baseline (as `yuqing eval` does)."""

from __future__ import annotations

import pytest

from models.cli import SHIPPED
from models.runtime import ONNX_FILE


@pytest.mark.slow  # trains the TF-IDF baseline (~30 s) and scores ~2,500 texts
@pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model")
def test_shipped_model_meets_its_floors():
    from models.evaluate import evaluate_all

    all_rows = evaluate_all(SHIPPED, "onnx")
    rows = {r["system"].split(" [")[0]: r for r in all_rows if r["task"] not in ("natural", "template")}
    baseline = rows["TF-IDF char 1-3gram + LR (baseline)"]["accuracy"]
    shipped = rows["BERT + n-gram bag (shipped)"]["accuracy"]
    assert 0.84 <= baseline <= 0.88
    assert shipped > baseline
    assert rows["BERT encoder alone"]["accuracy"] >= 0.80
    tourism = next(r for r in rows.values() if r["task"].startswith("tourism"))
    assert tourism["high_recall"] >= 0.95
    assert tourism["relevance_acc"] >= 0.93
    assert tourism["level_acc"] >= 0.75
    # categories: the shipped blend beats the bag-of-n-grams baseline and each of its parts
    cats = {r["system"].split(" [")[0].split(",")[0]: r["micro_f1"] for r in rows.values() if "micro_f1" in r}
    blend = cats["model + lexicon"]
    assert blend > cats["TF-IDF char 1-3gram + LR one-vs-rest (baseline)"]
    assert blend > max(cats["model alone"], cats["risk lexicon alone"])
    # the end-to-end measures on the template split, the scorer beside the TF-IDF heads
    template = [r for r in all_rows if r["task"] == "template"]
    assert [r["system"] for r in template] == ["scorer [onnx]", "TF-IDF + LR (baseline)"]
    assert template[0]["high_recall"] == tourism["high_recall"]
    assert 0.5 <= template[1]["relevance_acc"] <= 1.0
