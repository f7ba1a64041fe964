"""Run crawls of configured sources in this process: once, or forever on each source's schedule.

In-process (one CrawlerProcess, one asyncio Twisted reactor) rather than a subprocess per source: the
sources of a process share one event loop, so a slow site never holds a fast one back and a hundred
sources cost one interpreter, not a hundred; the crawl summary comes straight from each crawler's stats;
and aiokafka runs on the same asyncio loop as Scrapy. A reactor cannot be restarted, so the schedule
loop lives inside it and starts a fresh Crawler per run. Isolation between sources at scale comes from
`--shard i/N`: N such processes, each owning a disjoint set of sources.

Each run of a source uses JOBDIR `<state>/jobs/<source>`: a crawl that is interrupted (Ctrl-C, a kill,
a Kafka failure, a blocked source) leaves its queue there and the next run resumes from it; a run that
finishes removes it, so the next run starts from the list pages again.
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future
from scrapy.utils.reactor import install_reactor

from crawlers.sources import SourceBase
from crawlers.spiderloader import spider_class
from crawlers.state import private_dir
from crawlers.summary import CrawlResult

logger = logging.getLogger(__name__)

# Scrapy's start-up chatter (enabled components, overridden settings, the stats dump) per crawler
# drowns the lines an operator needs; `yuqing -v crawl` shows it again.
_CHATTY = (
    "scrapy.middleware",
    "scrapy.crawler",
    "scrapy.statscollectors",
    "scrapy.addons",
    "scrapy.utils.log",
)


class _SpiderName(logging.Filter):
    """Prefix Scrapy's own lines with the source they are about: four "Spider opened" say nothing."""

    def filter(self, record: logging.LogRecord) -> bool:
        spider = getattr(record, "spider", None)
        name = getattr(spider, "name", None)
        if name and not getattr(record, "_named", False) and isinstance(record.msg, str):
            record.msg = f"[{name}] {record.msg}"
            record._named = True
        return True


def build_settings(
    *,
    output: Path | None = None,
    state_dir: Path | None = None,
    sources_file: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """The project's Scrapy settings with the command line's choices on top."""
    settings = Settings()
    settings.setmodule("crawlers.settings", priority="project")
    # `yuqing` owns logging: Scrapy adds no root handler of its own (no doubled lines) and no versions dump.
    settings.set("LOG_INSTALL_ROOT_HANDLER", False, priority="cmdline")
    settings.set("LOG_VERSIONS", [], priority="cmdline")
    if output is not None:
        settings.set("YUQING_SINK", "jsonl", priority="cmdline")
        settings.set("YUQING_JSONL_PATH", str(output), priority="cmdline")
    if state_dir is not None:
        settings.set("YUQING_STATE_DIR", str(state_dir), priority="cmdline")
    if sources_file is not None:
        settings.set("YUQING_SOURCES_FILE", str(sources_file), priority="cmdline")
    for key, value in (overrides or {}).items():
        settings.set(key, value, priority="cmdline")
    return settings


class Runner:
    """Crawls `sources` with `settings`; `preflight` (a coroutine function) runs first, inside the loop."""

    def __init__(
        self,
        sources: list[SourceBase],
        settings: Settings,
        preflight: Callable[[], Any] | None = None,
        on_result: Callable[[CrawlResult], None] | None = None,
    ) -> None:
        self.sources = sources
        self.settings = settings
        self.preflight = preflight
        self.on_result = on_result or (lambda result: None)
        self.results: list[CrawlResult] = []
        self.fatal: BaseException | None = None
        self.state_dir = Path(settings["YUQING_STATE_DIR"])

    def run(self, schedule: bool = False, rounds: int = 0) -> list[CrawlResult]:
        """Block until every source ran once (or `rounds` times on its schedule; 0 = until stopped)."""
        install_reactor(self.settings["TWISTED_REACTOR"], self.settings["ASYNCIO_EVENT_LOOP"])
        from twisted.internet import reactor

        level = logging.getLogger().getEffectiveLevel()
        # Scrapy's logging set-up sets its loggers to DEBUG; the command's handlers keep the command's level.
        for handler in logging.getLogger().handlers:
            handler.setLevel(max(handler.level, level))
            if not any(isinstance(f, _SpiderName) for f in handler.filters):
                handler.addFilter(_SpiderName())
        process = CrawlerProcess(self.settings)
        if level > logging.DEBUG:
            for name in _CHATTY:
                # "Disabled <component>: <reason>" for every source is expected configuration, not news.
                logging.getLogger(name).setLevel(
                    logging.ERROR if name == "scrapy.middleware" else logging.WARNING
                )

        def stop(_: Any) -> None:
            with suppress(RuntimeError):
                reactor.stop()

        def begin() -> None:
            done = deferred_from_coro(self._main(process, schedule, rounds))
            done.addErrback(self._fail)
            done.addBoth(stop)

        reactor.callWhenRunning(begin)
        process.start(stop_after_crawl=False)
        if self.fatal is not None:
            raise self.fatal
        return self.results

    def _fail(self, failure: Any) -> None:
        self.fatal = failure.value

    async def _main(self, process: CrawlerProcess, schedule: bool, rounds: int) -> None:
        if self.preflight is not None:
            await self.preflight()
        if schedule:
            await asyncio.gather(*(self._loop(process, s, rounds) for s in self.sources))
        else:
            await asyncio.gather(*(self._crawl(process, s) for s in self.sources))

    async def _loop(self, process: CrawlerProcess, source: SourceBase, rounds: int) -> None:
        done = 0
        while not rounds or done < rounds:
            began = time.monotonic()
            await self._crawl(process, source)
            done += 1
            if rounds and done >= rounds:
                return
            wait = max(0.0, source.schedule - (time.monotonic() - began))
            logger.info("source %s: next run in %.0fs", source.name, wait)
            await asyncio.sleep(wait)

    async def _crawl(self, process: CrawlerProcess, source: SourceBase) -> CrawlResult:
        jobdir = self.state_dir / "jobs" / source.name
        if self.settings.getbool("YUQING_RESUME", True):
            # Scrapy would create it world-readable; the queues hold every pending request.
            for folder in (self.state_dir, jobdir.parent, jobdir):
                private_dir(folder)
        if jobdir.is_dir() and any(jobdir.iterdir()):
            logger.info("source %s: resuming the interrupted crawl kept in %s", source.name, jobdir)
        crawler = process.create_crawler(spider_class(source, self.settings))
        error: BaseException | None = None
        try:
            await maybe_deferred_to_future(process.crawl(crawler))
        except Exception as exc:  # a crawl that cannot start must not take the other sources down
            error = exc
            logger.error("source %s: crawl failed: %s", source.name, exc)
        # `_stats` is Scrapy's documented way to read the stats of a crawl that may never have started.
        stats = crawler._stats.get_stats() if crawler._stats is not None else {}
        result = CrawlResult.from_stats(source.name, stats, error)
        if result.reason == "finished" and jobdir.exists():
            shutil.rmtree(jobdir, ignore_errors=True)
        self.results.append(result)
        self.on_result(result)
        return result
