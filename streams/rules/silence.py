"""`silence`: a source that has produced nothing for longer than expected (its crawler is down or blocked).

Checked on a timer by the leader worker from what Elasticsearch holds (the newest post of each source), so it
needs no per-partition state; the alert's scope is the source and the moment it fell silent, so one outage
raises one alert however often it is checked.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from streams.rules.base import Hit, Rule, RuleOptions
from streams.rules.durations import Duration


class SilenceOptions(RuleOptions):
    after: Duration = Field(7200.0, gt=0)
    sources: list[str] = Field(default_factory=list, description="default: every source seen in a week")


class Silence(Rule):
    type_name = "silence"
    Options = SilenceOptions
    per_event = False

    def on_tick(self, last_seen: dict[str, datetime], now: datetime) -> list[Hit]:
        o: SilenceOptions = self.options  # type: ignore[assignment]
        names = o.sources or sorted(last_seen)
        hits = []
        for source in names:
            last = last_seen.get(source)
            if last is not None and (now - last).total_seconds() <= o.after:
                continue
            quiet = (
                "从未产生数据" if last is None else f"已 {(now - last).total_seconds() / 3600:.1f} 小时无新帖"
            )
            hits.append(
                Hit(
                    scope=f"{source}@{int(last.timestamp()) if last else 0}",
                    summary=f"数据源 {source} {quiet}（采集可能中断或被封）",
                    reason={"source": source, "last_post": last.isoformat() if last else None},
                )
            )
        return hits
