"""Conversation links: Weibo's `//@name:` repost chain in text, and link ids the schema accepts."""

from __future__ import annotations

import pytest

from crawlers.reposts import Hop, RepostChain, parse_chain
from crawlers.spiders.base import clean_id, context_text
from yuqing.schema import PARENT_TEXT_CHARS


def test_no_chain_is_all_own_words() -> None:
    assert parse_chain("湖泉生态园的夜景真美") == RepostChain(own="湖泉生态园的夜景真美")
    assert parse_chain("") == RepostChain(own="")
    assert parse_chain("").original is None and parse_chain("x").names == []


def test_one_hop() -> None:
    chain = parse_chain("太吓人了//@弥勒本地通:转发微博")
    assert chain == RepostChain(own="太吓人了", hops=(Hop("弥勒本地通", "转发微博"),))
    assert chain.original == "转发微博"


def test_three_hops_nearest_first() -> None:
    chain = parse_chain("我的评论//@甲:他的评论//@乙:她的评论//@丙:原文在这里")
    assert chain.own == "我的评论"
    assert chain.names == ["甲", "乙", "丙"]
    assert [h.words for h in chain.hops] == ["他的评论", "她的评论", "原文在这里"]
    assert chain.original == "原文在这里"


def test_full_width_colon_and_a_colon_inside_the_words() -> None:
    chain = parse_chain("同问//@锦屏山下：几点恢复？答：不知道//@乙:原文")
    assert chain.hops == (Hop("锦屏山下", "几点恢复？答：不知道"), Hop("乙", "原文"))


def test_empty_own_words() -> None:
    chain = parse_chain("//@甲:索道停运了")
    assert chain.own == "" and chain.names == ["甲"] and chain.original == "索道停运了"


def test_name_with_spaces() -> None:
    chain = parse_chain("顶//@Mile Travel Guide :湖泉夜游开放了")
    assert chain.names == ["Mile Travel Guide"] and chain.original == "湖泉夜游开放了"


@pytest.mark.parametrize(
    "text",
    [
        "转发//@没有冒号的人 说了一句话",
        "//@",
        "//@:",
        "//@ :空名字",
        "看这个//@" + "长" * 40 + ":不是名字",
    ],
)
def test_malformed_chain_stays_own_words(text: str) -> None:
    chain = parse_chain(text)
    assert chain.hops == () and chain.own == text.strip()


def test_malformed_hop_before_a_good_one_stays_text() -> None:
    chain = parse_chain("哈哈//@甲 没冒号//@乙:原文")
    assert chain.own == "哈哈//@甲 没冒号" and chain.names == ["乙"]


def test_a_hop_never_spans_a_line() -> None:
    chain = parse_chain("第一行//@甲\n第二行:不是链")
    assert chain.hops == ()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("4951000000000015", "4951000000000015"),
        (4951000000000015, "4951000000000015"),
        ("  t100\n", "t100"),
        ("p10 02", None),
        ("p10\n02", None),
        ("a\u2028b", None),
        ("a\x00b", None),
        ("", None),
        ("   ", None),
        (True, None),
        ({"id": 1}, None),
        (None, None),
        ("x" * 201, None),
    ],
)
def test_link_ids_are_stripped_or_dropped(value: object, expected: str | None) -> None:
    assert clean_id(value) == expected


def test_context_text_is_cut_to_what_the_schema_keeps() -> None:
    assert context_text("  原文  ") == "原文"
    assert len(context_text("长" * (PARENT_TEXT_CHARS + 50)) or "") == PARENT_TEXT_CHARS
    assert context_text("   ") is None and context_text(None) is None
