"""The alert console in headless Chromium at 1920×1080 over the real Elasticsearch: waiting times that tick
against 1-3-5, a new high alert appearing without reload within 3 seconds and flashing (with its chime, and
none when muted), 签收 shown at once then confirmed, and a colleague's earlier 签收 told in Chinese."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import httpx
import pytest
from console_seed import seed_console
from web_seed import SHOTS, LiveServer, isolated, login, seed
from web_seed import signed_in as web_signed_in

from yuqing import es as es_setup
from yuqing.schema import Alert
from yuqing.settings import Settings, WebSettings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "dashconsweb")
    seed(settings)
    seed_console(settings)
    web = WebSettings(**{**settings.web.model_dump(), "screen_refresh_s": 1.0})
    return settings.model_copy(update={"web": web})


def signed_in(browser, server: LiveServer, username: str, path: str = "/alerts"):
    return web_signed_in(browser, server, username, viewport=(1920, 1080), path=path)


def raise_alert(settings: Settings, alert_id: str, summary: str) -> None:
    alert = Alert(id=alert_id, rule="watchlist_emergency", level="high", jurisdiction="东风派出所",
                  summary=summary, spots=["东风韵"], raised_at=datetime.now(UTC))  # fmt: skip
    client = es_setup.client(settings.es)
    try:
        es_setup.index_alert(client, settings.es, alert, refresh=True)
    finally:
        client.close()


def test_waiting_times_and_a_new_high_alert_live(browser, server: LiveServer, web_settings: Settings) -> None:
    page = signed_in(browser, server, "duty_dongfeng")
    assert page.url.endswith("/alerts")
    page.wait_for_function(
        "() => Number(document.getElementById('console').dataset.updates) > 0", timeout=10_000
    )
    for name, cls in (
        ("wait-ok", "ok"),
        ("wait-warn", "warn"),
        ("wait-late", "late"),
        ("wait-overdue", "overdue"),
    ):
        assert f"wait-{cls}" in page.locator(f'tr[data-id="{name}"] td.wait').get_attribute("class")
    assert page.inner_text("#n-overdue") == "1"
    assert "中风险帖子" in page.inner_text("#alerts") and "medium_risk_post" not in page.inner_text("#alerts")
    first = page.inner_text('tr[data-id="wait-ok"] td.wait')
    assert re.fullmatch(r"0分\d\d秒", first)
    page.wait_for_timeout(1500)
    assert page.inner_text('tr[data-id="wait-ok"] td.wait') != first  # it ticks
    page.screenshot(path=str(SHOTS / "console-waiting.png"), full_page=True)

    page.evaluate("() => { window.__sameDocument = true; }")
    chimes = int(page.get_attribute("#console", "data-chimes"))
    raise_alert(web_settings, "live-high", "东风韵 游客落水 正在施救")
    row = page.locator('tr[data-id="live-high"]')
    row.wait_for(timeout=3_000)
    assert "flash" in row.get_attribute("class")
    assert "紧急关注词" in row.inner_text() and "待处置" in row.inner_text()
    banner = page.locator("#new-alert")
    assert banner.is_visible() and "东风韵 游客落水 正在施救" in banner.inner_text()
    assert int(page.get_attribute("#console", "data-chimes")) == chimes + 1
    assert page.evaluate("() => window.__sameDocument") is True  # no reload
    page.screenshot(path=str(SHOTS / "console-new-high.png"))

    page.click("#mute")
    assert page.inner_text("#mute") == "声音提醒：关"
    raise_alert(web_settings, "live-high-2", "东风韵 山火蔓延")
    page.locator('tr[data-id="live-high-2"]').wait_for(timeout=3_000)
    assert "flash" in page.locator('tr[data-id="live-high-2"]').get_attribute("class")
    assert int(page.get_attribute("#console", "data-chimes")) == chimes + 1  # muted: no sound
    assert page.errors == []
    page.close()


def test_acknowledge_answers_at_once_then_confirms(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "duty_xisan", "/alerts/xs-08")
    held = []
    page.route("**/api/alerts/xs-08/acknowledge", lambda route: held.append(route))
    page.click("#acknowledge")
    page.wait_for_function("() => document.getElementById('ack-pending').textContent.includes('确认中')")
    assert page.inner_text("#alert-status") == "已签收" and held  # shown before the server answered
    held[0].continue_()
    page.wait_for_function("() => document.getElementById('ack-pending').textContent.includes('已确认')")
    assert page.locator("#acknowledge").count() == 0
    assert page.errors == []
    page.close()


def test_a_colleagues_earlier_acknowledgement_is_told(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "duty_xisan", "/alerts/xs-10")
    assert page.inner_text("#alert-status") == "待处置"
    colleague = httpx.Client(base_url=server.url, timeout=30)
    assert login(colleague, "duty_xisan2").status_code == 303
    token = colleague.get("/api/me").json()["csrf"]
    assert (
        colleague.post("/api/alerts/xs-10/acknowledge", json={}, headers={"X-CSRF-Token": token}).status_code
        == 200
    )
    page.click("#acknowledge")
    page.wait_for_function("() => !document.getElementById('notice').hidden")
    told = page.inner_text("#notice")
    assert re.fullmatch(r"已被 duty_xisan2 于 \d\d:\d\d 签收", told), told
    page.wait_for_url("**/alerts/xs-10?notice=conflict", timeout=5_000)  # then the page as it is now
    assert page.inner_text("#alert-status") == "已签收" and page.inner_text("#notice") == told
    assert "duty_xisan2" in page.inner_text("#alert-ack")
    page.screenshot(path=str(SHOTS / "console-conflict.png"), full_page=True)
    assert page.errors == []
    page.close()
