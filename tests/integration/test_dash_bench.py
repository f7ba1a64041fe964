"""`yuqing bench web` runs end to end on a small set and prints its comparison."""

from __future__ import annotations

import pytest

from yuqing.settings import Settings


@pytest.mark.slow
def test_web_bench_quick(live_services: Settings, monkeypatch, capsys) -> None:
    from bench import web_bench

    monkeypatch.setenv("YUQING_BENCH_WEB_POSTS", "400")
    web_bench.main(quick=True)
    out = capsys.readouterr().out
    assert "400 posts built" in out
    for row in ("search via app", "search straight to ES", "screen via app", "screen straight to ES"):
        assert row in out
    assert "app/ES p95 ratio" in out
