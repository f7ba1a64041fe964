"""The worker's clients, made on first use: the Elasticsearch client, the scorer and the notifier. Importing
the topology (streams.app) makes none of them; a starting worker warms the scorer and the segmenter up
(`warm_up`), so the first post after a (re)start never waits seconds for a model to load on the event loop."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from streams.notify.delivery import Notifier
from streams.rules import RuleSet
from streams.stats import Stats
from yuqing import es as es_setup
from yuqing.config import Stations
from yuqing.segment import segment
from yuqing.settings import Settings


class Clients:
    def __init__(
        self,
        settings: Settings,
        stations: Stations,
        rules: RuleSet,
        stats: Stats,
        *,
        scorer_threads: int | None = None,
        scorer_factory: Callable[[], Any] | None = None,
    ) -> None:
        self.settings, self.stations, self.rules, self.stats = settings, stations, rules, stats
        self.scorer_threads, self.scorer_factory = scorer_threads, scorer_factory
        self._es: Any = None
        self._scorer: Any = None
        self._notifier: Notifier | None = None
        self._scorer_lock = threading.Lock()  # warm_up runs in a thread while the loop may ask too

    def es(self) -> Any:
        if self._es is None:
            self._es = es_setup.async_client(self.settings.es)
        return self._es

    def scorer(self) -> Any:
        with self._scorer_lock:
            if self._scorer is None:
                if self.scorer_factory is not None:
                    self._scorer = self.scorer_factory()
                else:
                    from models.runtime.scorer import Scorer

                    self._scorer = Scorer.from_settings(self.settings, threads=self.scorer_threads)
            return self._scorer

    def warm_up(self) -> None:
        """Load the model and jieba's dictionary now (blocking: call it from a thread): together 2–3 s that
        the first batch after a start would otherwise spend on the event loop, emergencies included."""
        self.scorer()
        segment("弥勒湖泉生态园")

    def notifier(self) -> Notifier:
        if self._notifier is None:
            self._notifier = Notifier(
                self.settings, self.es(), self.stations, self.rules.digest_levels, rules=self.rules
            )
            self.stats.sources.append(self._notifier.stats)
        return self._notifier

    async def close(self) -> None:
        if self._notifier is not None:
            await self._notifier.close()
        if self._es is not None:
            await self._es.close()
