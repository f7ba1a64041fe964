"""Inference engines behind one call: padded numpy inputs in, per-head probabilities out.

`OnnxRuntime` runs `model.int8.onnx` of the checkpoint folder (exported by models/training/export.py);
`MODEL_RUNTIME=torch` runs the Hugging Face checkpoint itself through `TorchRuntime`, which is training code
(models/training/torch_runtime.py: it needs the model class and torch) and is imported only when asked for.
The scorer does not care which one it holds. Both pin their threads for a small machine: intra-op =
`threads` (2 here), inter-op = 1 — two pools fighting over two cores is slower.

The ONNX path imports onnxruntime and numpy only: torch and transformers come with the optional `train`
extra, and a process that only scores never loads them, nor anything of models.training
(tests/unit/test_models_torch_free.py, tests/unit/test_models_boundary.py).
"""

from __future__ import annotations

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


class OnnxRuntime:
    name = "onnx"

    def __init__(self, path: Path, threads: int = 2, file: str = ONNX_FILE) -> None:
        import onnxruntime as ort

        from models.runtime.heads import read_config

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
        require_train_extra("the torch runtime", key="MODEL_RUNTIME", instead="or set MODEL_RUNTIME=onnx")
        # The one way from here into training code (models/training/torch_runtime.py), taken only when
        # MODEL_RUNTIME says torch; tests/unit/test_models_boundary.py allows exactly this import.
        from models.training.torch_runtime import TorchRuntime

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
