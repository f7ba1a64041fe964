"""`yuqing crawl` as operators run it: on a schedule, and split between shard processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from crawl_site import FixtureSite, run_crawl

from crawlers.sharding import shard_of

FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title>
<item><title>湖泉生态园夜游开放</title><link>http://feed.test/1</link><description>弥勒湖泉夜游</description></item>
<item><title>可邑小镇文化节</title><link>http://feed.test/2</link><description>阿细跳月</description></item>
</channel></rss>""".encode()


@pytest.fixture
def site() -> Iterator[FixtureSite]:
    server = FixtureSite(
        {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, b"User-agent: *\nAllow: /\n"),
            "/a.xml": (200, {"Content-Type": "application/rss+xml"}, FEED),
            "/b.xml": (200, {"Content-Type": "application/rss+xml"}, FEED),
        }
    )
    yield server
    server.close()


def feeds(base: str, names: list[str], schedule: str = "1s") -> str:
    fast = "politeness: {download_delay_s: 0, autothrottle: false, timeout_s: 5}"
    items = "".join(
        f"\n  - name: {name}\n    type: rss\n    urls: ['{base}/{path}']"
        f"\n    schedule: {schedule}\n    {fast}"
        for name, path in zip(names, ("a.xml", "b.xml"), strict=False)
    )
    return "sources:" + items + "\n"


def test_schedule_runs_each_source_again_after_its_interval(site: FixtureSite, tmp_path: Path) -> None:
    run = run_crawl(tmp_path, feeds(site.base, ["feed_a"]), "--schedule", "--rounds", "3")
    assert run.rc == 0, run.stderr[-2000:]
    assert site.hits["/a.xml"] == 3
    assert [r["source"] for r in run.summary] == ["feed_a"] * 3
    assert [r["posts"] for r in run.summary] == [2, 0, 0]  # the later rounds find nothing new
    assert run.stdout.count("feed_a ") == 3  # one summary line per run, as it ends
    assert "next run in" in run.stderr


def test_shards_crawl_disjoint_sources(site: FixtureSite, tmp_path: Path) -> None:
    names = ["feed_a", "feed_d"]
    owners = {name: shard_of(name, 2) for name in names}
    assert sorted(owners.values()) == [0, 1], "the two names must fall on different shards for this test"
    for index in (0, 1):
        run = run_crawl(tmp_path / str(index), feeds(site.base, names), "--shard", f"{index}/2")
        assert run.rc == 0, run.stderr[-2000:]
        assert [r["source"] for r in run.summary] == [n for n in names if owners[n] == index]
    assert site.hits["/a.xml"] == 1 and site.hits["/b.xml"] == 1  # each crawled once, by its own shard


def test_reset_forgets_what_was_emitted(site: FixtureSite, tmp_path: Path) -> None:
    sources = feeds(site.base, ["feed_a"])
    assert len(run_crawl(tmp_path, sources).posts) == 2
    assert run_crawl(tmp_path, sources).posts == []
    assert len(run_crawl(tmp_path, sources, "--reset").posts) == 2
