"""constraints.txt pins what pyproject.toml asks for, and every install goes through it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from yuqing.settings import REPO_ROOT

spec = importlib.util.spec_from_file_location("lock", REPO_ROOT / "deploy" / "lock.py")
lock = importlib.util.module_from_spec(spec)
spec.loader.exec_module(lock)


def test_lock_agrees_with_pyproject() -> None:
    assert lock.check() == [], "pyproject.toml and constraints.txt disagree"


def test_a_new_or_changed_requirement_is_noticed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = lock.PYPROJECT.read_text(encoding="utf-8")
    pyproject = tmp_path / "pyproject.toml"
    monkeypatch.setattr(lock, "PYPROJECT", pyproject)
    new = text.replace('"jinja2>=3.1,<4",', '"jinja2>=3.1,<4",\n    "left-pad>=1",', 1)
    changed = re.sub(r'"scrapy>=[^"]+"', '"scrapy>=99"', text, count=1)
    for edited, names in ((new, "left-pad"), (changed, "scrapy")):
        assert edited != text
        pyproject.write_text(edited, encoding="utf-8")
        problems = lock.check()
        assert any("run `make lock`" in p for p in problems)
        assert any(names in p for p in problems), problems
    # Comments and order do not count as a change.
    pyproject.write_text(text.replace("# shared kernel", "# the kernel"), encoding="utf-8")
    assert lock.check() == []


def test_every_pin_is_exact_and_once() -> None:
    lines = [line for line in lock.LOCK.read_text().splitlines() if line and not line.startswith("#")]
    names = [lock.normalise(line.split("==")[0]) for line in lines]
    assert all(re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*==\S+", line) for line in lines)
    assert len(names) == len(set(names))


def test_installs_use_the_lock() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    installs = re.findall(r"^\t.*pip install.*$", makefile, re.M)
    assert installs and all("-c constraints.txt" in line for line in installs), installs
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    assert re.search(r"^COPY [^\n]*constraints\.txt", dockerfile, re.M)
    pips = re.findall(r"pip install [^&\n]*", dockerfile)
    assert pips and all("-c constraints.txt" in p or "--no-deps" in p for p in pips), pips
