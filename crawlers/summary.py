"""What one crawl of one source did, from its Scrapy stats: one line for people, a dict for machines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawlers.signals import BLOCK_REASONS

# Items or pages that broke, against anything that shows the source works (delivered, or known already).
_FAILURES = ("parse_error", "invalid")
_CAME_THROUGH = (
    "item_scraped_count",
    "skipped/seen",
    "skipped/duplicate",
    "skipped/irrelevant",
    "incremental/not_fetched",
)


@dataclass
class CrawlResult:
    source: str
    reason: str  # Scrapy's finish reason, or "failed" when the crawl could not start
    stats: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    kafka_error: bool = False

    @classmethod
    def from_stats(
        cls, source: str, stats: dict[str, Any], error: BaseException | None = None
    ) -> CrawlResult:
        from yuqing.errors import ServiceError

        reason = str(stats.get("finish_reason") or ("failed" if error else "unknown"))
        kafka = reason == "kafka_failed" or (isinstance(error, ServiceError) and error.service == "kafka")
        return cls(source, reason, dict(stats), str(error) if error else None, kafka)

    @property
    def blocked(self) -> str | None:
        return self.stats.get("source/blocked")

    @property
    def all_failed(self) -> dict[str, int]:
        """The failures, when items or pages failed and not one item came through (else empty).

        A source whose every article raised, or whose every item was invalid, "finishes" in Scrapy's
        terms; it must not read as a quiet success.
        """
        failed = {k: self.count(f"skipped/{k}") for k in _FAILURES if self.count(f"skipped/{k}")}
        if failed and not any(self.count(k) for k in _CAME_THROUGH):
            return failed
        return {}

    @property
    def ok(self) -> bool:
        return self.reason == "finished" and self.error is None and not self.blocked and not self.all_failed

    @property
    def problem(self) -> str:
        """Why the run is not ok, in a few words (the finish reason when nothing better is known)."""
        if self.blocked:
            return self.blocked
        if self.reason == "finished" and self.all_failed:
            return "nothing came through"
        return self.reason

    @property
    def warnings(self) -> list[str]:
        """What the spider found suspicious (a selector that never matched, posts without dates ...)."""
        return [str(v) for k, v in sorted(self.stats.items()) if k.startswith("warning/")]

    def count(self, key: str) -> int:
        return int(self.stats.get(key, 0) or 0)

    @property
    def skipped(self) -> dict[str, int]:
        return {k.split("/", 1)[1]: int(v) for k, v in sorted(self.stats.items()) if k.startswith("skipped/")}

    def line(self) -> str:
        parts = [
            f"{self.source:<22} {self.reason:<14}",
            f"pages {self.count('response_received_count')}",
            f"posts {self.count('item_scraped_count')} (new {self.count('incremental/new')}, "
            f"updated {self.count('incremental/updated')})",
        ]
        if self.skipped:
            parts.append("skipped: " + ", ".join(f"{k} {v}" for k, v in self.skipped.items()))
        if self.blocked:
            parts.append(f"BLOCKED: {BLOCK_REASONS.get(self.blocked, self.blocked)}")
        if self.all_failed:
            failed = ", ".join(f"{k} {v}" for k, v in self.all_failed.items())
            parts.append(f"FAILED: nothing came through ({failed})")
        for warning in self.warnings:
            parts.append(f"WARNING: {warning}")
        if self.kafka_error:
            parts.append("KAFKA FAILED: undelivered posts were not marked as seen")
        if self.error:
            parts.append(f"ERROR: {self.error}")
        return "  ".join(parts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "reason": self.reason,
            "ok": self.ok,
            "blocked": self.blocked,
            "error": self.error,
            "kafka_error": self.kafka_error,
            "pages": self.count("response_received_count"),
            "posts": self.count("item_scraped_count"),
            "new": self.count("incremental/new"),
            "updated": self.count("incremental/updated"),
            "skipped": self.skipped,
            "warnings": self.warnings,
            "stats": {
                k: v if isinstance(v, int | float | str | bool) else str(v) for k, v in self.stats.items()
            },
        }
