"""Inference engines behind one call: padded numpy inputs in, per-head probabilities out.

`TorchRuntime` runs the Hugging Face checkpoint; `OnnxRuntime` runs `model.int8.onnx` from the same folder
(exported by models/export.py). The scorer does not care which one it holds. Both pin their threads for a
small machine: intra-op = `threads` (2 here), inter-op = 1 — two pools fighting over two cores is slower.

The ONNX path imports onnxruntime and numpy only: torch and transformers come with the optional `train`
extra, and a process that only scores never loads them (tests/unit/test_models_torch_free.py).
"""

from __future__ import annotations

import contextlib
import importlib.util
from pathlib import Path
from typing import Protocol

import numpy as np

TRAIN_EXTRA = "pip install -e '.[train]'"

OUTPUTS = ("relevance", "sentiment", "sentiment_wide", "categories", "level")
ONNX_FILE = "model.int8.onnx"


class Runtime(Protocol):
    config: object

    def __call__(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]: ...


class TorchRuntime:
    name = "torch"

    def __init__(self, path: Path, threads: int = 2) -> None:
        require_train_extra("the torch runtime", key="MODEL_RUNTIME", instead="or set MODEL_RUNTIME=onnx")
        import torch

        from models.modeling import ProbabilityHead, YuqingScorerModel

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


class OnnxRuntime:
    name = "onnx"

    def __init__(self, path: Path, threads: int = 2, file: str = ONNX_FILE) -> None:
        import onnxruntime as ort

        from models.heads import read_config

        onnx_path = Path(path) / file
        if not onnx_path.exists():
            from yuqing.errors import ConfigError

            raise ConfigError(
                str(onnx_path), "MODEL_RUNTIME", "no ONNX model here: run `yuqing train` (export)"
            )
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = threads
        opts.inter_op_num_threads = 1
        opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        # intra-op threads that spin while waiting for work burn a core the event loop needs (a worker runs
        # scoring beside Kafka and Elasticsearch clients): measured 4.80 → 4.23 ms CPU a post, same speed
        opts.add_session_config_entry("session.intra_op.allow_spinning", "0")
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        self.session = ort.InferenceSession(str(onnx_path), opts, providers=["CPUExecutionProvider"])
        self.config = read_config(path)
        self._inputs = [i.name for i in self.session.get_inputs()]

    def __call__(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        out = self.session.run(list(OUTPUTS), {k: inputs[k] for k in self._inputs})
        return dict(zip(OUTPUTS, out, strict=True))


def load_runtime(path: Path, runtime: str = "onnx", threads: int = 2) -> Runtime:
    if runtime == "torch":
        return TorchRuntime(path, threads)
    return OnnxRuntime(path, threads)


def require_train_extra(
    what: str, modules: tuple[str, ...] = ("torch", "transformers"), key: str = "", instead: str = ""
) -> None:
    """ConfigError (exit 2, one line) when a package of the `train` extra is missing: this install only
    scores. `modules` are import names (scikit-learn is `sklearn`)."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        from yuqing.errors import ConfigError

        hint = f"{TRAIN_EXTRA}{', ' + instead if instead else ''}"
        needs = f"{what} needs {', '.join(missing)} (the `train` extra)"
        raise ConfigError("this install", key, f"{needs}: {hint}")
