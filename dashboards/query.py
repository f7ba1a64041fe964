"""The analysts' query language, parsed here into an Elasticsearch bool query (never a raw query string).

    湖泉 溺水            both (AND is implied between terms)
    宰客 OR 坑人         either (also `|`)
    可邑 NOT 酒店        the first without the second (also `-酒店`)
    "锦屏山索道"         an exact phrase (also “…”)
    (湖泉 OR 太平湖) 溺水  grouping (also full-width brackets)

Words are segmented with jieba exactly as the index is (`yuqing.es.chinese_query` on the `*_seg` fields);
phrases match the character sequence in the raw title or text. Malformed input raises QueryError with a
message for the user (dashboards.messages), before anything reaches Elasticsearch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dashboards.messages import say
from yuqing.es import chinese_query
from yuqing.segment import segment_query

MAX_TOKENS = 40
MAX_DEPTH = 8
_TOKEN = re.compile(r'"[^"]*"|“[^”]*”|[()（）|&]|[^\s()（）"“”|&]+|["“”]')
_OPEN, _CLOSE = ("(", "（"), (")", "）")


class QueryError(ValueError):
    """The query cannot be parsed; the message says why, in words for the user."""


@dataclass
class Node:
    kind: str  # and | or | not | term | phrase | all
    value: str = ""
    children: list[Node] = field(default_factory=list)


@dataclass
class ParsedQuery:
    tree: Node
    text: str
    words: list[str]  # positive words and phrases, for highlighting

    def to_es(self) -> dict[str, Any]:
        return _to_es(self.tree)


def tokenize(text: str) -> list[str]:
    tokens = _TOKEN.findall(text)
    for tok in tokens:
        if tok in ('"', "“", "”"):
            raise QueryError(say("query_quote"))
    return tokens


class _Parser:
    def __init__(self, tokens: list[str]) -> None:
        self.tokens, self.pos, self.depth = tokens, 0, 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        tok = self.tokens[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        node = self.or_expr()
        if self.peek() is not None:
            tok = self.peek()
            raise QueryError(say("query_unopened" if tok in _CLOSE else "query_unexpected", token=tok))
        return node

    def or_expr(self) -> Node:
        parts = [self.and_expr()]
        while self.peek() in ("OR", "|"):
            self.take()
            if self.peek() is None or self.peek() in _CLOSE:
                raise QueryError(say("query_after", op="OR"))
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else Node("or", children=parts)

    def and_expr(self) -> Node:
        parts = [self.unary()]
        while self.peek() is not None and self.peek() not in ("OR", "|") and self.peek() not in _CLOSE:
            if self.peek() in ("AND", "&"):
                self.take()
                if self.peek() is None or self.peek() in _CLOSE or self.peek() in ("OR", "|"):
                    raise QueryError(say("query_after", op="AND"))
            parts.append(self.unary())
        return parts[0] if len(parts) == 1 else Node("and", children=parts)

    def unary(self) -> Node:
        tok = self.peek()
        if tok is None:
            raise QueryError(say("query_early"))
        if tok == "NOT":
            self.take()
            if self.peek() is None or self.peek() in _CLOSE:
                raise QueryError(say("query_after", op="NOT"))
            return Node("not", children=[self.unary()])
        if tok.startswith("-") and len(tok) > 1:
            self.tokens[self.pos] = tok[1:]
            return Node("not", children=[self.atom()])
        return self.atom()

    def atom(self) -> Node:
        tok = self.take()
        if tok in _OPEN:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(say("query_deep", limit=MAX_DEPTH))
            if self.peek() in _CLOSE:
                raise QueryError(say("query_empty_brackets"))
            node = self.or_expr()
            if self.peek() not in _CLOSE:
                raise QueryError(say("query_unclosed"))
            self.take()
            self.depth -= 1
            return node
        if tok in _CLOSE:
            raise QueryError(say("query_unopened", token=tok))
        if tok in ("OR", "|", "AND", "&"):
            raise QueryError(say("query_before", op=tok))
        if tok[0] in ('"', "“"):
            inner = tok[1:-1].strip()
            if not inner:
                raise QueryError(say("query_empty_phrase"))
            return Node("phrase", inner)
        return Node("term", tok)


def parse(text: str, max_chars: int = 200) -> ParsedQuery:
    """Parse a user's query; an empty one matches everything (filters then decide)."""
    text = (text or "").strip()
    if len(text) > max_chars:
        raise QueryError(say("query_long", length=len(text), limit=max_chars))
    if any(ord(c) < 32 and c not in "\t" for c in text):
        raise QueryError(say("query_control"))
    if not text:
        return ParsedQuery(Node("all"), "", [])
    tokens = tokenize(text)
    if len(tokens) > MAX_TOKENS:
        raise QueryError(say("query_parts", count=len(tokens), limit=MAX_TOKENS))
    tree = _Parser(tokens).parse()
    words: list[str] = []
    _collect(tree, words, positive=True)
    if not _has_positive(tree):
        tree = Node("and", children=[Node("all"), tree])
    return ParsedQuery(tree, text, words)


def _has_positive(node: Node) -> bool:
    if node.kind in ("term", "phrase", "all"):
        return True
    if node.kind == "not":
        return False
    if node.kind == "or":
        return all(_has_positive(c) for c in node.children)
    return any(_has_positive(c) for c in node.children)


def _collect(node: Node, words: list[str], positive: bool) -> None:
    if node.kind == "not":
        return
    if node.kind == "phrase":
        words.append(node.value)
    elif node.kind == "term":
        words.extend(w for w in segment_query(node.value).split() if w not in words)
    for child in node.children:
        _collect(child, words, positive)


def _to_es(node: Node) -> dict[str, Any]:
    if node.kind == "all":
        return {"match_all": {}}
    if node.kind == "term":
        return chinese_query(node.value)
    if node.kind == "phrase":
        return {
            "bool": {
                "should": [{"match_phrase": {"text": node.value}}, {"match_phrase": {"title": node.value}}],
                "minimum_should_match": 1,
            }
        }
    if node.kind == "not":
        return {"bool": {"must_not": [_to_es(node.children[0])]}}
    if node.kind == "or":
        return {"bool": {"should": [_to_es(c) for c in node.children], "minimum_should_match": 1}}
    must = [_to_es(c) for c in node.children if c.kind != "not"]
    must_not = [_to_es(c.children[0]) for c in node.children if c.kind == "not"]
    return {"bool": {"must": must or [{"match_all": {}}], "must_not": must_not}}


def highlight_query(parsed: ParsedQuery) -> dict[str, Any] | None:
    """What to mark in the raw title and text: each positive word or phrase as a character sequence."""
    if not parsed.words:
        return None
    should = [{"match_phrase": {f: w}} for w in parsed.words[:30] for f in ("text", "title")]
    return {"bool": {"should": should, "minimum_should_match": 1}}
