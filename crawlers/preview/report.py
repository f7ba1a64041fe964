"""What `yuqing crawl --try` shows: a step per fetched page, a line per selector, and the verdict."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from crawlers.sources import SourceBase

SHOWN = 100  # characters of a value shown
NOT_A_DATE = "NOT A DATE"


@dataclass
class Line:
    key: str
    expr: str | None  # the selector or path, None when the key is not a selector
    value: str
    missed: bool = False  # a configured selector that matched nothing


@dataclass
class Step:
    """One fetched page and what each selector extracted from it."""

    kind: str
    url: str
    status: int | None = None
    lines: list[Line] = field(default_factory=list)
    error: str | None = None

    def show(self, key: str, expr: str | None, value: Any, *, optional: bool = False) -> Any:
        """One selector's result; a configured selector that found nothing is a miss unless `optional`."""
        empty = value in (None, "", [], {})
        text = "NOTHING" if empty else short(value)
        bad = isinstance(value, str) and value.endswith(NOT_A_DATE)
        self.lines.append(Line(key, expr, text, missed=bool(expr) and ((empty and not optional) or bad)))
        return value

    def note(self, key: str, value: Any) -> None:
        self.lines.append(Line(key, None, short(value)))


class PreviewError(Exception):
    """A page the preview could not fetch or read (the step says which)."""


def render(source: SourceBase, steps: list[Step]) -> str:
    out = [f"{source.name} ({source.type}){'' if source.enabled else ', disabled'}"]
    for step in steps:
        status = f"  HTTP {step.status}" if step.status is not None else ""
        out.append(f"── {step.kind}: {step.url}{status}")
        if step.error:
            out.append(f"   ERROR: {step.error}")
        width = max([len(line.key) for line in step.lines] + [8])
        for line in step.lines:
            expr = f"  [{line.expr}]" if line.expr else ""
            mark = "  <-- check this selector" if line.missed else ""
            out.append(f"   {line.key:<{width}} = {line.value}{expr}{mark}")
    missed = [f"{s.kind}: {line.key}" for s in steps for line in s.lines if line.missed]
    failed = [s for s in steps if s.error]
    if missed or failed:
        out.append(
            f"{len(missed)} selector(s) matched nothing" + (f": {', '.join(missed)}" if missed else "")
        )
    else:
        out.append("every selector matched")
    return "\n".join(out)


def ok(steps: list[Step]) -> bool:
    return bool(steps) and not any(s.error or any(line.missed for line in s.lines) for s in steps)


def short(value: Any) -> str:
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
