"""Places and the traps around them."""

import pytest

from yuqing.config import load_stations
from yuqing.gazetteer import could_be_relevant, default_matcher, place


@pytest.fixture(scope="module")
def matcher():
    return default_matcher()


@pytest.mark.parametrize(
    ("text", "spots"),
    [
        ("可邑小镇的阿细跳月太好看了", ["可邑小镇"]),
        ("去了湖泉生態園和紅河水鄉", ["湖泉生态园", "红河水乡"]),
        ("东风韵艺术小镇拍照", ["东风韵"]),
        ("弥勒白龙洞景区溶洞", ["白龙洞"]),
        ("彌勒 錦屏山 大佛", ["锦屏山"]),
    ],
)
def test_spots_by_alias_and_traditional_form(matcher, text, spots) -> None:
    assert matcher.match(text).spots == spots


def test_longest_alias_wins(matcher) -> None:
    found = matcher.match("可邑小镇真美")
    assert found.aliases == {"可邑小镇": ["可邑小镇"]}


def test_maitreya_is_not_the_city(matcher) -> None:
    found = matcher.match("弥勒佛保佑，笑口常开")
    assert found.decoys == ["弥勒佛"] and not found.city and not found.in_mile


def test_city_still_counts_beside_a_decoy(matcher) -> None:
    found = matcher.match("在弥勒锦屏山看弥勒佛像")
    assert found.city == ["弥勒"] and found.spots == ["锦屏山"]


def test_ambiguous_spot_alone_is_only_a_candidate(matcher) -> None:
    found = matcher.match("黄山太平湖的水真清，杭州出发两小时")
    assert found.spots == [] and found.candidate_spots == ["太平湖森林公园"]
    assert not found.in_mile and found.maybe_mile and "杭州" in found.elsewhere


def test_ambiguous_spot_with_mile_evidence_is_confirmed(matcher) -> None:
    found = matcher.match("弥阳出发去太平湖露营")
    assert found.spots == ["太平湖森林公园"] and found.districts == ["弥阳"]


def test_honghe_elsewhere_is_not_mile(matcher) -> None:
    found = matcher.match("红河州元阳梯田日出")
    assert not found.maybe_mile and found.elsewhere == ["元阳"]


def test_placement_maps_spot_to_station_and_irrelevant_to_none(matcher) -> None:
    stations = load_stations()
    assert place(matcher.match("可邑小镇被宰客"), True, stations).jurisdiction == "西三派出所"
    assert place(matcher.match("弥勒高铁站打车难"), True, stations).jurisdiction == "旅游警察大队"
    assert place(matcher.match("可邑小镇被宰客"), False, stations).jurisdiction is None


def test_cheap_gate() -> None:
    assert could_be_relevant("湖泉公园人好多")
    assert not could_be_relevant("今天去灵隐寺拜弥勒佛")
    assert could_be_relevant("彌勒旅遊攻略") and could_be_relevant("阿细跳月", keywords=["阿细跳月"])
    assert not could_be_relevant("大肚弥勒笑口常开", keywords=["弥勒"])  # a keyword inside a decoy
