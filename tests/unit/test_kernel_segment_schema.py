"""Segmentation for the index, and the shared records."""

from datetime import UTC, datetime, timedelta

import pytest

from yuqing.errors import InvalidPost
from yuqing.schema import Post, ScoredPost, make_post_id
from yuqing.segment import segment, segment_query


def test_alias_found_inside_the_long_name() -> None:
    terms = segment("可邑小镇的阿细跳月").split()
    assert "可邑" in terms and "可邑小镇" in terms


def test_query_and_index_segment_alike() -> None:
    assert set(segment_query("湖泉生態園").split()) <= set(segment("湖泉生态园门口").split())


def test_post_round_trips_and_id_is_stable() -> None:
    post = Post.parse(
        {"source": "weibo", "source_id": "42", "text": "可邑小镇", "published_at": "2024-05-01 10:00"}
    )
    assert post.id == "weibo:42"
    assert post.published_at.utcoffset() == timedelta(hours=8)  # naive means Asia/Shanghai
    assert Post.parse(post.to_json()) == post
    assert ScoredPost.parse(post.to_json()).id == post.id


def test_url_ids_ignore_fragment_and_host_case() -> None:
    a = make_post_id("news", None, "https://Example.com/a?id=1#top")
    assert a == make_post_id("news", None, "https://example.com/a?id=1")
    assert a != make_post_id("news", None, "https://example.com/a?id=2")


@pytest.mark.parametrize(
    ("data", "field", "fragment"),
    [
        (b"{not json", None, "not valid JSON"),
        (b"\xff\xfe\x00", None, "not valid UTF-8"),
        (b"[1, 2]", None, "JSON object"),
        ({"source": "w", "text": "  ", "url": "http://a"}, "text", "empty"),
        ({"source": "w", "text": "x"}, "source_id", "stable id"),
        ({"source": "w b", "text": "x", "url": "http://a"}, "source", "pattern"),
        ({"source": "w", "text": "x", "url": "javascript:alert(1)"}, "url", "http"),
        ({"source": "w", "text": "x", "url": "http://a", "surprise": 1}, "surprise", "Extra"),
        (
            {"source": "w", "text": "x", "url": "http://a", "engagement": {"likes": -1}},
            "engagement.likes",
            "",
        ),
    ],
)
def test_invalid_posts_name_the_field(data, field, fragment) -> None:
    with pytest.raises(InvalidPost) as info:
        Post.parse(data)
    assert info.value.field == field
    assert fragment in str(info.value)


def test_future_dates_are_rejected() -> None:
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    with pytest.raises(InvalidPost, match="future"):
        Post.parse({"source": "w", "source_id": "1", "text": "x", "published_at": future})


def test_telling_words_leave_out_common_words_and_place_names() -> None:
    from yuqing.segment import segment, words_of

    words = words_of(segment("湖泉生态园的游船公司要负责任，有人说已经超载了"))
    assert {"游船", "超载"} <= words
    assert not words & {"有人", "已经", "公司", "湖泉", "生态园", "湖泉生态园"}
