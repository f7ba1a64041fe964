"""Never commit an offset past a message that is still being handled.

Faust (faust-streaming 0.15, issue #606, open upstream) commits the end of the first run of consecutive acked
offsets, and only holds back when the run starts more than one past the committed offset. With two batches of
one partition in flight at once (`processing` runs with concurrency 2), the batch holding the committed
offset itself can still be scoring while the next one is acked: the run starts exactly one past it, Faust
commits over it, and a worker killed then never handles those posts (the kill test lost one post in about one
run of ten). The same holds before the first commit of a partition, where Faust skips the check entirely.

The guard: offsets at or past the earliest message Faust still tracks as unacked for the partition are held
back from the computation until that message is acked; Faust's own handling of gaps (compacted or
transactional topics) is kept for the rest. `install()` is called once, by streams/app.py.
"""

from __future__ import annotations

from typing import Any

from faust.transport.consumer import Consumer
from faust.types import TP
from faust.types.tuples import ack_lock

_faust_new_offset = Consumer._new_offset


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


def install() -> None:
    Consumer._new_offset = new_offset_before_in_flight  # type: ignore[method-assign]
