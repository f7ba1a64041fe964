"""The frozen long and official natural set (models/data/natural_long): every item valid, the counts issue 22
asks for, every genre it names, and the file unchanged since its sha256 was recorded in the README."""

from __future__ import annotations

import hashlib
import re
from collections import Counter

import pytest

from models.data.natural_long import GENRES, PATH, load_long_test


@pytest.fixture(scope="module")
def items() -> list[dict]:
    return load_long_test()


def test_the_counts_the_issue_asks_for(items):
    levels = Counter(i["level"] for i in items)
    assert len(items) >= 400
    assert levels["high"] >= 30  # recall of high must be measurable
    assert levels["medium"] >= 30 and levels["none"] >= 150
    assert sum(not i["relevant"] for i in items) >= 50


def test_every_genre_and_replies_in_their_threads(items):
    assert {i["genre"] for i in items} == GENRES
    threads = {i["thread"]: i for i in items if i["genre"] == "thread_post"}
    replies = [i for i in items if i["genre"] == "thread_reply"]
    assert len(replies) >= 60
    assert all(r["thread"] in threads for r in replies)
    assert sum(len(i["text"]) >= 300 for i in items) >= 80  # long text, read whole


def test_sha256_matches_readme():
    readme = (PATH.parent / "README.md").read_text(encoding="utf-8")
    recorded = re.search(r"sha256 of `test.jsonl`: `([0-9a-f]{64})`", readme)
    assert recorded, "README must record the sha256 of test.jsonl"
    assert hashlib.sha256(PATH.read_bytes()).hexdigest() == recorded.group(1), (
        "test.jsonl changed: only label fixes are allowed, logged in README.md with the new sha256"
    )
