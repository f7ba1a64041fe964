"""Posts written one by one by the project's writers (one `<writer>.jsonl` each): the validating loader.

Every line is one JSON object with exactly the keys of `FIELDS` and the label rules of models/data/README.md
("Label rules"). Nothing is generated here: a writer edits only their own file; this module only reads and
checks. The dev/train split is not written down but derived from the normalised text, so a post keeps its
split when lines move, and two writers can never put one text on both sides (duplicates are refused outright).

`python -m models.data.written` prints the counts by file, level, category, style and trap.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from models.data.labels import CATEGORIES, LEVELS, SENTIMENTS, TRAPS
from yuqing.config import load_gazetteer
from yuqing.text import normalize_text

FOLDER = Path(__file__).resolve().parent
FIELDS = ("id", "text", "style", "relevant", "spots", "sentiment", "categories", "level", "trap")
STYLES = frozenset(
    {"weibo", "douyin", "dianping", "ctrip", "tieba", "news", "notice", "xiaohongshu", "wechat"}
)
DEV_PERCENT = 15


class InvalidWrittenPosts(ValueError):
    """One or more lines break the schema or the label rules; `problems` holds (file, line, message)."""

    def __init__(self, problems: list[tuple[str, int, str]]) -> None:
        self.problems = problems
        shown = "\n".join(f"{f}:{n}: {m}" for f, n, m in problems[:50])
        more = f"\n... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} bad line(s) in written posts:\n{shown}{more}")


def split_of(normalised: str) -> str:
    """`dev` for about 15 % of texts, decided by a hash of the normalised text; `train` otherwise."""
    digest = hashlib.sha1(normalised.encode("utf-8")).hexdigest()
    return "dev" if int(digest, 16) % 100 < DEV_PERCENT else "train"


def _check(post: object, spots: frozenset[str]) -> list[str]:
    """What is wrong with one decoded line (empty when nothing)."""
    if not isinstance(post, dict):
        return ["not a JSON object"]
    missing = [k for k in FIELDS if k not in post]
    extra = sorted(set(post) - set(FIELDS))
    if missing or extra:
        return [f"missing keys {missing}" if missing else "", f"unknown keys {extra}" if extra else ""]
    errors: list[str] = []
    if not isinstance(post["id"], str) or not post["id"].strip():
        errors.append("id must be a non-empty string")
    if not isinstance(post["text"], str) or not post["text"].strip():
        errors.append("text must be a non-empty string")
    if post["style"] not in STYLES:
        errors.append(f"style {post['style']!r} not in {sorted(STYLES)}")
    if not isinstance(post["relevant"], bool):
        errors.append("relevant must be true or false")
    if post["sentiment"] not in SENTIMENTS:
        errors.append(f"sentiment {post['sentiment']!r} not in {sorted(SENTIMENTS)}")
    if post["level"] not in LEVELS:
        errors.append(f"level {post['level']!r} not in {sorted(LEVELS)}")
    cats, places = post["categories"], post["spots"]
    if not isinstance(cats, list) or any(c not in CATEGORIES for c in cats) or len(set(cats)) != len(cats):
        errors.append(f"categories {cats!r}: a list of distinct names from {sorted(CATEGORIES)}")
        cats = []
    if not isinstance(places, list) or len(set(map(str, places))) != len(places):
        errors.append(f"spots {places!r}: a list of distinct canonical spot names")
    else:
        unknown = [s for s in places if s not in spots]
        if unknown:
            errors.append(f"spots {unknown!r} are not canonical spot names of config/gazetteer.yaml")
    if post["level"] in LEVELS and (post["level"] == "none") != (not cats):
        errors.append(
            f"level {post['level']!r} with categories {cats!r}: level is none exactly when no category"
        )
    if post["relevant"] is False:
        if post["level"] != "none" or post["categories"] or post["spots"]:
            errors.append("an irrelevant post has level none, no categories and no spots")
        if post["trap"] not in TRAPS:
            errors.append(f"an irrelevant post needs a trap from {sorted(TRAPS)}, not {post['trap']!r}")
    elif post["relevant"] is True and post["trap"] is not None:
        errors.append(f"a relevant post has trap null, not {post['trap']!r}")
    return errors


def load_written(folder: Path | str | None = None) -> list[dict]:
    """Every post of every `*.jsonl` in `folder` (this package's folder by default), validated, with `split`.

    Raises InvalidWrittenPosts naming file and line for every bad line: schema, label rules, unknown spots,
    ids used twice, and texts that normalise to the same string (within one file or across files).
    """
    folder = Path(folder) if folder is not None else FOLDER
    spots = frozenset(s.name for s in load_gazetteer().spots)
    problems: list[tuple[str, int, str]] = []
    posts: list[dict] = []
    ids: dict[str, str] = {}
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.jsonl")):
        name = str(path)
        with path.open(encoding="utf-8") as fh:
            for number, line in enumerate(fh, 1):
                if not line.strip():
                    continue
                where = f"{path.name}:{number}"
                try:
                    post = json.loads(line)
                except json.JSONDecodeError as exc:
                    problems.append((name, number, f"not JSON: {exc.msg}"))
                    continue
                errors = [e for e in _check(post, spots) if e]
                if errors:
                    problems.extend((name, number, e) for e in errors)
                    continue
                if post["id"] in ids:
                    problems.append((name, number, f"id {post['id']!r} already used at {ids[post['id']]}"))
                    continue
                ids[post["id"]] = where
                normalised = normalize_text(post["text"])
                if normalised in texts:
                    problems.append((name, number, f"same text (normalised) as {texts[normalised]}"))
                    continue
                texts[normalised] = where
                posts.append({**post, "split": split_of(normalised)})
    if problems:
        raise InvalidWrittenPosts(problems)
    return posts
