"""Request bodies the app will read: at most WEB_MAX_BODY_BYTES (else 413), JSON nested at most
WEB_JSON_MAX_DEPTH deep (else 400), both answered before any route, form parser or JSON parser sees the body.

The body is read here, counted as it arrives (a declared Content-Length over the cap is refused unread), and
handed on whole; it is at most the cap, so holding it is cheap. Python's json parser recurses once per level,
so a deep enough document is a RecursionError (a 500) wherever it is parsed: the depth is measured first, on
the raw bytes, with the strings left out.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dashboards.messages import say

Answer = Callable[[Request, int, str], Response]

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(rb"[\[\]{}]")


def too_deep(body: bytes, max_depth: int) -> bool:
    """Whether brackets outside JSON strings nest deeper than max_depth."""
    depth = 0
    for match in _BRACKET.finditer(_STRING.sub(b"", body)):
        if match.group() in (b"[", b"{"):
            depth += 1
            if depth > max_depth:
                return True
        else:
            depth -= 1
    return False


def _megabytes(size: int) -> str:
    return f"{size / 1_048_576:.3g} MB" if size >= 1_048_576 else f"{size // 1024} KB"


class BodyLimits:
    """ASGI middleware: the size and JSON-depth caps on every request body."""

    def __init__(self, app: ASGIApp, max_bytes: int, max_depth: int, answer: Answer) -> None:
        self.app, self.max_bytes, self.max_depth, self.answer = app, max_bytes, max_depth, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(request, scope, receive, send, 413, self._too_large())
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away before sending its body
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._refuse(request, scope, receive, send, 413, self._too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        ctype = request.headers.get("content-type", "")
        if body and "json" in ctype and too_deep(body, self.max_depth):
            message = say("json_too_deep", depth=self.max_depth)
            await self._refuse(request, scope, receive, send, 400, message)
            return
        await self.app(scope, _replay(body, receive), send)

    def _too_large(self) -> str:
        return say("body_too_large", limit=_megabytes(self.max_bytes))

    async def _refuse(
        self, request: Request, scope: Scope, receive: Receive, send: Send, status: int, message: str
    ) -> None:
        response = self.answer(request, status, message)
        response.headers["Connection"] = "close"  # the rest of a refused body is not read
        await response(scope, receive, send)


def _replay(body: bytes, receive: Receive) -> Callable[[], Awaitable[Message]]:
    """A receive that gives the body read already, then whatever the client sends next (its disconnect)."""
    given = False

    async def replayed() -> dict[str, Any]:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
