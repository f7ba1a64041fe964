"""A ScoredPost indexed is found by a Chinese query through the app's own segmentation."""

from __future__ import annotations

from datetime import UTC, datetime

from yuqing import es as es_setup
from yuqing.schema import Engagement, ScoredPost
from yuqing.settings import Settings


def _scored(source_id: str, text: str, title: str | None = None, published: str = "2025-03-08 10:00"):
    return ScoredPost.model_validate(
        {
            "source": "dianping",
            "source_id": source_id,
            "url": f"https://dianping.example/review/{source_id}",
            "title": title,
            "text": text,
            "published_at": published,
            "crawled_at": datetime(2025, 3, 8, 6, 0, tzinfo=UTC),
            "relevant": True,
            "spots": ["可邑小镇"],
            "jurisdiction": "西三派出所",
            "sentiment": {"label": "neg", "score": 0.91},
            "risk": {"level": "medium", "score": 0.7, "categories": ["consumer"]},
            "event_id": "evt-1",
            "explain": {"spots": {"可邑小镇": ["可邑小镇"]}},
        }
    )


def test_chinese_query_finds_the_post(initialized: Settings, es_client) -> None:
    es = initialized.es
    keyi = _scored("s1", "周末去了可邑小镇，彝族风情浓郁，可惜停车场乱收费。", title="弥勒可邑小镇游记")
    other = _scored("s2", "锦屏山的日落很美，索道排队一个小时。", published="2025-04-01 09:00")
    other = other.model_copy(update={"spots": ["锦屏山"], "jurisdiction": "弥阳派出所"})
    for post in (keyi, other):
        es_setup.index_post(es_client, es, post)
    es_client.indices.refresh(index=es.name("posts"))

    hits = es_setup.search_posts(es_client, es, "可邑")
    assert [h["id"] for h in hits] == [keyi.id]
    assert hits[0]["spots"] == ["可邑小镇"] and hits[0]["risk"]["categories"] == ["consumer"]
    assert [h["id"] for h in es_setup.search_posts(es_client, es, "锦屏山 索道")] == [other.id]
    # Traditional characters are normalised like the index: 可邑小鎮 finds 可邑小镇.
    assert [h["id"] for h in es_setup.search_posts(es_client, es, "可邑小鎮")] == [keyi.id]
    assert es_setup.search_posts(es_client, es, "太平湖") == []
    # Filters combine with the query on the keyword fields.
    flt = [{"term": {"jurisdiction": "弥阳派出所"}}]
    assert es_setup.search_posts(es_client, es, "可邑", filters=flt) == []


def test_posts_go_to_monthly_indices_behind_the_alias(initialized: Settings, es_client) -> None:
    es = initialized.es
    march = _scored("m1", "三月的可邑", published="2025-03-31 23:30")  # Mile time: still March
    april = _scored("m2", "四月的可邑", published="2025-04-02 08:00")
    assert es_setup.index_post(es_client, es, march) == es.name("posts-2025.03")
    assert es_setup.index_post(es_client, es, april) == es.name("posts-2025.04")
    es_client.indices.refresh(index=es.name("posts"))
    aliases = es_client.indices.get_alias(name=es.name("posts"))
    assert {es.name("posts-2025.03"), es.name("posts-2025.04")} <= set(aliases)
    doc = es_client.get(index=es.name("posts-2025.04"), id=april.id)["_source"]
    assert doc["text_seg"] and "可邑" in doc["text_seg"].split()


def test_a_replay_overwrites_instead_of_duplicating(initialized: Settings, es_client) -> None:
    es = initialized.es
    post = _scored("dup", "可邑小镇的长街宴")
    for likes in (1, 2, 3):
        replay = post.model_copy(update={"engagement": Engagement(likes=likes)})
        es_setup.index_post(es_client, es, replay, refresh=True)
    query = {"term": {"id": post.id}}
    assert es_client.count(index=es.name("posts"), query=query)["count"] == 1
    (hit,) = es_client.search(index=es.name("posts"), query=query)["hits"]["hits"]
    assert hit["_id"] == post.id and hit["_source"]["engagement"]["likes"] == 3


def test_strict_mapping_refuses_unknown_fields(initialized: Settings, es_client) -> None:
    import pytest
    from elasticsearch import BadRequestError

    with pytest.raises(BadRequestError, match="strict_dynamic_mapping_exception"):
        es_client.index(index=initialized.es.name("posts-2025.05"), document={"text": "x", "surprise": 1})
