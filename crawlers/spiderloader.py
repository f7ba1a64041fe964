"""Spiders come from `config/sources.yaml`: one spider class per source, named after it.

The class is the spider type's class (`crawlers.spiders.TYPES`) with the source attached and the source's
politeness turned into Scrapy settings at spider priority (so `-s KEY=VALUE` still wins).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.settings import BaseSettings

from crawlers.sources import SourceBase, SourcesFile, load_sources
from crawlers.spiders import TYPES


def source_settings(source: SourceBase, state_dir: Path, resume: bool = True) -> dict[str, Any]:
    """Scrapy settings one source asks for."""
    p = source.politeness
    values: dict[str, Any] = {
        "ROBOTSTXT_OBEY": p.obey_robots,
        "DOWNLOAD_DELAY": p.download_delay_s,
        "CONCURRENT_REQUESTS_PER_DOMAIN": p.concurrency_per_domain,
        "AUTOTHROTTLE_ENABLED": p.autothrottle,
        "AUTOTHROTTLE_START_DELAY": max(p.download_delay_s, 0.1),
        "AUTOTHROTTLE_MAX_DELAY": p.autothrottle_max_delay_s,
        "DOWNLOAD_TIMEOUT": p.timeout_s,
        "RETRY_TIMES": p.retries,
        "YUQING_BACKOFF_S": p.backoff_s,
        "YUQING_BACKOFF_MAX_S": p.backoff_max_s,
    }
    if p.user_agent:
        values["USER_AGENT"] = p.user_agent
    if resume:
        # A crawl that did not finish leaves its queue here and resumes from it next time.
        values["JOBDIR"] = str(state_dir / "jobs" / source.name)
    return values


def spider_class(source: SourceBase, settings: BaseSettings) -> type[Spider]:
    base = TYPES[source.type]
    state_dir = Path(settings.get("YUQING_STATE_DIR"))
    attrs = {
        "name": source.name,
        "source": source,
        "custom_settings": source_settings(source, state_dir, settings.getbool("YUQING_RESUME", True)),
        "__module__": base.__module__,
    }
    return type(f"{base.__name__}_{source.name.replace('-', '_').replace('.', '_')}", (base,), attrs)


class SourceSpiderLoader:
    """Scrapy's spider loader interface over the sources file."""

    def __init__(self, settings: BaseSettings) -> None:
        self.settings = settings
        path = settings.get("YUQING_SOURCES_FILE")
        self._path = Path(path) if path else None
        self._sources: SourcesFile | None = None

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> SourceSpiderLoader:
        return cls(settings)

    @property
    def sources(self) -> SourcesFile:
        if self._sources is None:
            self._sources = load_sources(self._path)
        return self._sources

    def load(self, spider_name: str) -> type[Spider]:
        source = self.sources.by_name.get(spider_name)
        if source is None:
            raise KeyError(f"Spider not found: {spider_name}")
        return spider_class(source, self.settings)

    def list(self) -> list[str]:
        return [s.name for s in self.sources.sources]

    def find_by_request(self, request: Request) -> list[str]:
        host = urlsplit(request.url).hostname
        return [
            s.name for s in self.sources.sources if any(urlsplit(u).hostname == host for u in s.start_urls)
        ]
