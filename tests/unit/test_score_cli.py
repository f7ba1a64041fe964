"""`yuqing score` per DESIGN.md: JSON lines in, JSON lines out in order, errors per line on stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from models.cli import SHIPPED, parse_line
from models.runtime.engine import ONNX_FILE

needs_model = pytest.mark.skipif(not (SHIPPED / ONNX_FILE).exists(), reason="no shipped model")


def run_score(data: bytes, *args: str) -> subprocess.CompletedProcess:
    cmd = [sys.executable, "-c", "from yuqing.cli import main; main()", "score", *args]
    env = {**os.environ, "MODEL_PATH": str(SHIPPED)}
    return subprocess.run(cmd, input=data, capture_output=True, timeout=180, env=env)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"id": 1}', "missing field: text"),
        (b'{"text": ""}', "text is empty"),
        (b'{"text": 5}', "text must be a string"),
        (b'{"text": "\xff\xfe"}', "not valid UTF-8"),
        (b"", "empty line"),
    ],
)
def test_bad_lines_say_why(raw, reason):
    with pytest.raises(ValueError, match=reason):
        parse_line(raw)


@needs_model
def test_contract_good_and_bad_lines():
    lines = [
        json.dumps({"id": "a", "text": "弥勒湖泉生态园刚刚有人落水了，快来人！", "source": "weibo"}),
        "{broken json",
        json.dumps({"id": "b", "text": "初一去寺里拜了弥勒佛"}),
        json.dumps({"id": "c"}),
        json.dumps({"id": "d", "title": "可邑小镇", "text": "<p>风景太美了<script>x()</script></p>"}),
        json.dumps({"id": "e", "text": "Nice trip, no Chinese at all."}),
        json.dumps({"id": "f", "text": "弥勒" + "很好" * 50_000}),
    ]
    data = ("\n".join(lines) + "\n").encode() + b'{"id": "g", "text": "\xff"}\n'
    proc = run_score(data)
    assert proc.returncode == 1, proc.stderr.decode()[-2000:]
    out = [json.loads(x) for x in proc.stdout.decode().splitlines()]
    assert [o["id"] for o in out] == ["a", "b", "d", "e", "f"]  # input order, bad lines left out
    for o in out:
        assert set(o) >= {"id", "relevant", "spots", "jurisdiction", "sentiment", "risk", "explain"}
        assert o["sentiment"]["label"] in ("neg", "neu", "pos")
        assert o["risk"]["level"] in ("none", "low", "medium", "high")
    assert out[0]["relevant"] and out[0]["jurisdiction"] == "弥阳派出所" and out[0]["risk"]["level"] == "high"
    assert not out[1]["relevant"] and out[1]["jurisdiction"] is None and out[1]["risk"]["level"] == "none"
    errors = [json.loads(x) for x in proc.stderr.decode().splitlines() if x.startswith("{")]
    assert [e["line"] for e in errors] == [2, 4, 8]
    assert [e["id"] for e in errors] == [None, "c", None]  # echoed when the line was an object with an id
    assert all(e["error"] for e in errors)


@needs_model
def test_all_good_exits_zero_and_torch_runtime():
    data = "\n".join(
        json.dumps({"id": i, "text": f"弥勒红河水乡第{i}次来，还是很喜欢"}) for i in range(40)
    ).encode()
    proc = run_score(data, "--runtime", "torch", "--batch-size", "8")
    assert proc.returncode == 0, proc.stderr.decode()[-2000:]
    assert [json.loads(x)["id"] for x in proc.stdout.decode().splitlines()] == list(range(40))


def test_missing_model_is_a_configuration_error(tmp_path):
    cmd = [sys.executable, "-c", "from yuqing.cli import main; main()", "score"]
    env = {**os.environ, "MODEL_PATH": str(tmp_path / "nothing")}
    proc = subprocess.run(cmd, input=b'{"text": "x"}\n', capture_output=True, timeout=120, env=env)
    assert proc.returncode == 2
    assert b"MODEL_PATH" in proc.stderr
