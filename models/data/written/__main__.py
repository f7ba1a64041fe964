"""Validate the written posts and print their counts: `python -m models.data.written [folder]`."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from models.data.written import load_written


def main(argv: list[str]) -> int:
    posts = load_written(Path(argv[0]) if argv else None)
    rows: Counter[str] = Counter()
    for p in posts:
        rows["all"] += 1
        rows[f"writer {p['id'].rsplit('-', 1)[0]}"] += 1
        rows[f"split {p['split']}"] += 1
        rows["relevant" if p["relevant"] else "irrelevant"] += 1
        rows[f"level {p['level']}"] += 1
        rows[f"sentiment {p['sentiment']}"] += 1
        rows[f"style {p['style']}"] += 1
        for c in p["categories"]:
            rows[f"category {c}"] += 1
        if len(p["categories"]) > 1:
            rows["multi-label (>=2 categories)"] += 1
        if p["trap"]:
            rows[f"trap {p['trap']}"] += 1
        for s in p["spots"][:1]:
            rows[f"main spot {s}"] += 1
        if p["relevant"] and not p["spots"]:
            rows["relevant, no spot (town/city only)"] += 1
    width = max(map(len, rows))
    for key in sorted(rows, key=lambda k: (k.split(" ")[0] != "all", k)):
        print(f"{key:<{width}}  {rows[key]:>5}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
