"""Screen tokens over the real Elasticsearch: made by an admin only (audited), shown once and kept hashed; a
wall on one sees the screen and its stream of its station only, every other route refuses it; revoked, it is
refused and its open stream ends with an `ended` event; the stream's heartbeat; the CLI
(`yuqing users screen-token`)."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from web_seed import LiveServer, isolated, login, seed

from dashboards.api.routes.screen import SCREEN_COOKIE
from yuqing import es as es_setup
from yuqing.settings import REPO_ROOT, Settings, WebSettings


@pytest.fixture(scope="module")
def app_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "screentok")
    seed(settings)
    web = WebSettings(**{**settings.web.model_dump(), "screen_refresh_s": 0.3, "screen_heartbeat_s": 1.0})
    return settings.model_copy(update={"web": web})


@pytest.fixture(scope="module")
def server(app_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(app_settings) as live:
        yield live


@contextmanager
def signed_in(server: LiveServer, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        assert login(c, username).status_code == 303
        yield c


def csrf(c: httpx.Client) -> dict[str, str]:
    return {"X-CSRF-Token": c.get("/api/me").json()["csrf"]}


def audit(settings: Settings, action: str) -> list[dict]:
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name("audit"))
        hits = client.search(index=settings.es.name("audit"), query={"term": {"action": action}}, size=50)
    finally:
        client.close()
    return [h["_source"] for h in hits["hits"]["hits"]]


@contextmanager
def wall(server: LiveServer, token: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server.url, timeout=30) as c:
        opened = c.get("/screen/login", params={"token": token}, headers={"accept": "text/html"})
        assert opened.status_code == 303 and opened.headers["location"] == "/screen"
        assert SCREEN_COOKIE in c.cookies
        yield c


def test_only_an_admin_makes_a_token_and_it_is_audited_and_kept_hashed(server, app_settings) -> None:
    with signed_in(server, "ana") as ana:
        refused = ana.post("/api/screen-tokens", json={"name": "墙"}, headers=csrf(ana))
        assert refused.status_code == 403
    with signed_in(server, "admin1") as admin:
        assert admin.post("/api/screen-tokens", json={"name": "墙"}).status_code == 403  # no CSRF token
        bad = admin.post(
            "/api/screen-tokens", json={"name": "墙", "station": "火星派出所"}, headers=csrf(admin)
        )
        assert bad.status_code == 422
        made = admin.post("/api/screen-tokens", json={"name": "指挥中心大屏"}, headers=csrf(admin)).json()
        assert made["scope"] == "全市" and made["url"].endswith("/screen/login?token=" + made["token"])
        listed = admin.get("/api/screen-tokens").json()
        assert made["id"] in {t["id"] for t in listed}
        assert all("token" not in t and "secret_sha256" not in t for t in listed)
        page = admin.get("/admin/screens", headers={"accept": "text/html"})
        assert page.status_code == 200 and "指挥中心大屏" in page.text and made["token"] not in page.text
    secret = made["token"].split(".", 1)[1]
    client = es_setup.client(app_settings.es)
    try:
        stored = client.get(index=app_settings.es.name("screen_tokens"), id=made["id"])["_source"]
    finally:
        client.close()
    assert secret not in json.dumps(stored) and len(stored["secret_sha256"]) == 64
    entry = next(e for e in audit(app_settings, "screen_token_add") if e["target"] == made["id"])
    assert entry["user"] == "admin1" and entry["details"]["name"] == "指挥中心大屏"


def test_a_token_views_its_stations_screen_and_nothing_else(server, app_settings) -> None:
    with signed_in(server, "admin1") as admin:
        made = admin.post(
            "/api/screen-tokens", json={"name": "西三所大屏", "station": "西三派出所"}, headers=csrf(admin)
        ).json()
    with wall(server, made["token"]) as w:
        page = w.get("/screen", headers={"accept": "text/html"})
        assert page.status_code == 200 and "西三所大屏" in page.text and 'data-mode="token"' in page.text
        snap = w.get("/api/screen").json()
        assert snap["totals"]["posts"] == 3 and {s["station"] for s in snap["stations"]} == {"西三派出所"}
        with w.stream("GET", "/api/screen/stream") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "event: snapshot"
            assert json.loads(next(lines).removeprefix("data: "))["totals"] == snap["totals"]
        for path in ("/api/search?q=湖泉", "/api/alerts", "/api/posts/demo_weibo:p3", "/api/me", "/api/users",
                     "/api/screen-tokens", "/api/alerts/stream"):  # fmt: skip
            assert w.get(path).status_code in (401, 403), path
        assert w.get("/search", headers={"accept": "text/html"}).headers["location"].startswith("/login")
        assert w.post("/api/screen-tokens", json={"name": "x"}).status_code in (401, 403)
    assert any(e["target"] == made["id"] for e in audit(app_settings, "screen_login"))
    with httpx.Client(base_url=server.url) as stranger:
        assert stranger.get("/screen/login", params={"token": made["id"] + ".wrong"}).status_code == 401
        stranger.cookies.set(SCREEN_COOKIE, made["id"] + ".wrong")
        assert stranger.get("/api/screen").status_code == 401


def test_a_revoked_token_is_refused_and_its_stream_ends(server, app_settings) -> None:
    with signed_in(server, "admin1") as admin, signed_in(server, "ana") as ana:
        made = admin.post("/api/screen-tokens", json={"name": "临时大屏"}, headers=csrf(admin)).json()
        assert (
            ana.post(f"/api/screen-tokens/{made['id']}/revoke", json={}, headers=csrf(ana)).status_code == 403
        )
        with wall(server, made["token"]) as w:
            assert w.get("/api/screen").status_code == 200
            with w.stream("GET", "/api/screen/stream") as stream:
                lines = stream.iter_lines()
                assert next(lines) == "event: snapshot"
                began = time.monotonic()
                revoked = admin.post(f"/api/screen-tokens/{made['id']}/revoke", json={}, headers=csrf(admin))
                assert revoked.status_code == 200 and revoked.json()["revoked"] is True
                seen = []
                for line in lines:
                    seen.append(line)
                    assert time.monotonic() - began < 10, "the stream outlived its revoked token"
            assert "event: ended" in seen
            ended = json.loads(seen[seen.index("event: ended") + 1].removeprefix("data: "))
            assert "撤销" in ended["reason"]
            assert w.get("/api/screen").status_code == 401
            with w.stream("GET", "/api/screen/stream") as again:
                assert again.status_code == 401
            assert w.get("/screen", headers={"accept": "text/html"}).headers["location"].startswith("/login")
        assert (
            admin.post("/api/screen-tokens/st-000000000000/revoke", json={}, headers=csrf(admin)).status_code
            == 404
        )
    entry = next(e for e in audit(app_settings, "screen_token_revoke") if e["target"] == made["id"])
    assert entry["user"] == "admin1"


def test_the_stream_beats_while_nothing_changes(server) -> None:
    with signed_in(server, "ana") as ana, ana.stream("GET", "/api/screen/stream") as stream:
        events, began = [], time.monotonic()
        for line in stream.iter_lines():
            if line.startswith("event: "):
                events.append((line.removeprefix("event: "), time.monotonic() - began))
            if len([e for e in events if e[0] == "heartbeat"]) >= 2:
                break
            assert time.monotonic() - began < 10
    assert events[0][0] == "snapshot"
    beats = [t for name, t in events if name == "heartbeat"]
    assert 0.5 <= beats[0] < 3 and 0.5 <= beats[1] - beats[0] < 3


def test_the_cli_makes_lists_and_revokes_tokens_audited(app_settings: Settings) -> None:
    env = {**os.environ, "ES_INDEX_PREFIX": app_settings.es.index_prefix}
    yq = [str(REPO_ROOT / ".venv" / "bin" / "yuqing")]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*yq, "users", "screen-token", *args], env=env, capture_output=True, text=True)

    made = run("add", "--name", "网安值班室大屏", "--station", "弥阳派出所")
    assert made.returncode == 0, made.stderr
    token_id = made.stdout.split()[2]
    assert "/screen/login?token=" + token_id + "." in made.stdout
    assert token_id in run("list").stdout
    assert run("add", "--name", "x", "--station", "火星派出所").returncode == 2
    assert run("revoke", token_id).returncode == 0
    assert run("revoke", "st-000000000000").returncode == 2
    assert "revoked" in next(line for line in run("list").stdout.splitlines() if token_id in line)
    assert any(
        e["target"] == token_id and e["role"] == "cli" for e in audit(app_settings, "screen_token_add")
    )
    assert any(e["target"] == token_id for e in audit(app_settings, "screen_token_revoke"))
