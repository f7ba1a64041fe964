"""Table writes gathered per micro-batch: a Faust table behind a mapping that keeps the batch's writes and
sends each key's last value to the changelog once, when the batch is done.

A viral event touched by 64 posts of one batch is then one changelog record, not 128 (each post used to write
the event when it joined it and again when its scores settled it), and the producer's socket writes were the
largest single cost of the worker's event loop. Reads see the buffered writes, so grouping within a batch is
unchanged. Each write remembers the Kafka event that was current when it was made, and is sent with that
event as Faust's current event: the changelog partition is that post's, as if it had been written at once.
Nothing is acknowledged before the flush (the agent flushes before it takes its next batch), so a crash loses
no write that its offsets would skip.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, MutableMapping
from typing import Any

import faust.streams as faust_streams

from streams.pipeline import in_event

_DELETED = object()


class WriteBehind(MutableMapping):
    def __init__(self, table: Any) -> None:
        self.table = table
        self._dirty: dict[Any, tuple[Any, Any]] = {}  # key → (value or _DELETED, the event it came with)
        self._plain: dict[Any, Any] | None = None  # the memory store's dict, once found

    def __getitem__(self, key: Any) -> Any:
        if key in self._dirty:
            value = self._dirty[key][0]
            if value is _DELETED:
                raise KeyError(key)
            return value
        value = self._stored(key)
        if value is None:  # Faust tables made with default=None answer None for a missing key
            raise KeyError(key)
        return value

    def _stored(self, key: Any) -> Any:
        """The table's value for `key`, None when missing. A table in Faust's memory store is read from the
        store's dict: Faust's own read runs its sensors and hooks on each of the hundreds of reads a post's
        grouping makes (comparing it with the live events of its place)."""
        plain = self._plain
        if plain is None:
            plain = getattr(getattr(self.table, "data", None), "data", None)
            if type(plain) is dict:
                self._plain = plain  # the store and its dict live as long as the table
        if type(plain) is dict:
            return plain.get(key)
        try:
            return self.table[key]
        except KeyError:
            return None

    def get(self, key: Any, default: Any = None) -> Any:
        # read as __getitem__ does, without raising and catching KeyError on each miss
        dirty = self._dirty.get(key)
        if dirty is not None:
            return default if dirty[0] is _DELETED else dirty[0]
        value = self._stored(key)
        return default if value is None else value

    def __contains__(self, key: object) -> bool:
        return self.get(key) is not None

    def __setitem__(self, key: Any, value: Any) -> None:
        self._dirty[key] = (value, faust_streams.current_event())

    def __delitem__(self, key: Any) -> None:
        if key not in self:
            raise KeyError(key)
        self._dirty[key] = (_DELETED, faust_streams.current_event())

    def __iter__(self) -> Iterator[Any]:
        deleted = {k for k, (v, _) in self._dirty.items() if v is _DELETED}
        yield from (k for k in self.table if k not in self._dirty and k not in deleted)
        yield from (k for k, (v, _) in self._dirty.items() if v is not _DELETED)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def flush(self) -> int:
        """Send each buffered key's last value (or deletion) to the table; returns how many."""
        dirty, self._dirty = self._dirty, {}
        for key, (value, event) in dirty.items():
            with in_event(event) if event is not None else contextlib.nullcontext():
                if value is _DELETED:
                    self.table.pop(key, None)
                else:
                    self.table[key] = value
        return len(dirty)
