"""Where each figure of a report comes from, as the search page's URL (dashboards/search.py SearchParams) and
as the Elasticsearch filters of that same search: one object makes both, so a figure and the page it links to
cannot disagree."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from dashboards.search import SearchParams, post_time_filter
from yuqing.schema import TZ

# The search parameters a report sets (never page, size or sort: they do not change a count).
_FIELDS = ("q", "date_from", "date_to", "spot", "station", "level", "category", "sentiment", "source")
_SINGLE = ("event_id", "relevant")


def params(
    start: datetime | None = None, end: datetime | None = None, station: str | None = None, **more: Any
) -> SearchParams:
    """The search for posts published in [start, end) (crawled, when undated) at `station`, plus `more`
    (spot, source, sentiment, level, event_id, relevant, q); list fields take one value or a list."""
    values: dict[str, Any] = {"date_from": start, "date_to": end}
    if station:
        values["station"] = [station]
    for key, value in more.items():
        if value is None:
            continue
        values[key] = value if key in ("q", *_SINGLE) or isinstance(value, list) else [value]
    return SearchParams.model_validate(values)


def query(p: SearchParams, max_chars: int = 200) -> dict[str, Any]:
    """The Elasticsearch query the search page runs for these parameters (its count is the page's total)."""
    return {"bool": {"must": [p.parsed(max_chars).to_es()], "filter": p.filters()}}


def search_path(p: SearchParams) -> str:
    """`/search?…` for these parameters (times in Mile's offset, lists as repeated keys)."""
    pairs: list[tuple[str, str]] = []
    for name in _FIELDS:
        value = getattr(p, name)
        if isinstance(value, datetime):
            pairs.append((name, value.astimezone(TZ).isoformat(timespec="seconds")))
        elif isinstance(value, list):
            pairs.extend((name, str(getattr(v, "value", v))) for v in value)
        elif value:
            pairs.append((name, str(value)))
    if p.event_id:
        pairs.append(("event_id", p.event_id))
    if p.relevant != "true":
        pairs.append(("relevant", p.relevant))
    return "/search?" + urlencode(pairs)


def absolute(base: str, path: str) -> str:
    return base.rstrip("/") + path


def alerts_path(station: str | None = None, level: str | None = None, days: int | None = None) -> str:
    pairs = [("status", "any")]
    pairs += [(k, v) for k, v in (("station", station), ("level", level)) if v]
    if days:
        pairs.append(("days", str(days)))
    return "/alerts?" + urlencode(pairs)


def alert_path(alert_id: str) -> str:
    return "/alerts/" + quote(alert_id, safe=":")


def post_path(post_id: str) -> str:
    return "/posts/" + quote(post_id, safe=":")


def letter_path(letter_id: str) -> str:
    return "/letters/" + quote(letter_id, safe=":")


def time_range(start: datetime, end: datetime) -> dict[str, Any]:
    """A post's time in [start, end): the same rule the search page uses."""
    return post_time_filter(start, end)


class Scope:
    """What every figure of one report shares: the web app's address and the station it is about."""

    def __init__(self, base_url: str, station: str | None = None) -> None:
        self.base_url, self.station = base_url.rstrip("/"), station

    def posts(self, start: datetime | None, end: datetime | None, **more: Any) -> SearchParams:
        """The search for posts in [start, end) within this report's station (a `station` in `more` wins)."""
        station = more.pop("station", None) or self.station
        return params(start, end, station, **more)

    def url(self, path: str) -> str:
        return absolute(self.base_url, path)

    def search_url(self, p: SearchParams) -> str:
        return self.url(search_path(p))
