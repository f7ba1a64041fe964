"""Fixture web site and crawl runner for the crawler tests (real HTTP on 127.0.0.1, real Scrapy).

`FixtureSite` serves a table of routes on a free port and records every request, so tests can say "this
page was fetched once, that one never". `run_crawl` runs `yuqing crawl` in a subprocess (a Twisted
reactor cannot be restarted, and each run must start cold, as in production) and returns its exit code,
output, summary and the posts it wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

Reply = tuple[int, dict[str, str], bytes]
Route = Reply | Callable[["Hit"], Reply]


@dataclass
class Hit:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    count: int  # how many times this path was asked for, this one included


class FixtureSite:
    def __init__(self, routes: dict[str, Route]) -> None:
        self.routes = routes
        self.hits: Counter[str] = Counter()
        self.requests: list[Hit] = []
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                with site._lock:
                    site.hits[self.path] += 1
                    hit = Hit(
                        self.path, {k.lower(): v for k, v in self.headers.items()}, site.hits[self.path]
                    )
                    site.requests.append(hit)
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                status, headers, body = route(hit) if callable(route) else route or (404, {}, b"not found")
                try:
                    self.send_response(status)
                    for key, value in {"Content-Length": str(len(body)), **headers}.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the crawler gave up waiting (the slow page): that is the point

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def html(body: str, title: str = "页面", charset: str = "utf-8", declare: str = "header") -> Reply:
    """An HTML page; `declare` says where the charset is stated: header, meta, or nowhere."""
    meta = f'<meta charset="{charset}">' if declare == "meta" else ""
    page = f"<html><head>{meta}<title>{title}</title></head><body>{body}</body></html>"
    kind = f"text/html; charset={charset}" if declare == "header" else "text/html"
    return 200, {"Content-Type": kind}, page.encode(charset)


def slow(seconds: float, reply: Reply) -> Callable[[Hit], Reply]:
    def route(hit: Hit) -> Reply:
        time.sleep(seconds)
        return reply

    return route


def fail_first(times: int, status: int, reply: Reply) -> Callable[[Hit], Reply]:
    """`status` for the first `times` requests, then `reply` (a flaky server)."""

    def route(hit: Hit) -> Reply:
        return (
            (status, {"Content-Type": "text/html"}, b"<h1>server error</h1>") if hit.count <= times else reply
        )

    return route


def redirect(to: str, status: int = 302) -> Reply:
    return status, {"Location": to, "Content-Type": "text/html"}, b""


@dataclass
class CrawlRun:
    rc: int
    stdout: str
    stderr: str
    summary: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)

    def source(self, name: str) -> dict[str, Any]:
        return next(s for s in self.summary if s["source"] == name)

    def stat(self, name: str, key: str) -> int:
        return int(self.source(name)["stats"].get(key, 0))


def run_crawl(
    workdir: Path,
    sources_yaml: str,
    *args: str,
    env: dict[str, str] | None = None,
    jsonl: bool = True,
    timeout: float = 120,
) -> CrawlRun:
    """`yuqing crawl` on a sources file, with state under `workdir`; posts to a JSON-lines file or Kafka."""
    workdir.mkdir(parents=True, exist_ok=True)
    sources = workdir / "sources.yaml"
    sources.write_text(sources_yaml, encoding="utf-8")
    summary = workdir / "summary.json"
    summary.unlink(missing_ok=True)
    out = workdir / "posts.jsonl"
    out.unlink(missing_ok=True)
    cmd = [
        sys.executable,
        "-m",
        "yuqing.cli",
        "crawl",
        "--sources",
        str(sources),
        "--state-dir",
        str(workdir / "state"),
        "--summary-json",
        str(summary),
        *args,
    ]
    if jsonl:
        cmd += ["--output", str(out)]
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, env={**os.environ, **(env or {})}, check=False
    )
    posts = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    data = json.loads(summary.read_text()) if summary.exists() else []
    return CrawlRun(proc.returncode, proc.stdout, proc.stderr, data, posts)
