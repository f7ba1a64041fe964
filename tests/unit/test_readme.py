"""README.md, the Makefile and .ci/run say what the code does: every setting documented, the commands."""

from __future__ import annotations

import os
import re

from yuqing.settings import REPO_ROOT, env_variables, reference

README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
BEGIN, END = "<!-- settings-reference:begin -->", "<!-- settings-reference:end -->"


def test_configuration_reference_is_current() -> None:
    block = README.split(BEGIN, 1)[1].split(END, 1)[0]
    assert block.strip() == reference().strip(), "README's configuration reference is stale: run `make docs`"


def test_every_environment_variable_is_documented() -> None:
    missing = [name for name in env_variables() if f"`{name}`" not in README]
    assert not missing, missing


def test_the_two_commands_and_the_placeholders() -> None:
    for text in ("make up", "make test", "## Crawlers", "## Models", "## Operations", "## Configuration"):
        assert text in README


def test_makefile_targets() -> None:
    makefile = (REPO_ROOT / "Makefile").read_text(encoding="utf-8")
    targets = set(re.findall(r"^([a-z][a-z-]*):", makefile, re.M))
    assert {"venv", "install", "up", "down", "test", "test-fast", "lint", "docs"} <= targets
    assert 'pytest -m "not slow and not integration"' in makefile


def test_ci_script_is_strict_and_always_stops_services() -> None:
    path = REPO_ROOT / ".ci" / "run"
    script = path.read_text(encoding="utf-8")
    assert os.access(path, os.X_OK)
    assert "set -euo pipefail" in script
    assert "trap finish EXIT" in script and "services down" in script
    assert "make test" in script
