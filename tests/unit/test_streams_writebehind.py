"""streams/writebehind.py: a batch's table writes kept until the batch is done, then each key's last value
sent once, with the Kafka event that was current when it was written; reads see the batch's writes, and a
table in Faust's memory store is read from the store's dict."""

from __future__ import annotations

from typing import Any

import faust.streams as faust_streams
import pytest

from streams.pipeline import in_event
from streams.writebehind import WriteBehind


class MemoryStore:
    """What Faust's memory store is to a table: an object whose `data` is a plain dict."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data


class FaustLikeTable:
    """A table shaped like Faust's: `data` is its store, item reads go through a hook, writes are recorded
    with the event that was current (Faust's changelog partition comes from it)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = MemoryStore(data)
        self.hooked_reads = 0
        self.writes: list[tuple[str, Any, Any]] = []

    def __getitem__(self, key: str) -> Any:
        self.hooked_reads += 1
        return self.data.data[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.writes.append((key, value, faust_streams.current_event()))
        self.data.data[key] = value

    def pop(self, key: str, default: Any = None) -> Any:
        self.writes.append((key, "<deleted>", faust_streams.current_event()))
        return self.data.data.pop(key, default)

    def __iter__(self):
        return iter(self.data.data)


class Event:
    """A Kafka event as far as Faust's current-event context needs (weak-referenceable)."""

    def __init__(self, name: str) -> None:
        self.name = name


def test_reads_see_the_batch_and_the_flush_sends_each_key_once_with_its_event() -> None:
    table = FaustLikeTable({"a": 1})
    wb = WriteBehind(table)
    first, second = Event("posts.placed:2:10"), Event("posts.placed:2:11")
    with in_event(first):
        wb["e1"] = {"posts": 1}
    with in_event(second):
        wb["e1"] = {"posts": 2}
        wb["e2"] = {"posts": 1}
    assert table.writes == []  # nothing reaches the changelog before the batch is done
    assert wb["e1"] == {"posts": 2} and wb.get("a") == 1 and "e2" in wb
    assert wb.flush() == 2
    assert [(k, v, e.name) for k, v, e in table.writes] == [
        ("e1", {"posts": 2}, "posts.placed:2:11"),
        ("e2", {"posts": 1}, "posts.placed:2:11"),
    ]
    assert wb.flush() == 0


def test_a_deletion_is_buffered_like_a_write() -> None:
    table = FaustLikeTable({"old": {"x": 1}})
    wb = WriteBehind(table)
    with in_event(Event("e")):
        del wb["old"]
    assert wb.get("old") is None and "old" not in wb and list(wb) == []
    with pytest.raises(KeyError):
        wb["old"]
    assert table.data.data == {"old": {"x": 1}}
    wb.flush()
    assert table.data.data == {}
    with pytest.raises(KeyError):
        del wb["never"]


def test_a_memory_store_is_read_from_its_dict_and_none_is_missing() -> None:
    table = FaustLikeTable({"a": 1, "gone": None})
    wb = WriteBehind(table)
    assert wb["a"] == 1 and wb.get("gone") is None and wb.get("nothing", "dflt") == "dflt"
    with pytest.raises(KeyError):
        wb["nothing"]
    assert table.hooked_reads == 0


def test_any_other_mapping_is_read_through_its_items() -> None:
    wb = WriteBehind({"a": 1, "b": None})
    assert wb["a"] == 1 and wb.get("b") is None and "b" not in wb and sorted(wb) == ["a", "b"]
