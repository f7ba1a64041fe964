"""Hand-written posts (handwritten.txt) in styles the templates cannot produce: long reviews, threads, irony,
mixed feelings, posts whose level hinges on one detail, and traps that read exactly like real alerts."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parent / "handwritten.txt"
Row = tuple[str, str, bool, tuple[str, ...], str, tuple[str, ...], str, str | None, str]


def parse(text: str) -> list[Row]:
    """Records of handwritten.txt: a `@ group style R|I spots sentiment cats level trap` header, then text."""
    rows: list[Row] = []
    header: list[str] | None = None
    body: list[str] = []

    def flush() -> None:
        if header is None:
            return
        group, style, rel, spots, sent, cats, level, trap = header
        content = "\n".join(body).strip()
        if not content:
            raise ValueError(f"handwritten.txt: empty text for group {group}")
        rows.append(
            (
                group,
                style,
                rel == "R",
                () if spots == "-" else tuple(spots.split(",")),
                sent,
                () if cats == "-" else tuple(cats.split("+")),
                level,
                None if trap == "-" else trap,
                content,
            )
        )

    for line in text.splitlines():
        if line.startswith("%%"):
            continue
        if line.startswith("@ "):
            flush()
            header = line[2:].split()
            if len(header) != 8:
                raise ValueError(f"handwritten.txt: bad header {line!r}")
            body = []
        elif header is not None:
            body.append(line)
    flush()
    return rows


HANDWRITTEN: list[Row] = parse(SOURCE.read_text(encoding="utf-8"))
