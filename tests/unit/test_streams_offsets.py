"""Faust's delivery bookkeeping as streams/offsets.py guards it: offsets never committed past a message
still in flight (faust-streaming #606, on Faust's own `_new_offset` with the consumer's bookkeeping as Faust
keeps it); messages fetched for the current assignment never emptied from the stream queues by a resume that
ends no suspension; acks of messages from an earlier consumer generation refused."""

from __future__ import annotations

from collections import defaultdict
from types import SimpleNamespace
from typing import NamedTuple

from faust.transport.consumer import Consumer
from faust.types import TP
from intervaltree import IntervalTree
from mode.utils.queues import FlowControlEvent, FlowControlQueue

from streams.offsets import (
    _faust_new_offset,
    ack_unless_stale,
    new_offset_before_in_flight,
    resume_keeping_current_messages,
)

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


def _stream_queue(flow: FlowControlEvent) -> FlowControlQueue:
    """A stream's queue as Faust makes it: emptied when its app's flow control resumes."""
    return FlowControlQueue(maxsize=100, flow_control=flow, clear_on_resume=True)


def test_messages_fetched_while_flow_runs_survive_the_resume_at_the_end_of_recovery() -> None:
    """What the kill test lost: recovery resumed the flow to read changelogs, the stream partitions were
    resumed and fetched during the seek, then the final resume emptied the queue."""
    flow = FlowControlEvent(initially_suspended=False)
    queue = _stream_queue(flow)
    queue.put_nowait("placed/2:1600")
    resume_keeping_current_messages(flow)
    assert flow.is_active()
    assert queue.qsize() == 1 and queue.get_nowait() == "placed/2:1600"


def test_a_resume_that_ends_a_suspension_still_empties_the_queues() -> None:
    """What Faust's clearing is for: messages fetched before a rebalance suspended the flow are read again."""
    flow = FlowControlEvent(initially_suspended=False)
    queue = _stream_queue(flow)
    queue.put_nowait("fetched before the rebalance")
    flow.suspend()
    assert not flow.is_active()
    resume_keeping_current_messages(flow)
    assert flow.is_active() and queue.empty()


def _ack_target(generation: int) -> SimpleNamespace:
    """What Faust's `Consumer.ack` reads of the consumer."""
    return SimpleNamespace(
        app=SimpleNamespace(
            consumer_generation_id=generation, topics=SimpleNamespace(acks_enabled_for=lambda _t: True)
        ),
        _committed_offset=defaultdict(lambda: None),
        _acked=defaultdict(list),
        _acked_index=defaultdict(set),
        _unacked_messages=set(),
        _n_acked=0,
        _waiting_for_ack=None,
    )


class Fetched:
    """What `Consumer.ack` reads of a Faust message (hashable by identity, as Faust's are)."""

    def __init__(self, offset: int, generation: int) -> None:
        self.tp, self.topic, self.offset = TP0, TP0.topic, offset
        self.generation_id, self.acked = generation, False


def test_an_ack_of_a_message_from_an_earlier_generation_is_refused() -> None:
    c = _ack_target(generation=3)
    stale, current = Fetched(7, generation=2), Fetched(8, generation=3)
    assert ack_unless_stale(c, stale) is False
    assert ack_unless_stale(c, current) is True
    assert c._acked[TP0] == [8] and c._n_acked == 1


def test_the_worker_installs_the_guards() -> None:
    import streams.app  # noqa: F401 - installs them

    assert Consumer._new_offset is new_offset_before_in_flight
    assert Consumer.ack is ack_unless_stale
    assert FlowControlEvent.resume is resume_keeping_current_messages
