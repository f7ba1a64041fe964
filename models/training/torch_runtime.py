"""The torch engine: the Hugging Face checkpoint run by torch, behind the same call as the ONNX one.

`MODEL_RUNTIME=torch` (models/runtime/engine.py `load_runtime`) and `yuqing eval --runtime torch` use it;
it needs the `train` extra. Threads are pinned as in the ONNX engine.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import numpy as np

from models.runtime.engine import OUTPUTS, require_train_extra


class TorchRuntime:
    name = "torch"

    def __init__(self, path: Path, threads: int = 2) -> None:
        require_train_extra("the torch runtime", key="MODEL_RUNTIME", instead="or set MODEL_RUNTIME=onnx")
        import torch

        from models.training.modeling import ProbabilityHead, YuqingScorerModel

        torch.set_num_threads(threads)
        if torch.get_num_interop_threads() != 1:
            # fixed for good once parallel work ran in this process; then keep what is there
            with contextlib.suppress(RuntimeError):
                torch.set_num_interop_threads(1)
        self._torch = torch
        self.model = YuqingScorerModel.from_pretrained(str(path), dtype=torch.float32).eval()
        self.config = self.model.config
        self.head = ProbabilityHead(self.model).eval()

    def __call__(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        torch = self._torch
        with torch.inference_mode():
            out = self.head(
                *(torch.from_numpy(inputs[k]) for k in ("input_ids", "attention_mask", "ngram_ids"))
            )
        return {k: v.numpy() for k, v in zip(OUTPUTS, out, strict=True)}
