"""Normalisation: width, script, markup, social-media furniture."""

import pytest

from yuqing.text import EMOJI_TOKEN, URL_TOKEN, normalize, normalize_text


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("湖泉生態園", "湖泉生态园"),
        ("彌勒可邑小鎮", "弥勒可邑小镇"),
        ("ＡＢＣ１２３，", "ABC123,"),
        ("a\u3000\u3000b", "a b"),
        ("好好好好好好好好", "好好好"),
    ],
)
def test_script_width_and_repeats(raw: str, expected: str) -> None:
    assert normalize_text(raw) == expected


def test_markup_and_scripts_are_removed_but_text_kept() -> None:
    out = normalize_text("<p>湖泉&amp;可邑</p><script>alert('x')</script><b>好</b>")
    assert "script" not in out and "alert" not in out and "<" not in out
    assert out.replace(" ", "") == "湖泉&可邑好"


def test_urls_are_lifted_out_and_marked() -> None:
    n = normalize("详情见 https://t.cn/A6abc 和 www.example.com/x 快看")
    assert n.urls == ["https://t.cn/A6abc", "www.example.com/x"]
    assert n.text.count(URL_TOKEN) == 2


def test_mentions_hashtags_keep_their_words() -> None:
    n = normalize("#彌勒旅遊# @小王同学 一起去可邑")
    assert n.hashtags == ["弥勒旅游"]
    assert n.mentions == ["小王同学"]
    assert "弥勒旅游" in n.text and "#" not in n.text and "@小王同学" in n.text


def test_emoji_with_meaning_become_words_others_a_marker() -> None:
    n = normalize("太坑了😡😡 真不错👍🏻 ❤️ 👨‍👩‍👧")
    assert n.text.count("[愤怒]") == 2
    assert "[赞]" in n.text and "[爱心]" in n.text
    assert n.text.endswith(EMOJI_TOKEN)  # the family sequence is one marker, not three


def test_control_characters_do_not_survive() -> None:
    assert normalize_text("湖\x00泉\x1b[31m") == "湖 泉 [31m"
