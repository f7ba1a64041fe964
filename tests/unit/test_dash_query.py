"""The analysts' query language: parsed into a bool query of segmented terms and phrases, no query string."""

from __future__ import annotations

import json

import pytest

from dashboards.query import QueryError, parse


def _kinds(q: str) -> str:
    def walk(node) -> str:
        if node.kind in ("term", "phrase"):
            return f"{node.kind}:{node.value}"
        if node.kind == "all":
            return "all"
        return f"{node.kind}(" + ",".join(walk(c) for c in node.children) + ")"

    return walk(parse(q).tree)


@pytest.mark.parametrize(
    ("query", "tree"),
    [
        ("湖泉 溺水", "and(term:湖泉,term:溺水)"),
        ("湖泉 AND 溺水", "and(term:湖泉,term:溺水)"),
        ("宰客 OR 坑人", "or(term:宰客,term:坑人)"),
        ("宰客 | 坑人", "or(term:宰客,term:坑人)"),
        ("可邑 NOT 酒店", "and(term:可邑,not(term:酒店))"),
        ("可邑 -酒店", "and(term:可邑,not(term:酒店))"),
        ('"锦屏山索道" 排队', "and(phrase:锦屏山索道,term:排队)"),
        ("“锦屏山 索道”", "phrase:锦屏山 索道"),
        ("(湖泉 OR 太平湖) 溺水", "and(or(term:湖泉,term:太平湖),term:溺水)"),
        ("（湖泉 OR 太平湖）溺水", "and(or(term:湖泉,term:太平湖),term:溺水)"),
        ("a OR b c", "or(term:a,and(term:b,term:c))"),
        ("NOT 酒店", "and(all,not(term:酒店))"),
        ("", "all"),
    ],
)
def test_grammar(query: str, tree: str) -> None:
    assert _kinds(query) == tree


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(湖泉", "括号没有闭合"),
        ("湖泉)", "没有对应的左括号"),
        ("OR 湖泉", "OR 前面缺少检索词"),
        ("湖泉 OR", "OR 后面缺少检索词"),
        ("湖泉 AND", "AND 后面缺少检索词"),
        ("NOT", "NOT 后面缺少检索词"),
        ('"湖泉', "引号没有闭合"),
        ("()", "括号里是空的"),
        ('""', "引号里是空的"),
        ("((((((((((湖泉))))))))))", "嵌套超过 8 层"),
        ("湖泉\x00", "控制字符"),
    ],
)
def test_malformed_queries_are_refused_with_a_reason(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse(query)


def test_length_and_size_limits() -> None:
    with pytest.raises(QueryError, match="最多 200 个"):
        parse("湖" * 201)
    parse("湖" * 200)
    with pytest.raises(QueryError, match="41 个部分"):
        parse(" ".join(["湖泉"] * 41), max_chars=1000)


def test_terms_are_segmented_like_the_index_and_phrases_match_raw_text() -> None:
    body = parse('可邑小镇 "烧烤摊"').to_es()
    text = json.dumps(body, ensure_ascii=False)
    must = body["bool"]["must"]
    # A word goes through chinese_query: jieba's fine-grained cut on the *_seg fields.
    assert must[0]["multi_match"]["query"] == "可邑 小镇 可邑小镇"
    assert set(must[0]["multi_match"]["fields"]) == {"title_seg^2", "text_seg"}
    assert {"match_phrase": {"text": "烧烤摊"}} in must[1]["bool"]["should"]
    assert "query_string" not in text and "simple_query_string" not in text


def test_query_syntax_of_elasticsearch_is_plain_text_here() -> None:
    # Lucene syntax is not ours: it ends up as words to match, never as syntax.
    body = json.dumps(parse("title:* AND text:/.*/ ~2^5").to_es(), ensure_ascii=False)
    assert "query_string" not in body and "regexp" not in body and "wildcard" not in body


def test_highlight_words_leave_out_negated_terms() -> None:
    parsed = parse('湖泉 NOT 酒店 "游船"')
    assert "酒店" not in parsed.words
    assert "湖泉" in parsed.words and "游船" in parsed.words
