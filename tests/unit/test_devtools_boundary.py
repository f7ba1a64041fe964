"""The development tools (devtools/: local services, mailbox, demo site) stay outside the product: the kernel
imports nothing of them, the stages only the demo site that `yuqing crawl --serve-demo` serves, and their
commands reach the one CLI through the `yuqing.commands` entry points.

Read in the source (every import statement, at module level or inside a function, so a lazy import that a
test run happens not to reach is caught too), as tests/unit/test_models_boundary.py reads the models'.
"""

from __future__ import annotations

import tomllib

import pytest
from source_imports import imports

from yuqing.settings import REPO_ROOT

# `yuqing crawl --serve-demo` serves the demo site in the crawler's process (what `make up` runs).
ALLOWED = {("crawlers/cli.py", "devtools.demo.server")}


def offending(folder: str) -> list[str]:
    found = []
    for path in sorted((REPO_ROOT / folder).rglob("*.py")):
        rel = path.relative_to(REPO_ROOT).as_posix()
        for name in imports(path):
            hit = name == "devtools" or name.startswith("devtools.")
            allowed = (rel, name) in ALLOWED or (rel, name.rsplit(".", 1)[0]) in ALLOWED
            if hit and not allowed:
                found.append(f"{rel}: {name}")
    return found


def test_the_kernel_imports_no_devtools() -> None:
    assert offending("yuqing") == []


@pytest.mark.parametrize("folder", ["crawlers", "streams", "models", "dashboards"])
def test_the_stages_import_no_devtools_but_the_demo_site(folder: str) -> None:
    assert offending(folder) == []


def test_the_demo_site_is_still_the_one_exception() -> None:
    assert "devtools.demo.server" in imports(REPO_ROOT / "crawlers/cli.py")


def test_devtools_commands_are_entry_points() -> None:
    """`yuqing services` and `yuqing mailbox` reach the CLI the way the stages' commands do."""
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    commands = pyproject["project"]["entry-points"]["yuqing.commands"]
    assert commands["services"] == "devtools.cli:services_app"
    assert commands["mailbox"] == "devtools.cli:mailbox"
    assert "devtools*" in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
