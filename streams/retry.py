"""Retrying a call against a service that may be down for a while (Elasticsearch, SMTP).

Nothing is dropped: the caller blocks (and so does not acknowledge its Kafka messages) until the service takes
the work back. Pauses grow exponentially to `max_pause_s`, and every failure is logged with the attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


async def until_done(
    what: str,
    call: Callable[[], Awaitable[T]],
    *,
    transient: tuple[type[BaseException], ...],
    max_pause_s: float = 30.0,
    first_pause_s: float = 0.5,
    on_failure: Callable[[int, BaseException], None] | None = None,
) -> T:
    """Await `call()` until it succeeds; `transient` errors are retried, others raise."""
    pause, attempt = first_pause_s, 0
    while True:
        attempt += 1
        try:
            return await call()
        except transient as exc:
            if on_failure:
                on_failure(attempt, exc)
            log.warning("%s failed (attempt %d), retrying in %.1fs: %r", what, attempt, pause, exc)
            await asyncio.sleep(pause)
            pause = min(pause * 2, max_pause_s)
