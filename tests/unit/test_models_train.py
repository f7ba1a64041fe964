"""`yuqing train --quick` runs the whole recipe (tokenizer, MLM, fine-tuning, calibration, ONNX export)."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest


@pytest.mark.slow  # ~30 s on an idle 2-core machine: corpus loading dominates
def test_quick_train_produces_a_scoring_checkpoint(tmp_path):
    out, work = tmp_path / "out", tmp_path / "work"
    cmd = [
        sys.executable,
        "-c",
        "from yuqing.cli import main; main()",
        "train",
        "--quick",
        "--out",
        str(out),
        "--work",
        str(work),
    ]
    t = time.time()
    proc = subprocess.run(cmd, capture_output=True, timeout=120, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr.decode()[-3000:]
    assert time.time() - t < 90  # well under a minute when the machine is not shared
    files = ("config.json", "model.safetensors", "tokenizer.json", "model.int8.onnx", "ngram_heads.npz")
    for name in (*files, "ngram_sentiment.npz"):
        assert (out / name).exists(), name
    assert (work / "pretrain" / "state.pt").exists()  # resumable state

    from models.runtime.scorer import Scorer

    result = Scorer.load(out, "onnx").score(["弥勒湖泉生态园有人落水"])[0]
    assert result["spots"] == ["湖泉生态园"] or not result["relevant"]
    assert set(result["explain"]["probabilities"]) >= {"relevance", "level", "categories", "sentiment"}
    # the n-gram heads' mixtures were fitted on dev beside the temperatures
    mixes = {"mix_relevance", "mix_level", "mix_categories", "mix_sentiment"}
    assert mixes <= set(result["explain"]["thresholds"])
