"""The worker's clients, made on first use: the Elasticsearch client, the scorer and the notifier. Importing
the topology (streams.app) makes none of them; a worker makes each when its first message needs it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from streams.notify.delivery import Notifier
from streams.rules import RuleSet
from streams.stats import Stats
from yuqing import es as es_setup
from yuqing.config import Stations
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

    def es(self) -> Any:
        if self._es is None:
            self._es = es_setup.async_client(self.settings.es)
        return self._es

    def scorer(self) -> Any:
        if self._scorer is None:
            if self.scorer_factory is not None:
                self._scorer = self.scorer_factory()
            else:
                from models.runtime.scorer import Scorer

                self._scorer = Scorer.from_settings(self.settings, threads=self.scorer_threads)
        return self._scorer

    def notifier(self) -> Notifier:
        if self._notifier is None:
            self._notifier = Notifier(self.settings, self.es(), self.stations, self.rules.digest_levels)
            self.stats.sources.append(self._notifier.stats)
        return self._notifier

    async def close(self) -> None:
        if self._es is not None:
            await self._es.close()
