"""The Elasticsearch mappings stay true to the pydantic schema, and use only what the test server has."""

from __future__ import annotations

import types
import typing
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import pytest
from pydantic import BaseModel

from yuqing import es as es_setup
from yuqing.schema import Alert, Event, Post, ScoredPost
from yuqing.settings import ElasticsearchSettings

# The integ-test server has no analysis-common: only Lucene's core analyzers exist there.
CORE_ANALYZERS = {"standard", "whitespace", "simple", "keyword", "stop"}
TEXTUAL = {"keyword", "text"}
EXTRA_INDEX_FIELDS = {ScoredPost: {"title_seg"}, Alert: {"summary_seg"}, Event: {"title_seg"}}


def _unwrap(annotation: Any) -> Any:
    """`X | None` → X; `list[X]` → X (a list is just several values of X to Elasticsearch)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _unwrap(inner)
    if origin is list:
        return _unwrap(typing.get_args(annotation)[0])
    return annotation


def _check(model: type[BaseModel], properties: dict[str, Any], where: str) -> None:
    fields = dict(model.model_fields)
    fields.update({name: info for name, info in model.model_computed_fields.items()})
    missing = set(fields) - set(properties)
    assert not missing, f"{where}: schema fields without a mapping: {sorted(missing)}"
    unexpected = set(properties) - set(fields) - EXTRA_INDEX_FIELDS.get(model, set())
    assert not unexpected, f"{where}: mapped fields the schema does not have: {sorted(unexpected)}"
    for name, info in fields.items():
        annotation = _unwrap(getattr(info, "annotation", None) or info.return_type)
        mapping = properties[name]
        kind = mapping.get("type", "object")
        label = f"{where}.{name}"
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            assert "properties" in mapping, f"{label}: a nested record needs its own properties"
            _check(annotation, mapping["properties"], label)
        elif annotation is dict or typing.get_origin(annotation) is dict:
            assert kind == "object" and mapping.get("enabled") is False, f"{label}: free-form, not indexed"
        elif annotation is bool:
            assert kind == "boolean", label
        elif annotation is datetime:
            assert kind == "date", label
        elif annotation is int:
            assert kind in ("long", "integer"), label
        elif annotation is float:
            assert kind in ("float", "double", "scaled_float"), label
        elif isinstance(annotation, type) and issubclass(annotation, Enum):
            assert kind == "keyword", f"{label}: enumerations filter and aggregate as keywords"
        elif annotation is str:
            assert kind in TEXTUAL, label
        else:
            pytest.fail(f"{label}: no rule for {annotation!r}; teach this test the new type")


def test_posts_mapping_covers_scored_post() -> None:
    _check(ScoredPost, es_setup.posts_mapping()["properties"], "posts")


def test_alerts_mapping_covers_alert() -> None:
    _check(Alert, es_setup.alerts_mapping()["properties"], "alerts")


def test_events_mapping_covers_event() -> None:
    _check(Event, es_setup.events_mapping()["properties"], "events")


def test_identifiers_are_keywords_and_text_is_searchable() -> None:
    props = es_setup.posts_mapping()["properties"]
    for name in ("id", "source", "source_id", "spots", "jurisdiction", "event_id"):
        assert props[name]["type"] == "keyword", name
    assert props["risk"]["properties"]["categories"]["type"] == "keyword"
    for name in ("text", "title"):
        assert props[name] == {"type": "text", "analyzer": "standard"}
        assert props[f"{name}_seg"] == {"type": "text", "analyzer": "whitespace"}
    assert es_setup.posts_mapping()["dynamic"] == "strict"


def _analyzers(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {v for k, v in node.items() if k in ("analyzer", "search_analyzer")}
        return found.union(*(_analyzers(v) for v in node.values()))
    return set()


def test_only_core_analyzers() -> None:
    used = _analyzers(es_setup.posts_mapping()) | _analyzers(es_setup.alerts_mapping())
    assert used <= CORE_ANALYZERS, used - CORE_ANALYZERS


def test_template_is_prefixed_and_carries_the_alias() -> None:
    es = ElasticsearchSettings(index_prefix="t1-")
    template = es_setup.posts_template(es)
    assert template["index_patterns"] == ["t1-posts-*"]
    assert template["template"]["aliases"] == {"t1-posts": {}}
    assert template["priority"] > es_setup.posts_template(ElasticsearchSettings(index_prefix=""))["priority"]


def _post(**kw: Any) -> ScoredPost:
    base = {"source": "weibo", "source_id": "1", "text": "可邑小镇的夜景很美"}
    return ScoredPost.model_validate({**base, **kw})


def test_index_for_uses_mile_time_and_falls_back_to_crawl_time() -> None:
    es = ElasticsearchSettings(index_prefix="p-")
    # 2024-05-31 17:00 UTC is already June 1st in Mile.
    june_in_mile = datetime(2024, 5, 31, 17, 0, tzinfo=UTC)
    assert es_setup.index_for(_post(published_at=june_in_mile), es) == "p-posts-2024.06"
    assert es_setup.index_for(_post(published_at="2024-05-31 23:59"), es) == "p-posts-2024.05"
    crawled = datetime(2023, 12, 1, 0, 0, tzinfo=UTC)
    assert es_setup.index_for(_post(crawled_at=crawled), es) == "p-posts-2023.12"


def test_document_has_segmented_fields_and_stable_id() -> None:
    post = _post(title="弥勒游记", url="https://weibo.example/1")
    doc = es_setup.to_document(post)
    assert doc["id"] == post.id == "weibo:1"
    assert "可邑" in doc["text_seg"].split() and "可邑小镇" in doc["text_seg"].split()
    assert "弥勒" in doc["title_seg"].split()
    assert set(doc) <= set(es_setup.posts_mapping()["properties"])
    assert es_setup.to_document(_post())["title_seg"] is None


def test_query_is_segmented_and_never_query_syntax() -> None:
    query = es_setup.chinese_query('可邑 OR *:* AND text:"x"')
    assert set(query) == {"multi_match"}
    terms = query["multi_match"]["query"].split()
    assert "可邑" in terms
    assert query["multi_match"]["fields"] == ["title_seg^2", "text_seg"]
    assert es_setup.chinese_query("   ") == {"match_none": {}}


def test_post_fields_all_reach_the_document() -> None:
    doc = es_setup.to_document(_post())
    assert set(Post.model_fields) | {"id"} <= set(doc)
