"""The frozen natural test set (test.jsonl beside this file): load it, refusing any line that breaks a rule.

Evaluation only: never train, tune thresholds or fit calibration on it (see README.md here).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from models.data.labels import CATEGORIES, LEVELS, SENTIMENTS, TRAPS
from yuqing.config import load_gazetteer
from yuqing.text import normalize_text

PATH = Path(__file__).resolve().parent / "test.jsonl"
KEYS = frozenset(
    {"id", "text", "style", "relevant", "spots", "sentiment", "categories", "level", "trap", "split"}
)
STYLES = frozenset(
    {"weibo", "douyin", "dianping", "ctrip", "tieba", "news", "notice", "xiaohongshu", "wechat"}
)
SPLIT = "natural_test"


class NaturalSetError(ValueError):
    """A line of the natural test set breaks a label rule; the message names the line and the post id."""


def _check(
    post: dict,
    spots: set[str],
    keys: frozenset[str] = KEYS,
    styles: frozenset[str] = STYLES,
    split: str = SPLIT,
) -> str | None:
    """The first rule `post` breaks, or None (`keys`, `styles`, `split`: those of the set it is in)."""
    if set(post) != keys:
        return f"keys {sorted(set(post) ^ keys)} differ from the schema"
    if not isinstance(post["text"], str) or not post["text"].strip():
        return "empty text"
    checks = [
        (post["style"] in styles, f"unknown style {post['style']!r}"),
        (isinstance(post["relevant"], bool), "relevant is not a bool"),
        (post["sentiment"] in SENTIMENTS, f"unknown sentiment {post['sentiment']!r}"),
        (post["level"] in LEVELS, f"unknown level {post['level']!r}"),
        (post["split"] == split, f"split is {post['split']!r}, not {split!r}"),
        (isinstance(post["categories"], list) and set(post["categories"]) <= CATEGORIES, "unknown category"),
        (len(set(post["categories"])) == len(post["categories"]), "repeated category"),
        (isinstance(post["spots"], list) and set(post["spots"]) <= spots, "spot not in the gazetteer"),
        (len(set(post["spots"])) == len(post["spots"]), "repeated spot"),
        ((post["level"] == "none") == (not post["categories"]), "level none must go with no categories"),
    ]
    if post["relevant"]:
        checks.append((post["trap"] is None, "a relevant post has no trap"))
    else:
        checks += [
            (post["level"] == "none", "an irrelevant post has level none"),
            (not post["spots"], "an irrelevant post names no spots"),
            (post["trap"] in TRAPS, f"an irrelevant post needs a known trap, not {post['trap']!r}"),
        ]
    return next((why for ok, why in checks if not ok), None)


def load_natural_test(path: Path = PATH) -> list[dict]:
    """Every post of the natural test set, validated; raises NaturalSetError on the first bad line."""
    return load_checked(path, _check)


def load_checked(path: Path, check: Callable[[dict, set[str]], str | None]) -> list[dict]:
    """Every post of a JSON-lines set, each validated by `check` (the first rule it breaks, or None), ids and
    normalised texts unique; raises NaturalSetError on the first bad line."""
    spots = {s.name for s in load_gazetteer().spots}
    posts: list[dict] = []
    ids: set[str] = set()
    texts: dict[str, str] = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            try:
                post = json.loads(line)
            except json.JSONDecodeError as exc:
                raise NaturalSetError(f"{path.name}:{lineno}: not JSON ({exc})") from exc
            why = check(post, spots) if isinstance(post, dict) else "not an object"
            pid = post.get("id") if isinstance(post, dict) else None
            if why is None and pid in ids:
                why = "duplicate id"
            if why is None:
                # a reply ("顶") may recur under another thread: what it answers is part of the item
                key = f"{normalize_text(post.get('context') or '')}\n{normalize_text(post['text'])}"
                if key in texts:
                    why = f"same normalised text as {texts[key]}"
                texts[key] = pid
            if why is not None:
                raise NaturalSetError(f"{path.name}:{lineno} ({pid}): {why}")
            ids.add(pid)
            posts.append(post)
    return posts
