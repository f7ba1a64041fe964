"""Seed data for the dashboard tests (seed.yaml beside this file): scored posts, events, alerts, accounts.

Written straight into Elasticsearch with the kernel's own indexing (yuqing.es.index_post, index_alert), as
the stream will; times in the file are minutes before now, so the monitoring screen's window holds them.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from dashboards.accounts import Accounts
from yuqing import es as es_setup
from yuqing.schema import Alert, Event, ScoredPost
from yuqing.settings import REPO_ROOT, Settings

PASSWORD = "correct-horse-9"
USERS = (("admin1", "admin", None), ("ana", "analyst", None), ("duty_xisan", "duty_officer", "西三派出所"))
SCORES = {"none": 0.05, "low": 0.3, "medium": 0.6, "high": 0.95}
SOURCE = "demo_weibo"


def data() -> dict[str, Any]:
    return yaml.safe_load((Path(__file__).with_name("seed.yaml")).read_text(encoding="utf-8"))


def _ago(now: datetime, minutes: float | None) -> str | None:
    return None if minutes is None else (now - timedelta(minutes=minutes)).isoformat()


def scored_post(row: dict[str, Any], now: datetime) -> ScoredPost:
    return ScoredPost.model_validate(
        {
            "source": SOURCE,
            "source_id": row["sid"],
            "url": f"https://weibo.example/{row['sid']}",
            "author": f"网友{row['sid']}",
            "title": row.get("title"),
            "text": row["text"],
            "published_at": _ago(now, row["minutes_ago"]),
            "crawled_at": _ago(now, max(0, row["minutes_ago"] - 1)),
            "relevant": row.get("relevant", True),
            "spots": row["spots"],
            "jurisdiction": row["station"],
            "sentiment": {"label": row["sentiment"], "score": 0.9},
            "risk": {"level": row["level"], "score": SCORES[row["level"]], "categories": row["categories"]},
            "event_id": row.get("event"),
            "explain": {"level": row["level"], "spots": {s: [s] for s in row["spots"]}},
        }
    )


def posts(now: datetime | None = None) -> list[ScoredPost]:
    now = now or datetime.now(UTC)
    return [scored_post(row, now) for row in data()["posts"]]


def events(now: datetime | None = None) -> list[Event]:
    now = now or datetime.now(UTC)
    out = []
    for row in data()["events"]:
        row = dict(row)
        row["first_seen"], row["last_seen"] = (
            _ago(now, row.pop("first_seen_min")),
            _ago(now, row.pop("last_seen_min")),
        )
        out.append(Event.model_validate(row))
    return out


def alerts(now: datetime | None = None) -> list[Alert]:
    now = now or datetime.now(UTC)
    out = []
    for row in data()["alerts"]:
        row = dict(row)
        for key in ("raised", "acknowledged", "resolved"):
            if f"{key}_min" in row:
                row[f"{key}_at"] = _ago(now, row.pop(f"{key}_min"))
        if "evidence_of" in row:
            sid = row.pop("evidence_of")
            row["evidence"] = {
                "excerpt": row.pop("excerpt"),
                "url": f"https://weibo.example/{sid}",
                "author": f"网友{sid}",
                "source": SOURCE,
                "published_at": row["raised_at"],
                "crawled_at": now.isoformat(),
            }
        out.append(Alert.model_validate(row))
    return out


def isolated(settings: Settings, name: str) -> Settings:
    """The session's settings with an index prefix of this module's own (made here, and removed with the
    session's), so other tests indexing posts in the same session cannot change what these tests count."""
    from yuqing.settings import ElasticsearchSettings
    from yuqing.webstore import ensure_web_indices

    es = ElasticsearchSettings(
        **{**settings.es.model_dump(), "index_prefix": f"{settings.es.index_prefix}{name}-"}
    )
    client = es_setup.client(es)
    try:
        es_setup.ensure_indices(client, es)
        ensure_web_indices(client, es)
    finally:
        client.close()
    return settings.model_copy(update={"es": es})


def seed(settings: Settings) -> None:
    """Index everything under the session's prefix, refresh, and add the accounts in USERS."""
    now = datetime.now(UTC)
    client = es_setup.client(settings.es)
    try:
        for post in posts(now):
            es_setup.index_post(client, settings.es, post)
        for alert in alerts(now):
            es_setup.index_alert(client, settings.es, alert)
        for event in events(now):
            client.index(
                index=settings.es.name("events"), id=event.id, document=es_setup.event_document(event)
            )
        client.indices.refresh(index=settings.es.name("*"))
    finally:
        client.close()

    async def add_users() -> None:
        client = es_setup.async_client(settings.es)
        try:
            accounts = Accounts(client, settings.es)
            for name, role, station in USERS:
                if await accounts.get(name) is None:
                    await accounts.add(name, PASSWORD, role, station)
        finally:
            await client.close()

    asyncio.run(add_users())


class LiveServer:
    """The app under uvicorn in a thread on a free port (one event loop, as in production)."""

    def __init__(self, settings: Settings) -> None:
        import socket
        import threading

        import uvicorn

        from dashboards.api.app import create_app

        self.app = create_app(settings)
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(self.app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the web app did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    """Sign an httpx client in through the login form (its CSRF cookie and field included)."""
    import re

    page = client.get("/login", headers={"accept": "text/html"})
    token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf": token, "next": "/"},
        follow_redirects=False,
    )


CHROMIUM = "/usr/bin/chromium"
SHOTS = REPO_ROOT / "var" / "screenshots"


@contextlib.contextmanager
def chromium() -> Iterator[Any]:
    """Headless Debian Chromium through Playwright (start it after the live server: seeding runs asyncio,
    which cannot start inside Playwright's running loop). Screenshots go to SHOTS."""
    import pytest
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium fonts-wqy-microhei (.ci/run does)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-background-networking"]
        )
        try:
            yield browser
        finally:
            browser.close()


def signed_in(
    browser: Any,
    server: LiveServer,
    username: str,
    *,
    viewport: tuple[int, int] = (1600, 1000),
    path: str = "",
) -> Any:
    """A new page signed in as `username` (then at `path`, when given), collecting the page's script errors
    in `page.errors`."""
    page = browser.new_page(viewport={"width": viewport[0], "height": viewport[1]}, locale="zh-CN")
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.goto(server.url + "/login" + (f"?next={path}" if path else ""))
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page
