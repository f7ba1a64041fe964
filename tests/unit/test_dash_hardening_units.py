"""The web app's hardening without services: the login throttle's verdict, idle sessions, body limits, Secure
cookies, the stages' log file modes (the same features against the real Elasticsearch: tests/integration/
test_dash_hardening.py; the local services' logs: tests/unit/test_devtools_services.py)."""

from __future__ import annotations

import os
import stat
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from dashboards.api.limits import too_deep
from dashboards.logins import Limits, verdict
from dashboards.security import SessionSigner, check_password, hash_password
from yuqing.settings import REPO_ROOT, ElasticsearchSettings, Settings, WebSettings, load_settings

NOW = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
LIMITS = Limits(per_name=3, per_address=5, window_s=300)


def hit(n: int, ok: bool, seconds_ago: float) -> dict:
    return {"_id": f"a{n}", "_source": {"ok": ok, "at": (NOW - timedelta(seconds=seconds_ago)).isoformat()}}


def test_a_name_waits_after_its_failures_from_one_address_until_they_leave_the_window() -> None:
    own = hit(0, False, 0)
    two = [own, hit(1, False, 10), hit(2, False, 20)]
    assert verdict("a0", two, address_failures=3, limits=LIMITS, now=NOW) == 0
    three = [*two, hit(3, False, 100)]
    # The third-newest failure (100 s ago) leaves the 300 s window in 200 s.
    assert verdict("a0", three, address_failures=4, limits=LIMITS, now=NOW) == 201
    # A success from the same address for the same name counts the failures from there on.
    reset = [own, hit(1, False, 10), hit(2, True, 15), hit(3, False, 20), hit(4, False, 30)]
    assert verdict("a0", reset, address_failures=4, limits=LIMITS, now=NOW) == 0


def test_an_address_waits_after_its_failures_and_a_success_does_not_reset_it() -> None:
    # Five failures before this attempt (the address's count includes the attempt itself, written first).
    assert verdict("a0", [hit(0, False, 0)], address_failures=5, limits=LIMITS, now=NOW) == 0
    assert (
        verdict("a0", [hit(0, False, 0), hit(1, True, 1)], address_failures=6, limits=LIMITS, now=NOW) == 301
    )


def test_unknown_names_cost_an_argon2_check_like_known_ones() -> None:
    real = hash_password("a long password")
    assert check_password(real, "a long password")
    assert not check_password(real, "wrong password")
    assert not check_password(None, "a long password")
    timings = {}
    for name, stored in (("known", real), ("unknown", None)):
        began = time.perf_counter()
        for _ in range(5):
            check_password(stored, "wrong password")
        timings[name] = time.perf_counter() - began
    assert abs(timings["known"] - timings["unknown"]) / max(timings.values()) < 0.3


def test_a_session_goes_idle_unless_it_is_touched() -> None:
    signer = SessionSigner("secret", ttl_s=3600)
    token, session = signer.issue("ana", 1.0, now=time.time() - 1800)
    assert session.idle(1700) and not session.idle(1900) and not session.idle(0)
    touched_token, touched = signer.touch(session)
    assert signer.read(touched_token) == touched
    assert touched.csrf == session.csrf and touched.expires == session.expires and not touched.idle(60)
    assert signer.read(token).last_seen == session.issued


def test_json_depth_is_measured_outside_strings() -> None:
    assert not too_deep(b'{"a": [1, {"b": "[[[[[[[[[["}]}', 3)
    assert too_deep(b'{"a": [[[1]]]}', 3)
    assert not too_deep(b'{"a": "\\"[[[[[["}', 2)
    assert too_deep(b"[" * 100_000, 32)


def test_cookies_are_secure_whenever_the_site_is_https() -> None:
    assert not WebSettings(public_url="http://127.0.0.1:8000").secure_cookies
    assert WebSettings(public_url="https://yuqing.mile.example").secure_cookies
    assert WebSettings(public_url="http://127.0.0.1:8000", cookie_secure=True).secure_cookies


def _offline_app(**web: object) -> TestClient:
    from dashboards.api.app import create_app

    base = load_settings()
    es = ElasticsearchSettings(
        **{**base.es.model_dump(), "url": "http://127.0.0.1:9", "request_timeout_s": 2}
    )
    web_settings = WebSettings(**{**base.web.model_dump(), **web})
    return TestClient(create_app(Settings(es=es, web=web_settings)))


def test_large_and_deep_bodies_are_refused_before_any_route() -> None:
    with _offline_app(max_body_bytes=4096, json_max_depth=8) as client:
        big = client.post("/api/corrections", content=b"x" * 5000, headers={"content-type": "text/plain"})
        assert big.status_code == 413 and "请求体过大" in big.json()["detail"]
        deep = client.post(
            "/api/corrections", content=b"[" * 9 + b"]" * 9, headers={"content-type": "application/json"}
        )
        assert deep.status_code == 400 and "嵌套" in deep.json()["detail"]
        page = client.post("/login", data={"username": "x" * 5000}, headers={"accept": "text/html"})
        assert page.status_code == 413 and "请求体过大" in page.text
        # Within the limits the request reaches the app (which then wants a session).
        fine = client.post("/api/corrections", json={"a": [[1]]})
        assert fine.status_code == 401


def test_the_login_page_cookie_is_secure_behind_https() -> None:
    with _offline_app(public_url="https://yuqing.mile.example") as client:
        assert "secure" in client.get("/login").headers["set-cookie"].lower()
    with _offline_app(public_url="http://127.0.0.1:8000") as client:
        assert "secure" not in client.get("/login").headers["set-cookie"].lower()


def test_stage_logs_and_what_stages_write_are_not_world_readable(tmp_path: Path) -> None:
    env = {**os.environ, "STAGE_RUN": str(tmp_path / "run"), "STAGE_LOGS": str(tmp_path / "logs")}
    script = "import pathlib; pathlib.Path('%s').write_text('mail')" % (tmp_path / "written.eml")
    stage = [str(REPO_ROOT / "deploy" / "stage.sh"), "start", "probe", "a probe"]
    subprocess.run([*stage, "python3", "-c", script], env=env, check=True, timeout=30)
    written = tmp_path / "written.eml"
    deadline = time.monotonic() + 10
    while not written.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    for path in (written, tmp_path / "logs" / "probe.out"):
        assert stat.S_IMODE(path.stat().st_mode) & 0o007 == 0, path


@pytest.mark.parametrize("field", ["max_body_bytes", "json_max_depth", "idle_timeout_min"])
def test_the_limits_come_from_the_environment(field: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(f"WEB_{field.upper()}", "4096")
    assert getattr(WebSettings(), field) == 4096
