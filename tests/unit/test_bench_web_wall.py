"""The wall bench's table and verdicts (bench/web_wall.py), without a browser."""

from __future__ import annotations

import math

from bench import web_wall


def figures(**over) -> web_wall.Figures:
    base = dict(
        first_data_ms=[300.0, 420.0, 380.0], charts_ms=[500.0, 640.0, 610.0],
        first_data_api_ms=[40.0, 55.0, 60.0], wall_s=[1.2, 2.1, 1.7], wall_es_s=[0.6, 0.9, 0.8],
        console_s=[1.4, 1.9], console_es_s=[0.5, 0.7], produced_console_s=[1.8, 2.2], posts=3, alerts=2,
    )  # fmt: skip
    return web_wall.Figures(**{**base, **over})


def test_percentiles() -> None:
    assert web_wall.pct([3.0, 1.0, 2.0], 0.5) == 2.0
    assert web_wall.pct([1.0, 2.0, 3.0, 4.0], 0.95) == 4.0
    assert math.isnan(web_wall.pct([], 0.5))


def test_table_rows_and_goals() -> None:
    table = web_wall.format_rows(figures())
    assert (
        "| screen first data, ms (3 openings, new profile) | 380 / 420 / 420 | GET /api/screen 55 / 60 |"
        in table
    )
    assert "p95 ≤ 500 ms: met" in table
    assert (
        "| post on the wall, s (3 of 3 posts) | 1.70 / 2.10 / 2.10 | searchable in ES 0.80 / 0.90 |" in table
    )
    assert "| high alert on the console, s (2 of 2 alerts)" in table
    assert web_wall.met(figures()) == {"first data": True, "wall": True, "console": True}


def test_missed_goals_and_missing_figures() -> None:
    slow = figures(first_data_ms=[900.0], wall_s=[1.0, 4.0], console_s=[])
    table = web_wall.format_rows(slow)
    assert "p95 ≤ 500 ms: NOT met" in table and "p95 ≤ 3 s: NOT met" in table
    assert "(0 of 2 alerts) | — / — / — |" in table and "not measured" in table
    # a post that never reached the wall misses the goal even when the others were quick
    assert web_wall.met(slow) == {"first data": False, "wall": False, "console": False}
    assert not web_wall.met(figures(wall_s=[1.0, 1.0]))["wall"]
