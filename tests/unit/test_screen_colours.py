"""The wall screen's pure parts: a spot's colour by severity and recency, the risky feed's order by the
time it shows, and the offline map's projection of the gazetteer's spots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dashboards.screen import merge_latest, spot_level
from dashboards.screen_map import layout
from yuqing.config import load_gazetteer

NOW = datetime(2025, 5, 1, 12, 0, tzinfo=UTC)


def ago(hours: float) -> datetime:
    return NOW - timedelta(hours=hours)


@pytest.mark.parametrize(
    ("last", "alerts", "colour"),
    [
        ({}, [], "none"),
        ({"none": ago(0.1)}, [], "none"),
        ({"high": ago(0.5)}, [], "high"),
        ({"high": ago(1.99)}, [], "high"),
        # the case: one high post 20 hours ago does not paint a spot red
        ({"high": ago(20)}, [], "medium"),
        ({"high": ago(30)}, [], "low"),
        ({"high": ago(20)}, ["high"], "high"),  # ... unless its alert is still open
        ({}, ["high"], "high"),
        ({}, ["medium"], "medium"),
        ({"medium": ago(5)}, [], "medium"),
        ({"medium": ago(7)}, [], "low"),
        ({"low": ago(0.1)}, [], "low"),
        ({"low": ago(0.1), "medium": ago(3), "high": ago(3)}, [], "medium"),
    ],
)
def test_spot_colour_weighs_severity_and_recency(last, alerts, colour) -> None:
    assert spot_level(NOW, last, alerts) == colour


def test_the_risky_feed_is_sorted_by_the_time_it_shows() -> None:
    dated = [
        {"id": "a", "published_at": "2025-05-01T09:04:00+08:00", "crawled_at": "2025-05-01T11:00:00+08:00"},
        {"id": "b", "published_at": "2025-05-01T09:29:00+08:00", "crawled_at": "2025-05-01T09:30:00+08:00"},
        {"id": "c", "published_at": "2025-05-01T01:34:00+08:00", "crawled_at": "2025-05-01T11:30:00+08:00"},
    ]
    undated = [{"id": "d", "crawled_at": "2025-05-01T09:10:00+08:00"}]
    rows = merge_latest(dated, undated, size=3)
    assert [r["id"] for r in rows] == ["b", "d", "a"]
    assert rows[0]["shown_at"] == rows[0]["published_at"] and rows[0]["dated"]
    assert rows[1]["shown_at"] == "2025-05-01T09:10:00+08:00" and not rows[1]["dated"]


def test_the_map_places_every_spot_apart_and_inside_the_frame() -> None:
    gazetteer = load_gazetteer()
    m = layout(gazetteer)
    assert m is not None and m.unplaced == []
    assert {p.name for p in m.spots} == {s.name for s in gazetteer.spots}
    places = {(round(p.x), round(p.y)) for p in m.spots}
    assert len(places) == len(m.spots)
    for p in [*m.spots, m.centre]:
        assert 0 < p.x < m.width and 0 < p.y < m.height, p
    by_name = {p.name: p for p in m.spots}
    # north is up, east is right: 白龙洞 lies north of the city, 可邑小镇 east, 太平湖 south
    assert by_name["白龙洞"].y < m.centre.y < by_name["太平湖森林公园"].y
    assert by_name["可邑小镇"].x > by_name["湖泉生态园"].x > by_name["东风韵"].x


def test_coordinates_come_in_pairs() -> None:
    from pydantic import ValidationError

    from yuqing.config import Spot

    with pytest.raises(ValidationError, match="both lat and lon"):
        Spot(name="某地", lat=24.4)
    with pytest.raises(ValidationError):
        Spot(name="某地", lat=124.4, lon=103.4)
