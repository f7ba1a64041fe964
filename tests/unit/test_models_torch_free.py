"""Scoring without torch: the ONNX path imports onnxruntime, tokenizers and numpy, never the `train` extra.

Each check runs in a fresh interpreter (this test process has long imported torch for other tests). Making a
package unimportable: `sys.modules[name] = None` before any import, so `import torch` raises ImportError
there exactly as it would in an install without the `train` extra.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from models.cli import SHIPPED
from models.runtime.engine import ONNX_FILE
from yuqing.settings import REPO_ROOT

pytestmark = pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model")

# What only training, export, evaluation and the torch runtime may load (import names).
TRAIN_ONLY = ("torch", "transformers", "onnx", "sklearn", "snownlp", "safetensors")
TEXTS = [
    "弥勒湖泉生态园刚刚有个小孩掉水里了，还在扑腾，快来人啊！🆘",
    "可邑小鎮的阿細跳月太好看了，強烈推薦！👍",
]


def run_python(code: str, *, block: tuple[str, ...] = (), args: tuple[str, ...] = (), stdin: str = ""):
    prelude = f"import sys\nfor _name in {list(block)!r}:\n    sys.modules[_name] = None\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + textwrap.dedent(code), *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )


SCORE = f"""
import json
from models.runtime.scorer import Scorer

scorer = Scorer.load({str(SHIPPED)!r}, "onnx")
out = scorer.score({TEXTS!r})
probs = scorer.probabilities([{TEXTS[0]!r}])
loaded = sorted(m for m in {TRAIN_ONLY!r} if sys.modules.get(m) is not None)
print(json.dumps({{"out": out, "relevance": float(probs["relevance"][0]), "loaded": loaded}}))
"""


def test_scores_with_torch_and_transformers_unimportable():
    proc = run_python(SCORE, block=TRAIN_ONLY)
    assert proc.returncode == 0, proc.stderr
    got = json.loads(proc.stdout)
    emergency, praise = got["out"]
    assert emergency["relevant"] is True and emergency["risk"]["level"] == "high"
    assert emergency["explain"]["runtime"] == "onnx"
    assert praise["spots"] == ["可邑小镇"] and praise["sentiment"]["label"] == "pos"
    # the same numbers as the scorer loaded in a full install (same ONNX file, same token ids)
    from models.runtime.scorer import Scorer

    full = Scorer.load(SHIPPED, "onnx").probabilities([TEXTS[0]])["relevance"][0]
    assert got["relevance"] == pytest.approx(float(full), abs=1e-6)


def test_the_onnx_path_never_imports_the_train_extra():
    """With everything installed, loading and running the ONNX scorer still leaves torch & co. unloaded
    (a lazy import inside a call would show here, not only one at module level)."""
    proc = run_python(SCORE)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["loaded"] == []


def test_yuqing_score_cli_without_torch():
    code = "from yuqing.cli import main\nsys.argv = ['yuqing', *sys.argv[1:]]\nmain()\n"
    line = json.dumps({"id": "a", "text": TEXTS[0]}, ensure_ascii=False)
    proc = run_python(code, block=TRAIN_ONLY, args=("score", "--runtime", "onnx"), stdin=line + "\n")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["risk"]["level"] == "high"


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("score", "--runtime", "torch"), "the torch runtime"),
        (("train", "--quick"), "`yuqing train`"),
        (("eval", "--quick"), "`yuqing eval`"),
    ],
)
def test_what_needs_the_train_extra_says_so(args, what):
    """MODEL_RUNTIME=torch, training and eval without the extra: one configuration-error line, exit 2."""
    code = "from yuqing.cli import main\nsys.argv = ['yuqing', *sys.argv[1:]]\nmain()\n"
    proc = run_python(code, block=TRAIN_ONLY, args=args, stdin="")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert what in proc.stderr and ".[train]" in proc.stderr and "configuration error" in proc.stderr
