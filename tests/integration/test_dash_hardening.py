"""The web app's hardening against the real Elasticsearch: the login throttle under concurrent guesses, per
address, per name and address, the same cost for unknown names; body limits; idle sessions; Secure cookies;
`yuqing users` in the audit trail; the screen and its stream scoped to a station and ended with the session.

Each client signs in from its own loopback address (127.0.0.x), so the per-address limits are exercised as
they are between machines.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

import httpx
import pytest
from web_seed import PASSWORD, LiveServer, isolated, login, seed

from dashboards.api.deps import SESSION_COOKIE
from dashboards.security import SessionSigner
from yuqing import es as es_setup
from yuqing.settings import Settings, WebSettings

_next_address = iter(range(10, 250))


@pytest.fixture(scope="module")
def app_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "dashhard")
    seed(settings)
    web = WebSettings(**{**settings.web.model_dump(), "screen_refresh_s": 0.3})
    return settings.model_copy(update={"web": web})


@pytest.fixture(scope="module")
def server(app_settings: Settings) -> Iterator[LiveServer]:
    with LiveServer(app_settings) as live:
        yield live


def client(server: LiveServer, address: str | None = None) -> httpx.Client:
    """A browser-like client from its own loopback address (a fresh one unless given)."""
    address = address or f"127.0.0.{next(_next_address)}"
    transport = httpx.HTTPTransport(local_address=address)
    return httpx.Client(base_url=server.url, timeout=30, transport=transport)


@contextmanager
def signed_in(server: LiveServer, username: str) -> Iterator[httpx.Client]:
    with client(server) as c:
        assert login(c, username).status_code == 303
        yield c


def add_user(
    app_settings: Settings, username: str, role: str = "analyst", station: str | None = None
) -> None:
    import asyncio

    from dashboards.accounts import Accounts

    async def go() -> None:
        es = es_setup.async_client(app_settings.es)
        try:
            await Accounts(es, app_settings.es).add(username, PASSWORD, role, station)
        finally:
            await es.close()

    asyncio.run(go())


def test_concurrent_wrong_passwords_lock_the_pair_and_never_fail(server: LiveServer, app_settings) -> None:
    add_user(app_settings, "target1")
    address = "127.0.0.2"

    def guess(_: int) -> int:
        with client(server, address) as c:
            return login(c, "target1", "wrong-password-1").status_code

    with ThreadPoolExecutor(15) as pool:
        burst = list(pool.map(guess, range(15)))
    assert set(burst) <= {401, 429}, burst  # no 500: nothing conflicts
    checked = burst.count(401)
    assert checked <= 2 * 5 - 1  # concurrent guesses see each other: at most 2n-1 passwords checked
    with client(server, address) as c:
        more = 0
        while (status := login(c, "target1", "wrong-password-2").status_code) == 401:
            more += 1
            assert more <= 5
        assert status == 429 and checked + more >= 5 and checked + more <= 9
        refused = login(c, "target1")  # the right password too: this address must wait
        assert refused.status_code == 429 and "锁定" in refused.text
    # A stranger's guesses do not lock the officer out: from his own desk he signs in.
    with client(server) as own_desk:
        assert login(own_desk, "target1").status_code == 303


def test_an_address_limit_is_not_reset_by_another_accounts_success(server: LiveServer) -> None:
    with client(server) as c:
        for n in range(19):
            assert login(c, f"nobody{n % 4}", "wrong-password").status_code == 401, n
        assert login(c, "ana").status_code == 303  # one's own account signs in between
        assert login(c, "nobody9", "wrong-password").status_code == 401  # the 20th failure
        assert login(c, "nobody8", "wrong-password").status_code == 429
        assert login(c, "admin1").status_code == 429  # the whole address waits, right password or not


def test_unknown_and_known_names_answer_alike(server: LiveServer, app_settings: Settings) -> None:
    add_user(app_settings, "known2")
    answers = {}
    for name in ("known2", "unknown2"):
        with client(server) as c:
            statuses = [login(c, name, "wrong-password").status_code for _ in range(6)]
            answers[name] = statuses
            assert "锁定" in login(c, name, "wrong-password").text
    assert answers["known2"] == answers["unknown2"] == [401] * 5 + [429]


def test_a_wrong_password_costs_the_same_for_unknown_and_known_names(server, app_settings) -> None:
    for n in range(4):
        add_user(app_settings, f"timed{n}")
    took: dict[str, list[float]] = {"known": [], "unknown": []}
    for round_ in range(3):
        with client(server) as c:  # one address per round: 16 failures stay under its limit of 20
            for n in range(4):
                for kind, name in (("known", f"timed{n}"), ("unknown", f"ghost{n}")):
                    page = c.get("/login", headers={"accept": "text/html"})
                    token = page.text.split('name="csrf" value="')[1].split('"')[0]
                    began = time.perf_counter()
                    resp = c.post("/login", data={"username": name, "password": "wrong-pw-1", "csrf": token})
                    took[kind].append(time.perf_counter() - began)
                    assert resp.status_code == 401, (round_, name)
    known, unknown = statistics.median(took["known"]), statistics.median(took["unknown"])
    assert abs(known - unknown) / max(known, unknown) <= 0.2, (known, unknown)


def test_large_and_deeply_nested_bodies_are_refused_with_a_reason(server: LiveServer) -> None:
    with signed_in(server, "ana") as ana:
        headers = {"X-CSRF-Token": ana.get("/api/me").json()["csrf"]}
        deep = ana.post(
            "/api/corrections",
            content=b'{"post_id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
            headers={**headers, "content-type": "application/json"},
        )
        assert deep.status_code == 400 and "嵌套" in deep.json()["detail"]
        two_mb = b'{"post_id": "demo_weibo:p3", "note": "' + b"x" * 2_000_000 + b'"}'
        big = ana.post(
            "/api/corrections", content=two_mb, headers={**headers, "content-type": "application/json"}
        )
        assert big.status_code == 413 and "请求体过大" in big.json()["detail"]
        # The same route still works within the limits.
        fine = ana.post(
            "/api/corrections", json={"post_id": "demo_weibo:p3", "level": "low"}, headers=headers
        )
        assert fine.status_code == 200
        assert ana.get("/api/me").status_code == 200


def _session_of(token: str) -> dict:
    import base64

    body = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def test_an_idle_session_ends_and_a_used_one_is_re_signed(server: LiveServer, app_settings) -> None:
    with signed_in(server, "ana") as ana:
        data = _session_of(ana.cookies[SESSION_COOKIE])
    signer = SessionSigner(
        app_settings.web.secret_key.get_secret_value(), server.app.state.services.signer.ttl_s
    )
    now = time.time()
    for idle_min, status in ((31, 401), (29, 200)):
        token, session = signer.issue("ana", data["p"], now=now - idle_min * 60)
        with client(server) as c:
            c.cookies.set(SESSION_COOKIE, token)
            resp = c.get("/api/me")
            assert resp.status_code == status, idle_min
            if status == 200:
                # The request re-signed the cookie: same session, seen now, so it is not idle for 30 min.
                set_cookie = resp.headers["set-cookie"]
                assert set_cookie.startswith(SESSION_COOKIE + "=")
                seen = _session_of(set_cookie.split("=", 1)[1].split(";")[0])
                assert seen["c"] == session.csrf and seen["s"] > now - 5
                c.cookies.clear()
                c.cookies.set(SESSION_COOKIE, set_cookie.split("=", 1)[1].split(";")[0])
                assert c.get("/api/me").status_code == 200


def test_cookies_are_secure_when_the_public_url_is_https(app_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from dashboards.api.app import create_app

    web = WebSettings(**{**app_settings.web.model_dump(), "public_url": "https://yuqing.mile.example"})
    # Over https: a browser sends Secure cookies (the login form's own, too) back over https only.
    app = create_app(app_settings.model_copy(update={"web": web}))
    with TestClient(app, base_url="https://testserver") as c:
        resp = login(c, "ana")
        assert resp.status_code == 303
        assert all("secure" in v.lower() for v in resp.headers.get_list("set-cookie")), resp.headers


def test_cli_account_changes_are_audited_with_the_os_user(app_settings: Settings) -> None:
    import getpass

    env = {**os.environ, "ES_INDEX_PREFIX": app_settings.es.index_prefix, "ES_URL": app_settings.es.url}

    def run(*args: str, stdin: str | None = None) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "yuqing.cli", "users", *args],
            input=stdin, capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr

    run("add", "clidude", "--role", "analyst", "--generate")
    run("set-password", "clidude", "--password-stdin", stdin="another-password\n")
    run("disable", "clidude")
    run("enable", "clidude")
    es = es_setup.client(app_settings.es)
    try:
        es.indices.refresh(index=app_settings.es.name("audit"))
        hits = es.search(
            index=app_settings.es.name("audit"),
            query={"term": {"target": "clidude"}},
            sort=[{"at": "asc"}],
            size=10,
        )["hits"]["hits"]
    finally:
        es.close()
    entries = [h["_source"] for h in hits]
    assert [e["action"] for e in entries] == ["user_add", "user_password", "user_disable", "user_enable"]
    assert {e["user"] for e in entries} == {getpass.getuser()} and {e["role"] for e in entries} == {"cli"}
    assert entries[0]["details"]["role"] == "analyst" and entries[1]["details"]["generated"] is False
    assert all(e["details"]["via"] == "yuqing users" for e in entries)


def test_a_duty_officers_screen_and_stream_hold_their_station_only(server: LiveServer) -> None:
    with signed_in(server, "duty_xisan") as duty, signed_in(server, "ana") as ana:
        mine, every = duty.get("/api/screen").json(), ana.get("/api/screen").json()
        assert mine["totals"]["posts"] == 3 and every["totals"]["posts"] == 10
        assert {s["station"] for s in mine["stations"]} == {"西三派出所"}
        assert mine["latest_risky"] and {p["jurisdiction"] for p in mine["latest_risky"]} == {"西三派出所"}
        assert {p["jurisdiction"] for p in every["latest_risky"]} > {"西三派出所"}
        assert "evt-drown" not in {e["id"] for e in mine["events"]}  # 弥阳's event
        assert {a["jurisdiction"] for a in mine["alerts"]} == {"西三派出所"}
        with duty.stream("GET", "/api/screen/stream") as stream:
            lines = stream.iter_lines()
            assert next(lines) == "event: snapshot"
            streamed = json.loads(next(lines).removeprefix("data: "))
        assert streamed["totals"] == mine["totals"]
        assert {p["jurisdiction"] for p in streamed["latest_risky"]} == {"西三派出所"}


def _stream_ends_after(c: httpx.Client, action) -> float:
    """Open the screen's stream, do `action` once it sent its first snapshot, and time until it ends."""
    done: list[int] = []

    def later() -> None:
        time.sleep(1.0)
        done.append(action())

    with c.stream("GET", "/api/screen/stream") as stream:
        lines = stream.iter_lines()
        assert next(lines) == "event: snapshot"
        began = time.monotonic()
        worker = threading.Thread(target=later)
        worker.start()
        for _ in lines:  # a comment every 0.3 s while it lasts
            assert time.monotonic() - began < 15, "the stream outlived its session"
        took = time.monotonic() - began
    worker.join(timeout=30)
    assert done in ([200], [303]), done
    return took


