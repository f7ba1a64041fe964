"""The worker's clients: the scorer is made once even when the start-up warm-up (a thread) and the first batch
(the event loop) ask for it at the same moment, and the warm-up leaves jieba's dictionary loaded."""

from __future__ import annotations

import threading
import time
from unittest import mock

from streams.clients import Clients
from yuqing.segment import _tokenizer


def test_warm_up_makes_the_scorer_once_and_loads_the_segmenter() -> None:
    made: list[int] = []

    def slow_factory() -> object:
        made.append(1)
        time.sleep(0.2)  # a model loading: the loop asks meanwhile
        return object()

    clients = Clients(mock.Mock(), mock.Mock(), mock.Mock(), mock.Mock(), scorer_factory=slow_factory)
    _tokenizer.cache_clear()
    warm = threading.Thread(target=clients.warm_up)
    warm.start()
    time.sleep(0.05)
    first = clients.scorer()  # the first batch, while the warm-up is still loading
    warm.join()
    assert made == [1] and clients.scorer() is first
    assert _tokenizer.cache_info().currsize == 1  # jieba's dictionary is in memory before any post
