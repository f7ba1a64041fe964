"""What a Python file imports, read in its source (every import statement, at module level or inside a
function): the package-boundary tests read it so that a lazy import a test run happens not to reach is
caught too."""

from __future__ import annotations

import ast
from pathlib import Path


def imports(path: Path) -> list[str]:
    """Every module `path` imports (absolute names; `from a import b` gives `a` and `a.b`)."""
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
            names += [f"{node.module}.{alias.name}" for alias in node.names]
    return names
