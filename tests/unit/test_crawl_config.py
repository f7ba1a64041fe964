"""Sources as configuration: validation that names the file and the key, secrets from the environment,
defaults, sharding, and the `yuqing crawl` command's own checks (no crawl is started here)."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from crawlers.cli import crawl
from crawlers.sharding import parse_shard, select, shard_of
from crawlers.sources import load_sources, parse_duration
from yuqing.errors import ConfigError
from yuqing.settings import REPO_ROOT

MINIMAL = """
sources:
  - name: news_a
    type: news
    urls: ["http://example.org/list.html"]
    links: "a::attr(href)"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sources.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_sources_file_is_valid_and_demo_sources_are_enabled() -> None:
    sources = load_sources(REPO_ROOT / "config" / "sources.yaml", environ={})
    enabled = {s.name: s.type for s in sources.sources if s.enabled}
    assert enabled == {
        "demo_rss": "rss",
        "demo_news": "news",
        "demo_weibo": "social_api",
        "demo_tieba": "forum",
    }
    assert all(s.start_urls[0].startswith("http://127.0.0.1:8765/") for s in sources.sources if s.enabled)
    needing_cookies = [s for s in sources.sources if s.cookies_env]
    assert needing_cookies and not any(s.enabled for s in needing_cookies)
    assert {s.type for s in sources.sources if not s.enabled} >= {"news", "social_api", "forum", "rss"}


def test_defaults_are_merged_and_env_references_expanded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
defaults:
  schedule: 2h
  politeness: {download_delay_s: 5, retries: 4}
sources:
  - name: feed
    type: rss
    urls: ["${SITE:-http://127.0.0.1:1}/feed.xml"]
    politeness: {retries: 1}