def test_the_stream_ends_when_its_session_does(server: LiveServer, app_settings: Settings) -> None:
    add_user(app_settings, "screen1")
    with signed_in(server, "screen1") as viewer:
        csrf = viewer.get("/api/me").json()["csrf"]
        with client(server) as other_tab:
            other_tab.cookies.set(SESSION_COOKIE, viewer.cookies[SESSION_COOKIE])

            def sign_out() -> int:
                return other_tab.post("/logout", data={"csrf": csrf}).status_code

            assert 1.0 <= _stream_ends_after(viewer, sign_out) < 5
    with signed_in(server, "screen1") as viewer, signed_in(server, "admin1") as admin:
        headers = {"X-CSRF-Token": admin.get("/api/me").json()["csrf"]}

        def disable() -> int:
            return admin.post("/api/users/screen1/disable", json={}, headers=headers).status_code

        assert 1.0 <= _stream_ends_after(viewer, disable) < 5
        with viewer.stream("GET", "/api/screen/stream") as again:
            assert again.status_code == 401  # the browser's reconnect meets the sign-in


def test_the_stream_ends_when_its_session_goes_idle(app_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from dashboards.api.app import create_app

    web = WebSettings(**{**app_settings.web.model_dump(), "idle_timeout_min": 0.05})  # 3 s
    with TestClient(create_app(app_settings.model_copy(update={"web": web}))) as c:
        assert login(c, "ana").status_code == 303
        began = time.monotonic()  # (the test client hands over a streamed body once it is complete)
        with c.stream("GET", "/api/screen/stream") as stream:
            for _ in stream.iter_lines():
                assert time.monotonic() - began < 15, "the stream outlived its idle session"
        assert 2.5 <= time.monotonic() - began < 8
        assert c.get("/api/me").status_code == 401
