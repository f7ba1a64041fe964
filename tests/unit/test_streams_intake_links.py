"""Intake: control characters in each field, conversation links, placement by the parent's text; the fast
lane's choice of urgent candidates; the alert gate's coalescing."""

from __future__ import annotations

import json

import pytest

from streams import intake
from streams.alerting import AlertGate
from streams.fastlane import FastLane
from yuqing.errors import InvalidPost
from yuqing.gazetteer import default_matcher
from yuqing.schema import Alert


def raw(**fields) -> bytes:
    return json.dumps({"source": "wb", "source_id": "1", "text": "湖泉生态园人好多", **fields}).encode()


@pytest.mark.parametrize("field", ["source_id", "thread_id", "parent_id", "root_id"])
@pytest.mark.parametrize("bad", ["1\r\nX-Evil: 1", "1\n2", "a\tb", "a\x00b", "a\u2028b"])
def test_ids_with_control_characters_are_refused(field: str, bad: str) -> None:
    with pytest.raises(InvalidPost) as err:
        intake.admit(raw(**{field: bad}), "raw:0:1", default_matcher())
    assert err.value.field == field and "control character" in str(err.value)


@pytest.mark.parametrize(
    "bad", ["https://a.example/x\r\ny", "https://a.example/ x", "https://a\x7f.example/"]
)
def test_urls_with_control_characters_or_spaces_are_refused(bad: str) -> None:
    with pytest.raises(InvalidPost) as err:
        intake.admit(raw(url=bad), "raw:0:1", default_matcher())
    assert err.value.field == "url"


def test_authors_titles_and_text_are_cleaned_not_refused() -> None:
    env = intake.admit(
        raw(author="游客\r\n小王\x00", title="标题\n第二行\t", text="第一行\n第二行\x00\x07\t完"),
        "raw:0:1",
        default_matcher(),
    )
    assert env.post["author"] == "游客 小王" and env.post["title"] == "标题 第二行"
    assert env.post["text"] == "第一行\n第二行\t完"  # line breaks and tabs stay in body text


def test_links_name_post_ids_of_the_same_source_and_never_the_post_itself() -> None:
    env = intake.admit(
        raw(source_id="p2", thread_id="t1", parent_id="p1", root_id="p2"), "raw:0:1", default_matcher()
    )
    assert env.links == {"thread": "wb:t1", "parent": "wb:p1"}


def test_a_reply_without_a_place_is_placed_by_its_parent() -> None:
    env = intake.admit(raw(text="太坑了，千万别去", parent_text="红河水乡吃饭被宰了"), "o", default_matcher())
    assert env.place == "红河水乡"
    alone = intake.admit(raw(text="太坑了，千万别去"), "o", default_matcher())
    assert alone.place == intake.ELSEWHERE_KEY


def _env(text: str, sid: str = "1", **fields):
    return intake.admit(raw(text=text, source_id=sid, **fields), f"raw:0:{sid}", default_matcher())


def test_the_fast_lane_takes_original_urgent_posts_and_not_ordinary_ones() -> None:
    lane = FastLane(per_min=60)
    assert lane.admits(_env("弥勒湖泉生态园刚刚有个小孩落水了，快来人"))
    assert not lane.admits(_env("湖泉生态园的樱花开了，真美", "2"))
    assert not lane.admits(_env("弥勒湖泉生态园刚刚有个小孩落水了，快来人", "3"))  # a copy
    assert not lane.admits(_env("转发//@甲:锦屏山起火了", "4"))  # a repost
    assert not lane.admits(_env("锦屏山起火了", "5", parent_id="9"))  # a comment under another post


def test_one_viral_place_cannot_crowd_another_out_of_the_fast_lane() -> None:
    now = [0.0]
    lane = FastLane(per_min=10, clock=lambda: now[0])
    taken = sum(lane.admits(_env(f"湖泉生态园游船翻了有人落水{i}", str(i))) for i in range(100))
    assert taken == 10  # the viral place's bucket is empty...
    assert lane.admits(_env("锦屏山后山起火了，火势很大", "x"))  # ...another place's is full
    now[0] += 6.0  # a token comes back every 6 s at 10 a minute
    assert lane.admits(_env("湖泉生态园又有人落水了", "y"))


def _alert(size: int, level: str = "high", status: str = "open", sources=("wb",)) -> Alert:
    return Alert(
        id="event:1",
        rule="r",
        level=level,
        summary="s",
        event_size=size,
        event_status=status,
        sources=list(sources),
    )


def test_the_gate_lets_changes_through_and_holds_counts_to_one_a_second() -> None:
    now = [0.0]
    gate = AlertGate(1.0, clock=lambda: now[0])
    assert gate.offer(_alert(1))
    assert not any(gate.offer(_alert(n)) for n in range(2, 100))  # 98 count-only refreshes held
    assert gate.offer(_alert(100, sources=("wb", "dy")))  # a new platform passes at once
    assert gate.offer(_alert(101, status="reported_resolved")) and gate.offer(_alert(102, "high", "x"))
    assert not gate.offer(_alert(103, "high", "x")) and gate.due() == []
    now[0] += 1.0
    (latest,) = gate.due()
    assert latest.event_size == 103 and gate.due() == []
