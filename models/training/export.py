"""Export the checkpoint to ONNX (dynamic batch and length) and quantise it to int8 for ONNX Runtime.

Only `model.int8.onnx` stays in the checkpoint folder (the fp32 graph is a temporary step), so the shipped
folder holds the safetensors weights for torch and the int8 graph for ONNX Runtime side by side.
Dynamic int8 quantisation of MatMul/Gather (weights int8 per output channel, activations quantised on the
fly): about 4× smaller matrices; per-channel scales keep the small heads close to torch. The agreement
with torch is tested (tests/unit/test_models_runtime.py).
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import torch

from models.runtime.engine import ONNX_FILE, OUTPUTS

log = logging.getLogger(__name__)


def export_onnx(path: Path, opset: int = 17) -> Path:
    from onnxruntime.quantization import QuantType, quantize_dynamic

    from models.training.modeling import ProbabilityHead, YuqingScorerModel

    model = YuqingScorerModel.from_pretrained(str(path), dtype=torch.float32, attn_implementation="eager")
    model.eval()
    head = ProbabilityHead(model).eval()
    ids = torch.randint(5, model.config.vocab_size, (2, 16))
    mask = torch.ones_like(ids)
    mask[1, 12:] = 0
    ngrams = torch.randint(1, max(2, model.config.wide_buckets or 2), (2, 40))
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "model.onnx"
        torch.onnx.export(
            head,
            (ids, mask, ngrams),
            str(fp32),
            input_names=["input_ids", "attention_mask", "ngram_ids"],
            output_names=list(OUTPUTS),
            dynamic_axes={
                "input_ids": {0: "batch", 1: "seq"},
                "attention_mask": {0: "batch", 1: "seq"},
                "ngram_ids": {0: "batch", 1: "ngrams"},
                **{o: {0: "batch"} for o in OUTPUTS},
            },
            opset_version=opset,
            dynamo=False,
        )
        out = Path(path) / ONNX_FILE
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    log.info("exported %s (%.1f MB)", out, out.stat().st_size / 1e6)
    return out


def store_half(path: Path) -> None:
    """Keep the safetensors weights in float16 (half the size in git); the torch runtime loads them as
    float32, so scores move by float16 rounding only (covered by the torch/ONNX agreement test)."""
    from models.training.modeling import YuqingScorerModel

    model = YuqingScorerModel.from_pretrained(str(path), dtype=torch.float32)
    model.half().save_pretrained(str(path))
