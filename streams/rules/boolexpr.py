"""Boolean keyword expressions for watchlists: `(火灾 OR 起火) AND NOT 篝火`, `"有人落水" 湖泉`.

Grammar: OR binds loosest, then AND (also implicit between neighbours), then NOT; parentheses group; a term is
a word or a "quoted phrase" and matches as a substring of the normalised text (Chinese has no spaces, so a
phrase and a word differ only in that a phrase may hold spaces and the operator words).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from yuqing.text import normalize_text

Matcher = Callable[[str], bool]
_TOKEN = re.compile(r'\s*(?:(\()|(\))|"([^"]*)"|([^\s()"]+))')
OPERATORS = {"AND", "OR", "NOT"}


class ExpressionError(ValueError):
    pass


def _tokens(expression: str) -> list[tuple[str, str]]:
    out, pos = [], 0
    expression = expression.strip()
    while pos < len(expression):
        m = _TOKEN.match(expression, pos)
        if not m or m.end() == pos:
            raise ExpressionError(f"cannot read {expression[pos:]!r}")
        pos = m.end()
        lpar, rpar, phrase, word = m.groups()
        if lpar:
            out.append(("(", "("))
        elif rpar:
            out.append((")", ")"))
        elif phrase is not None:
            if not phrase.strip():
                raise ExpressionError("empty phrase")
            out.append(("term", phrase))
        elif word.upper() in OPERATORS:
            out.append((word.upper(), word))
        else:
            out.append(("term", word))
    return out


def compile_expression(expression: str) -> Matcher:
    """A predicate over normalised text; ExpressionError says what is wrong with the expression."""
    tokens = _tokens(expression)
    if not tokens:
        raise ExpressionError("empty expression")
    pos = 0

    def peek() -> str | None:
        return tokens[pos][0] if pos < len(tokens) else None

    def take() -> tuple[str, str]:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def parse_or() -> Matcher:
        parts = [parse_and()]
        while peek() == "OR":
            take()
            parts.append(parse_and())
        return parts[0] if len(parts) == 1 else (lambda t, ps=parts: any(p(t) for p in ps))

    def parse_and() -> Matcher:
        parts = [parse_not()]
        while peek() in ("AND", "NOT", "term", "("):
            if peek() == "AND":
                take()
            parts.append(parse_not())
        return parts[0] if len(parts) == 1 else (lambda t, ps=parts: all(p(t) for p in ps))

    def parse_not() -> Matcher:
        if peek() == "NOT":
            take()
            inner = parse_not()
            return lambda t: not inner(t)
        return parse_atom()

    def parse_atom() -> Matcher:
        kind = peek()
        if kind == "(":
            take()
            inner = parse_or()
            if peek() != ")":
                raise ExpressionError("missing )")
            take()
            return inner
        if kind == "term":
            needle = normalize_text(take()[1])
            if not needle:
                raise ExpressionError("a term is empty after normalisation")
            return lambda t: needle in t
        raise ExpressionError(f"expected a term or ( but found {tokens[pos][1] if kind else 'the end'}")

    matcher = parse_or()
    if pos != len(tokens):
        raise ExpressionError(f"unexpected {tokens[pos][1]!r}")
    return matcher