""",
    )
    source = load_sources(path, environ={"SITE": "http://site.test"}).by_name["feed"]
    assert source.start_urls == ["http://site.test/feed.xml"]
    assert source.schedule == 7200
    assert (source.politeness.download_delay_s, source.politeness.retries) == (5, 1)
    assert load_sources(path, environ={}).by_name["feed"].start_urls == ["http://127.0.0.1:1/feed.xml"]


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("sources:\n  - {name: a, type: blog, urls: [x]}\n", "sources.0 (a)", "tag 'blog'"),
        ("sources:\n  - {name: a, type: news, urls: [x]}\n", "sources.0 (a).links", "Field required"),
        ("sources:\n  - {name: 'bad name', type: rss, urls: [x]}\n", "sources.0 (bad name).name", "pattern"),
        ("sources:\n  - {name: a, type: rss, urls: []}\n", "sources.0 (a).urls", "at least 1"),
        (
            "sources:\n  - {name: a, type: rss, urls: [x], schedule: often}\n",
            "sources.0 (a).schedule",
            "duration",
        ),
        (
            "sources:\n  - {name: a, type: rss, urls: [x], headers: {Cookie: 'SUB=1'}}\n",
            "sources.0 (a).headers",
            "headers_env",
        ),
        (
            "sources:\n  - {name: a, type: social_api, endpoint: 'http://x/?q={keyword}'}\n",
            "sources.0 (a)",
            "{page}",
        ),
        (
            "sources:\n  - {name: a, type: social_api, endpoint: 'http://x/?q={keyword}&p={page}'}\n",
            "sources.0 (a)",
            "no keywords",
        ),
        (
            "sources:\n  - {name: a, type: forum, urls: [x], thread_id_pattern: 'p/\\\\d+'}\n",
            "sources.0 (a).thread_id_pattern",
            "capturing group",
        ),
        (
            "sources:\n  - {name: a, type: rss, urls: [x], encoding: klingon}\n",
            "sources.0 (a).encoding",
            "klingon",
        ),
        (
            "sources:\n  - {name: a, type: rss, urls: [x], politness: {}}\n",
            "sources.0 (a).politness",
            "Extra",
        ),
        (
            "sources:\n  - {name: a, type: rss, urls: [x]}\n  - {name: a, type: rss, urls: [y]}\n",
            "sources",
            "used twice",
        ),
        ("sources:\n  - {name: a, type: rss, urls: ['${NOPE}/x']}\n", "sources.0.urls.0", "NOPE is not set"),
        ("feeds: []\n", "feeds", "unknown key"),
    ],
)
def test_mistakes_name_the_file_and_the_key(tmp_path: Path, text: str, key: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_sources(path, environ={})
    assert caught.value.file == str(path)
    assert caught.value.key == key
    assert message in caught.value.message


def test_broken_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "sources:\n  - name: a\n    type: [rss\n")
    with pytest.raises(ConfigError, match="line"):
        load_sources(path)


def test_credentials_come_from_the_environment_only_when_crawled(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        MINIMAL.replace(
            "links:", "cookies_env: SITE_COOKIE\n    headers_env: {Authorization: SITE_TOKEN}\n    links:"
        ),
    )
    source = load_sources(path, environ={}).by_name["news_a"]  # loading needs no secret
    with pytest.raises(ConfigError) as caught:
        source.credentials(environ={"SITE_TOKEN": "t"}, file=str(path))
    assert caught.value.key == "news_a.cookies_env" and "SITE_COOKIE" in caught.value.message
    found = source.credentials(environ={"SITE_COOKIE": "SUB=abc; SUBP=x=y", "SITE_TOKEN": "Bearer t"})
    assert found == {"Cookie": "SUB=abc; SUBP=x=y", "Authorization": "Bearer t"}


@pytest.mark.parametrize(
    ("value", "seconds"), [(90, 90), ("30s", 30), ("15m", 900), ("2h", 7200), ("1d", 86400)]
)
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


def test_shards_split_sources_without_overlap_and_stably() -> None:
    names = [f"source_{i}" for i in range(200)]
    for count in (1, 2, 3, 7):
        parts = [select(names, i, count, name=lambda n: n) for i in range(count)]
        assert sorted(n for part in parts for n in part) == sorted(names)  # each source exactly once
        if count > 1:
            assert all(len(part) > 200 / count / 3 for part in parts)  # and not all on one shard
    # The same name lands on the same shard in every process (no per-process hash seed).
    # Pinned: sha1 of the name, so a deployment's split never changes under it with a Python upgrade.
    assert shard_of("demo_news", 3) == 2
    assert [shard_of(n, 4) for n in ("demo_rss", "demo_weibo", "demo_tieba")] == [3, 0, 2]


@pytest.mark.parametrize("text", ["3", "3/3", "-1/2", "a/b", "1/0", "1 of 2"])
def test_bad_shards(text: str) -> None:
    with pytest.raises(ValueError):
        parse_shard(text)


def test_crawl_list_shows_every_source_and_its_shard() -> None:
    app = typer.Typer()
    app.command()(crawl)
    result = CliRunner().invoke(app, ["--list", "--shard", "1/2"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(load_sources().sources)
    mine = [line.split()[0] for line in lines if "(other shard)" not in line]
    assert mine == [s.name for s in load_sources().sources if shard_of(s.name, 2) == 1]
    assert any("disabled" in line and line.startswith("weibo_search") for line in lines)


@pytest.mark.parametrize(
    ("args", "key"),
    [(["no_such_source"], "sources"), (["--shard", "2/2"], "--shard"), (["-s", "NOEQUALS"], "-s")],
)
def test_crawl_refuses_bad_requests_before_crawling(args: list[str], key: str, tmp_path: Path) -> None:
    kwargs = {"names": [a for a in args if not a.startswith("-") and "/" not in a and a != "NOEQUALS"]}
    if "--shard" in args:
        kwargs["shard"] = args[1]
    if "-s" in args:
        kwargs["setting"] = [args[1]]
    with pytest.raises(ConfigError) as caught:
        crawl(**_defaults(kwargs, tmp_path))
    assert caught.value.key == key


def test_missing_cookie_of_a_named_source_is_a_config_error(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("WEIBO_COOKIE", raising=False)
    with pytest.raises(ConfigError, match="WEIBO_COOKIE"):
        crawl(**_defaults({"names": ["weibo_search"]}, tmp_path))


def _defaults(kwargs: dict, tmp_path: Path) -> dict:
    base = dict(
        names=None,
        list_only=False,
        try_name=None,
        schedule=False,
        rounds=0,
        shard=None,
        output=tmp_path / "out.jsonl",
        sources_file=None,
        state_dir=tmp_path / "state",
        reset=False,
        setting=None,
        summary_json=None,
        serve_demo=False,
        demo_port=8765,
    )
    return {**base, **kwargs}
