"""Offsets are never committed past a message still in flight (streams/offsets.py, faust-streaming #606),
on Faust's own `_new_offset` with the consumer's bookkeeping as Faust keeps it."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import NamedTuple

from faust.transport.consumer import Consumer
from faust.types import TP
from intervaltree import IntervalTree

from streams.offsets import _faust_new_offset, new_offset_before_in_flight

TP0 = TP("posts.placed", 0)


class InFlight(NamedTuple):
    """What the guard reads of a Faust message: its partition and offset."""

    tp: TP
    offset: int


def consumer(committed: int | None, acked: list[int], in_flight: list[int]) -> SimpleNamespace:
    return SimpleNamespace(
        _acked=defaultdict(list, {TP0: list(acked)}),
        _acked_index=defaultdict(set, {TP0: set(acked)}),
        _gap=defaultdict(IntervalTree),
        _committed_offset=defaultdict(lambda: None, {TP0: committed}),
        _unacked_messages={InFlight(TP0, o) for o in in_flight},
    )


def ack(c: SimpleNamespace, offset: int) -> None:
    c._unacked_messages = {m for m in c._unacked_messages if m.offset != offset}
    c._acked[TP0].append(offset)
    c._acked_index[TP0].add(offset)


def test_faust_alone_commits_over_the_batch_still_in_flight() -> None:
    """What the guard is for: the message at the committed offset is scoring, the next four are acked."""
    assert _faust_new_offset(consumer(2585, [2586, 2587, 2588, 2589], [2585]), TP0) == 2590


def test_nothing_is_committed_while_the_head_is_in_flight_then_all_of_it() -> None:
    c = consumer(2585, [2586, 2587, 2588, 2589], [2585])
    assert new_offset_before_in_flight(c, TP0) is None
    assert sorted(c._acked[TP0]) == [2586, 2587, 2588, 2589]  # held back, not forgotten
    ack(c, 2585)
    assert new_offset_before_in_flight(c, TP0) == 2590


def test_a_fresh_partition_commits_only_up_to_its_first_message_in_flight() -> None:
    """Before a partition's first commit Faust has no committed offset and checks nothing."""
    c = consumer(None, [0, 1, 2, 3, 5, 6], [4])
    assert new_offset_before_in_flight(c, TP0) == 4
    ack(c, 4)
    assert new_offset_before_in_flight(c, TP0) == 7


def test_other_partitions_in_flight_hold_nothing_back() -> None:
    c = consumer(10, [10, 11, 12], [])
    c._unacked_messages = {InFlight(TP("posts.placed", 1), 3)}
    assert new_offset_before_in_flight(c, TP0) == 13


def test_the_worker_installs_the_guard() -> None:
    import streams.app  # noqa: F401 - installs it

    assert Consumer._new_offset is new_offset_before_in_flight
