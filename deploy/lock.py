"""Pin every dependency of every extra in `constraints.txt`: `make lock` (or `python deploy/lock.py`).

`make install` and the Dockerfile install with `pip install -c constraints.txt`, so a fresh machine next
year gets the versions the tests ran with, not whatever is newest then. The file is resolved by
`uv pip compile` for Linux x86_64 and Python 3.11 (CI's machines and the image), preferring the versions
installed in the running virtualenv (the ones the tests ran with). Its header carries a digest of
pyproject.toml's requirements: tests/unit/test_lock.py fails when a requirement changed and the lock was not
made again.

    python deploy/lock.py           # write constraints.txt
    python deploy/lock.py --check   # exit 1 when pyproject.toml and constraints.txt disagree
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = ROOT / "pyproject.toml"
LOCK = ROOT / "constraints.txt"
PYTHON, PLATFORM = "3.11", "x86_64-manylinux_2_28"
DIGEST = re.compile(r"^# requirements-sha256: ([0-9a-f]{64})$", re.M)
HEADER = """\
# Every dependency of yuqing and of every extra ({extras}), pinned: the versions the tests ran with, for
# Linux x86_64 and Python {python}. `make install` and the Dockerfile install with `-c constraints.txt`.
# Made by `make lock` (deploy/lock.py, uv pip compile) from pyproject.toml; do not edit by hand.
# requirements-sha256: {digest}
"""


def requirements(pyproject: Path | None = None) -> dict[str, list[str]]:
    """`{"": dependencies, extra: its requirements ...}` as written in pyproject.toml."""
    project = tomllib.loads((pyproject or PYPROJECT).read_text(encoding="utf-8"))["project"]
    found = {"": list(project.get("dependencies", []))}
    found.update({k: list(v) for k, v in project.get("optional-dependencies", {}).items()})
    return found


def digest(reqs: dict[str, list[str]], python: str = "") -> str:
    """Changes when any requirement (or requires-python) changes; not with comments or order."""
    lines = [extra + ":" + re.sub(r"\s+", "", r).lower() for extra, rs in reqs.items() for r in rs]
    return hashlib.sha256("\n".join(sorted([*lines, f"python:{python}"])).encode()).hexdigest()


def requires_python(pyproject: Path | None = None) -> str:
    project = tomllib.loads((pyproject or PYPROJECT).read_text(encoding="utf-8"))["project"]
    return project.get("requires-python", "")


def current_digest(pyproject: Path | None = None) -> str:
    return digest(requirements(pyproject), requires_python(pyproject))


def locked_digest(lock: Path | None = None) -> str | None:
    lock = lock or LOCK
    match = DIGEST.search(lock.read_text(encoding="utf-8")) if lock.exists() else None
    return match.group(1) if match else None


def pins(lock: Path | None = None) -> dict[str, str]:
    """Normalised name → pinned version."""
    found = {}
    for line in (lock or LOCK).read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)", line)
        if match:
            found[normalise(match.group(1))] = match.group(2)
    return found


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _uv() -> str:
    found = shutil.which("uv") or str(Path(sys.executable).with_name("uv"))
    if not Path(found).exists():
        sys.exit("deploy/lock.py needs uv (pip install uv): it resolves the pins")
    return found


def make(lock: Path | None = None) -> None:
    lock = lock or LOCK
    extras = [k for k in requirements() if k]
    with tempfile.TemporaryDirectory() as tmp:
        tested = Path(tmp) / "tested.txt"
        freeze = subprocess.run(
            [sys.executable, "-m", "pip", "freeze", "--exclude-editable"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        tested.write_text(freeze)
        out = Path(tmp) / "constraints.txt"
        cmd = [_uv(), "pip", "compile", str(PYPROJECT), "--all-extras", "--python-version", PYTHON]
        cmd += ["--python-platform", PLATFORM, "-c", str(tested), "--no-header", "--annotation-style", "line"]
        subprocess.run([*cmd, "-o", str(out), "--quiet"], check=True, cwd=ROOT)
        body = out.read_text(encoding="utf-8")
    # The tested versions steer the resolution; they are no reason a package is here.
    body = re.sub(r"(, )?-c \S+tested\.txt(, )?", lambda m: ", " if m.group(1) and m.group(2) else "", body)
    body = re.sub(r"\s+# via\s*$", "", body, flags=re.M)
    header = HEADER.format(extras=", ".join(extras), python=PYTHON, digest=current_digest())
    lock.write_text(header + body, encoding="utf-8")
    print(f"{lock.name}: {len(pins(lock))} pins")


def check(lock: Path | None = None) -> list[str]:
    """What disagrees between pyproject.toml and the lock (empty when they agree)."""
    lock = lock or LOCK
    if not lock.exists():
        return [f"{lock.name} is missing: run `make lock`"]
    problems = []
    if locked_digest(lock) != current_digest():
        problems.append("pyproject.toml's requirements changed since the lock was made: run `make lock`")
    from packaging.requirements import Requirement

    pinned = pins(lock)
    env = {"python_version": PYTHON, "python_full_version": f"{PYTHON}.0", "sys_platform": "linux"}
    env |= {"platform_system": "Linux", "platform_machine": "x86_64", "os_name": "posix"}
    for extra, reqs in requirements().items():
        for text in reqs:
            req = Requirement(text)
            if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
                continue
            version = pinned.get(normalise(req.name))
            if version is None:
                problems.append(f"{req.name} ({extra or 'dependencies'}) is not in {lock.name}")
            elif not req.specifier.contains(version, prereleases=True):
                problems.append(f"{req.name}=={version} in {lock.name} does not satisfy {text!r}")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(prog="deploy/lock.py", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="only compare; exit 1 on a disagreement")
    args = parser.parse_args()
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        sys.exit(1 if problems else 0)
    make()


if __name__ == "__main__":
    main()
