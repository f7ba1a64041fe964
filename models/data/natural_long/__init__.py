"""The frozen natural test set of long and official text (issue 22): government and tourism-bureau news,
police 通报, media reports, long reviews with the risk in the middle, travel diaries naming several cities,
Buddhist 弥勒, and forum threads as a first post plus replies, each reply labelled in its thread's context.

Written by two writers who never saw the training data (README.md here); evaluation only, never trained or
tuned on. `test.jsonl` holds both writers' parts; `demo_gold.jsonl` the same writer's labels for the demo
site's posts.
"""

from __future__ import annotations

import json
from pathlib import Path

from models.data.natural import KEYS, STYLES, NaturalSetError, _check, load_checked

HERE = Path(__file__).resolve().parent
PATH = HERE / "test.jsonl"
DEMO_GOLD = HERE / "demo_gold.jsonl"
SPLIT = "natural_long_test"
LONG_KEYS = KEYS | {"title", "context", "thread", "genre"}
LONG_STYLES = STYLES | {"mafengwo"}
GENRES = frozenset(
    {
        "gov_news",
        "police_notice",
        "media_report",
        "long_review",
        "travel_diary",
        "guide",
        "thread_post",
        "thread_reply",
        "buddhist",
        "other",
    }
)


def check_long(post: dict, spots: set[str]) -> str | None:
    """The first rule a long-set item breaks (the natural set's rules, plus its own fields), or None."""
    why = _check(post, spots, LONG_KEYS, LONG_STYLES, SPLIT)
    if why is not None:
        return why
    checks = [
        (post["genre"] in GENRES, f"unknown genre {post['genre']!r}"),
        (post["title"] is None or isinstance(post["title"], str), "title is not text"),
        (post["context"] is None or isinstance(post["context"], str), "context is not text"),
        (post["thread"] is None or isinstance(post["thread"], str), "thread is not an id"),
        (post["genre"] != "thread_reply" or bool(post["context"]), "a reply without the text it answers"),
    ]
    return next((why for ok, why in checks if not ok), None)


def load_long_test(path: Path = PATH) -> list[dict]:
    """Every item of the long natural set, validated; raises NaturalSetError on the first bad line."""
    return load_checked(path, check_long)


def load_demo_gold(path: Path = DEMO_GOLD) -> dict[str, dict]:
    """The demo site's posts' gold labels by `ref` ("<list>:<id>"), or {} when the file is absent."""
    if not path.exists():
        return {}
    gold: dict[str, dict] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        item = json.loads(line)
        if item.get("ref") in gold:
            raise NaturalSetError(f"{path.name}:{lineno}: duplicate ref {item['ref']!r}")
        gold[item["ref"]] = item
    return gold
