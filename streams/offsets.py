"""Guards on Faust's delivery bookkeeping, so that a worker killed at any moment redoes, and never skips, a
post.

1. Never commit an offset past a message that is still being handled. Faust (faust-streaming 0.15, issue
   #606, open upstream) commits the end of the first run of consecutive acked offsets, and only holds back
   when the run starts more than one past the committed offset. With two batches of one partition in
   flight at once (`processing` runs with concurrency 2), the batch holding the committed offset itself
   can still be scoring while the next one is acked: the run starts exactly one past it, Faust commits
   over it, and a worker killed then never handles those posts. The same holds before the first commit of
   a partition, where Faust skips the check entirely. The guard: offsets at or past the earliest message
   Faust still tracks as unacked for the partition are held back from the computation until that message
   is acked; Faust's own handling of gaps (compacted or transactional topics) is kept for the rest.

2. Never drop messages already fetched for the current assignment. At the end of a recovery Faust resumes
   the stream partitions, awaits the seek to the committed offsets (the fetcher is running: flow was
   resumed for reading the changelogs) and then resumes flow control once more, and
   `FlowControlEvent.resume` empties every stream's queue. Messages delivered during that await are thrown
   away, while the consumer's read offset has moved past them, so the fetch after the seek drops them as
   already read: the restarted worker of the kill test lost exactly the first post that no batch buffer
   had room for (one run in about ten). The queues are meant to be emptied of what was fetched before a
   rebalance suspended the flow; so they are emptied only when resuming ends a suspension, never when flow
   is already running.

3. Never count as done a message of an earlier generation. Faust's stream skips a message fetched before
   the last rebalance and acks it as it skips it; its partition was sought back to the committed offset,
   so the message is read again, but its ack could let a commit pass the new copy before that copy is
   handled. An ack of a stale message is refused (the message is read and handled again under the new
   assignment).

`install()` is called once, by streams/app.py.
"""

from __future__ import annotations

import logging
from typing import Any

from faust.transport.consumer import Consumer
from faust.types import TP
from faust.types.tuples import ack_lock
from mode.utils.queues import FlowControlEvent

log = logging.getLogger(__name__)
_faust_new_offset = Consumer._new_offset
_faust_ack = Consumer.ack


def new_offset_before_in_flight(consumer: Any, tp: TP) -> int | None:
    """Faust's `_new_offset` for the acked offsets below the partition's earliest unacked message."""
    with ack_lock:  # acks may come from another thread; the unacked set must not change while read
        in_flight = [m.offset for m in list(consumer._unacked_messages) if m.tp == tp]
    if not in_flight:
        return _faust_new_offset(consumer, tp)
    first = min(in_flight)
    acked = consumer._acked[tp]
    held_back = [offset for offset in acked if offset > first]
    acked[:] = [offset for offset in acked if offset < first]
    try:
        return _faust_new_offset(consumer, tp)
    finally:
        acked.extend(held_back)  # Faust sorts them again on the next commit


def resume_keeping_current_messages(flow: FlowControlEvent) -> None:
    """`FlowControlEvent.resume` that empties the managed queues only when it ends a suspension."""
    suspended = flow._suspend.is_set()
    flow._suspend.clear()
    flow._resume.set()
    if suspended:
        flow.clear()
        return
    kept = sum(queue.qsize() for queue in list(flow._queues))
    if kept:
        log.info("flow resumed while running: %d fetched messages kept in the stream queues", kept)


def ack_unless_stale(consumer: Any, message: Any) -> bool:
    """Faust's `Consumer.ack`, refused for a message fetched under an earlier consumer generation."""
    generation = getattr(message, "generation_id", None)
    if generation is not None and generation != consumer.app.consumer_generation_id:
        return False
    return _faust_ack(consumer, message)


def install() -> None:
    Consumer._new_offset = new_offset_before_in_flight  # type: ignore[method-assign]
    Consumer.ack = ack_unless_stale  # type: ignore[method-assign]
    FlowControlEvent.resume = resume_keeping_current_messages  # type: ignore[method-assign]
