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


def test_ambiguous_alias_is_a_candidate_until_mile_is_named(matcher) -> None:
    alone = matcher.match("水乡码头那边有人落水了")
    assert alone.spots == [] and alone.candidate_spots == ["红河水乡"] and not alone.in_mile
    confirmed = matcher.match("弥勒的水乡晚上游船很美")
    assert confirmed.spots == ["红河水乡"] and confirmed.city == ["弥勒"]
    full = matcher.match("红河水乡古戏台")  # the full name stays one strong match
    assert full.spots == ["红河水乡"] and full.aliases == {"红河水乡": ["红河水乡"]}
    elsewhere = matcher.match("乌镇水乡的夜景")
    assert elsewhere.candidate_spots == ["红河水乡"] and elsewhere.elsewhere == ["乌镇"]
