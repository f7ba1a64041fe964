"""Alert rules: the file is validated with errors naming the key; each rule type fires when it should."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from streams.rules import load_rules
from streams.rules.base import Context, Route
from streams.rules.boolexpr import ExpressionError, compile_expression
from streams.rules.growth import EventGrowth, GrowthOptions
from streams.rules.level import Level, LevelOptions
from streams.rules.negative import NegativeOptions, NegativeShare
from streams.rules.silence import Silence, SilenceOptions
from streams.rules.volume import VolumeOptions, VolumeSpike
from yuqing.errors import ConfigError
from yuqing.schema import ScoredPost
from yuqing.text import normalize_text

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def post(
    level="high", relevant=True, sentiment="neg", text="湖泉生态园有人落水", when=NOW, **kw
) -> ScoredPost:
    return ScoredPost(
        source="t",
        source_id=kw.pop("sid", "1"),
        text=text,
        crawled_at=when,
        relevant=relevant,
        spots=["湖泉生态园"],
        jurisdiction="弥阳派出所",
        event_id="ev-1",
        risk={"level": level, "score": 0.9, "categories": ["safety"]},
        sentiment={"label": sentiment, "score": 0.9},
        explain={"probabilities": {"level": {level: 0.8}}},
        **kw,
    )


def ctx(state=None, event=None) -> Context:
    return Context(now=NOW, place="湖泉生态园", event=event, state=state if state is not None else {})


def test_shipped_rules_load() -> None:
    rules = load_rules()
    assert {r.type_name for r in rules.rules} >= {
        "level",
        "watchlist",
        "volume_spike",
        "event_growth",
        "silence",
    }
    assert rules.digest_levels == {"low"}


@pytest.mark.parametrize(
    ("rule", "key", "words"),
    [
        ({"name": "a", "type": "nope", "severity": "high"}, "rules.0.type", "unknown rule type"),
        ({"name": "a", "type": "level", "severity": "high"}, "rules.0.level", "Field required"),
        ({"name": "a", "type": "level", "severity": "urgent", "level": "high"}, "rules.0.severity", ""),
        (
            {"name": "a", "type": "volume_spike", "severity": "low", "window": "soon"},
            "rules.0.window",
            "duration",
        ),
        (
            {"name": "a", "type": "watchlist", "severity": "low", "expression": "(落水 OR"},
            "rules.0.expression",
            "",
        ),
        (
            {"name": "a", "type": "level", "severity": "low", "level": "high", "colour": 1},
            "rules.0.colour",
            "",
        ),
    ],
)
def test_a_mistake_names_the_file_and_the_key(tmp_path: Path, rule, key, words) -> None:
    import yaml

    (tmp_path / "rules.yaml").write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True))
    with pytest.raises(ConfigError) as err:
        load_rules(tmp_path)
    assert err.value.file.endswith("rules.yaml") and err.value.key == key
    assert words in err.value.message


@pytest.mark.parametrize(
    ("expression", "text", "hit"),
    [
        ("落水 OR 溺水", "有人落水了", True),
        ("落水 AND NOT 演练", "消防落水救援演练", False),
        ('"有人 落水" 湖泉', "湖泉有人 落水", True),
        ("(火灾 OR 起火) NOT 篝火", "篝火晚会起火了", False),
        ("(火灾 OR 起火) NOT 篝火", "餐馆起火了", True),
        ("湖泉 落水", "湖泉的鱼", False),
    ],
)
def test_watchlist_expressions(expression: str, text: str, hit: bool) -> None:
    assert compile_expression(expression)(normalize_text(text)) is hit


@pytest.mark.parametrize("bad", ["", "AND", "(落水", "落水)", 'x ""'])
def test_bad_expressions_are_refused(bad: str) -> None:
    with pytest.raises(ExpressionError):
        compile_expression(bad)


def level_rule(**o) -> Level:
    return Level("high_post", "high", 1800, Route(), LevelOptions(**{"level": "high", **o}))


def test_level_rule_needs_the_level_relevance_and_confidence() -> None:
    assert level_rule().on_post(post(), ctx())
    assert not level_rule().on_post(post(level="medium"), ctx())
    assert not level_rule().on_post(post(relevant=False), ctx())
    assert not level_rule(min_confidence=0.9).on_post(post(), ctx())


def test_volume_spike_against_the_spots_own_baseline() -> None:
    rule = VolumeSpike(
        "spike", "medium", 3600, Route(), VolumeOptions(window=1800, baseline=86400, factor=3, min_count=5)
    )
    state: dict = {}
    # A steady day: one post an hour.
    for h in range(1, 24):
        assert not rule.on_post(post(when=NOW - timedelta(hours=h), sid=f"b{h}"), ctx(state))
    hits = [rule.on_post(post(when=NOW - timedelta(minutes=m), sid=f"n{m}"), ctx(state)) for m in range(6)]
    assert not any(hits[:4]) and hits[-1]  # fires once the window holds min_count and 3× the baseline
    assert "帖量激增" in hits[-1][0].summary


def test_negative_share_needs_the_minimum_count() -> None:
    rule = NegativeShare("neg", "low", 3600, Route(), NegativeOptions(window=3600, share=0.6, min_count=4))
    state: dict = {}
    assert not rule.on_post(post(sentiment="neg"), ctx(state))
    assert not rule.on_post(post(sentiment="pos", sid="2"), ctx(state))
    assert not rule.on_post(post(sentiment="neg", sid="3"), ctx(state))
    assert rule.on_post(post(sentiment="neg", sid="4"), ctx(state))  # 3 of 4 negative


def test_event_growth_counts_posts_within_the_span() -> None:
    rule = EventGrowth("grow", "medium", 3600, Route(), GrowthOptions(min_posts=3, within=600))
    event = {
        "id": "ev-1",
        "post_count": 3,
        "relevant": True,
        "title": "t",
        "first_seen": NOW.isoformat(),
        "last_seen": (NOW + timedelta(minutes=5)).isoformat(),
    }
    assert rule.on_post(post(), ctx(event=event))
    assert not rule.on_post(post(), ctx(event={**event, "post_count": 2}))
    assert not rule.on_post(post(), ctx(event={**event, "last_seen": (NOW + timedelta(hours=1)).isoformat()}))


def test_silence_names_each_quiet_source_once_per_outage() -> None:
    rule = Silence("quiet", "low", 86400, Route(), SilenceOptions(after=3600, sources=["a", "b", "c"]))
    seen = {"a": NOW - timedelta(minutes=5), "b": NOW - timedelta(hours=3)}
    hits = rule.on_tick(seen, NOW)
    assert [h.reason["source"] for h in hits] == ["b", "c"]
    later = {h.reason["source"]: h.scope for h in rule.on_tick(seen, NOW + timedelta(hours=1))}
    assert later["b"] == hits[0].scope and set(later) == {"a", "b", "c"}  # same outage, same scope


def test_a_rule_filter_names_the_posts_or_events_it_is_about() -> None:
    from streams.rules.base import RuleFilter

    only_high = RuleFilter(min_level="high")
    assert only_high.accepts(post("high"), None, False) and not only_high.accepts(post("medium"), None, False)
    risky_or_negative = RuleFilter(min_level="low", sentiment=["neg"], match="any", relevant_only=True)
    calm = {"peak_level": "none", "negative_count": 0, "post_count": 6, "relevant": True}
    assert not risky_or_negative.accepts(post("none"), calm, True)
    assert risky_or_negative.accepts(post("none"), {**calm, "negative_count": 3}, True)
    assert risky_or_negative.accepts(post("none"), {**calm, "peak_level": "low"}, True)
    assert not risky_or_negative.accepts(post("none"), {**calm, "peak_level": "low", "relevant": False}, True)
    by_source = RuleFilter(sources=["weibo"], categories=["consumer"])
    assert not by_source.accepts(post("high"), None, False)  # source t, category safety


def test_a_rule_filter_in_the_file_is_validated(tmp_path: Path) -> None:
    (tmp_path / "rules.yaml").write_text(
        "rules:\n  - {name: a, type: level, severity: high, level: high, filter: {min_level: urgent}}\n"
    )
    with pytest.raises(ConfigError) as err:
        load_rules(tmp_path)
    assert "rules.0.filter.min_level" in str(err.value)
    shipped = {r.name: r for r in load_rules().rules}
    spreading = shipped["event_spreading"]
    assert spreading.filter.match == "any" and spreading.about_events
    assert load_rules().resolved_terms and all(r.family == "event" for r in shipped.values() if r.per_event)
