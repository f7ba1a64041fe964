"""The dashboard in headless Chromium over the real Elasticsearch: sign in, the screen's charts and their
live update, Chinese search with highlights and filters, the alert workflow, a duty officer's station, a
correction, and a post carrying `<script>` shown as text. Screenshots go to var/screenshots/."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from web_seed import SHOTS, LiveServer, isolated, scored_post, seed
from web_seed import signed_in as web_signed_in

from yuqing import es as es_setup
from yuqing.settings import Settings, WebSettings

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def web_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "dashweb")
    seed(settings)
    web = WebSettings(**{**settings.web.model_dump(), "screen_refresh_s": 1.0})
    return settings.model_copy(update={"web": web})


def signed_in(browser, server: LiveServer, username: str):
    return web_signed_in(browser, server, username, viewport=(1600, 1000))


def test_login_is_required_and_wrong_passwords_are_told(browser, server: LiveServer) -> None:
    page = browser.new_page()
    page.goto(server.url + "/search")
    assert "/login" in page.url
    page.fill("input[name=username]", "ana")
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert "用户名或密码错误" in page.inner_text("#login-error")
    page.screenshot(path=str(SHOTS / "login-refused.png"))
    page.close()


def test_screen_renders_and_updates_when_a_post_arrives(
    browser, server: LiveServer, web_settings: Settings
) -> None:
    page = signed_in(browser, server, "ana")
    assert page.url.endswith("/screen")
    page.wait_for_function(
        "() => Number(document.getElementById('screen').dataset.updates) > 0", timeout=20_000
    )
    assert page.inner_text("#t-relevant") == "9"
    assert page.inner_text("#t-high") == "3"
    for chart in ("chart-volume", "chart-sentiment", "chart-stations"):  # drawn once ECharts has run
        page.wait_for_selector(f"#{chart} canvas", state="attached", timeout=10_000)
    tile = page.locator('.spot-tile[data-spot="湖泉生态园"]')
    assert tile.locator(".count").inner_text() == "2" and "level-high" in tile.get_attribute("class")
    assert page.locator("#events li").first.inner_text().endswith("湖泉生态园有人溺水")
    assert "湖泉生态园 有人溺水" in page.inner_text("#alert-feed")
    page.screenshot(path=str(SHOTS / "screen.png"))

    row = {"sid": "live1", "minutes_ago": 1, "spots": ["白龙洞"], "station": "虹溪派出所", "level": "high",
           "categories": ["safety"], "sentiment": "neg", "text": "白龙洞里有游客被困，正在救援"}  # fmt: skip
    client = es_setup.client(web_settings.es)
    try:
        es_setup.index_post(client, web_settings.es, scored_post(row, datetime.now(UTC)), refresh=True)
    finally:
        client.close()
    page.wait_for_function("() => document.getElementById('t-relevant').textContent === '10'", timeout=20_000)
    assert page.inner_text("#t-high") == "4"
    assert "白龙洞" in page.locator("#latest li").first.inner_text()
    assert "level-high" in page.locator('.spot-tile[data-spot="白龙洞"]').get_attribute("class")
    page.screenshot(path=str(SHOTS / "screen-updated.png"))
    assert page.errors == []
    page.close()


def test_chinese_search_highlights_and_filters_narrow(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "ana")
    page.goto(server.url + "/search")
    page.fill("input[name=q]", "湖泉 OR 可邑")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#hits")
    everything = int(page.inner_text("#total"))
    assert everything == 4
    assert page.locator("#hits mark", has_text="湖泉").count() >= 1
    page.screenshot(path=str(SHOTS / "search.png"), full_page=True)
    page.select_option("select[name=level]", "high")
    page.click("#search-form button[type=submit]")
    page.wait_for_selector("#hits")
    assert int(page.inner_text("#total")) == 2
    assert all("高风险" in t for t in page.locator("#hits li .badge.level-high").all_inner_texts())
    page.fill("input[name=q]", "(湖泉")
    page.click("#search-form button[type=submit]")
    assert "检索式有误：括号没有闭合" in page.inner_text("#search-error")
    page.close()


def test_a_post_with_script_shows_as_text(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "ana")
    page.goto(server.url + "/search?q=发帖&relevant=any")
    page.wait_for_selector("#hits")
    assert "<script>" in page.inner_text("#hits")
    page.goto(server.url + "/posts/demo_weibo:p9")
    assert '<script>document.title="PWNED"' in page.inner_text("#post-text")
    assert page.inner_text("#post-title") == "<b>脚本</b>测试"
    assert page.evaluate("() => window.__pwned") is None
    assert "PWNED" not in page.title()
    assert page.locator("#post-text script, #post-text img").count() == 0
    page.screenshot(path=str(SHOTS / "post-script-as-text.png"), full_page=True)
    page.close()


def test_a_correction_is_saved_and_shown(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "ana")
    page.goto(server.url + "/posts/demo_weibo:p10")
    assert page.inner_text("#label-level").startswith("无")
    page.select_option("#correction-form select[name=level]", "low")
    page.check('#correction-form input[name=categories][value="consumer"]')
    page.fill("#correction-form input[name=note]", "门票贵属消费投诉")
    page.click("#save-correction")
    page.wait_for_selector("#corrected-badge")
    assert "ana" in page.inner_text("#corrected-badge")
    assert page.inner_text("#label-level").startswith("低") and "消费纠纷" in page.inner_text(
        "#label-categories"
    )
    page.screenshot(path=str(SHOTS / "post-corrected.png"), full_page=True)
    page.close()


def test_alert_filters_narrow_the_console(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "ana")
    page.goto(server.url + "/alerts")
    page.select_option("#alert-filters select[name=status]", "any")
    page.click("#alert-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#alerts tr[data-id]").count() == 3
    page.select_option("#alert-filters select[name=level]", "high")
    page.select_option("#alert-filters select[name=station]", "弥阳派出所")
    page.click("#alert-filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert [r.get_attribute("data-id") for r in page.locator("#alerts tr[data-id]").all()] == ["alert-drown"]
    assert page.locator("#response-stats tr").count() >= 3  # header + the stations with alerts
    page.screenshot(path=str(SHOTS / "alerts-filtered.png"), full_page=True)
    page.close()


def test_duty_officer_acknowledges_and_resolves_only_their_station(browser, server: LiveServer) -> None:
    page = signed_in(browser, server, "duty_xisan")
    assert page.url.endswith("/alerts")
    listed = page.locator("#alerts tr[data-id]")
    assert listed.count() == 1 and listed.first.get_attribute("data-id") == "alert-keyi"
    assert "湖泉" not in page.inner_text("#alerts")
    page.screenshot(path=str(SHOTS / "alerts-duty.png"), full_page=True)
    page.click("#alerts a")
    assert page.inner_text("#alert-status") == "待处置"
    page.click("#acknowledge")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#alert-status") == "已签收"
    page.fill("#resolve-note", "已责令商户退款并警告")
    page.click("#resolve")
    page.wait_for_load_state("networkidle")
    assert page.inner_text("#alert-status") == "已办结"
    assert page.inner_text("#alert-note") == "已责令商户退款并警告"
    history = page.locator("#history li").all_inner_texts()
    assert len(history) == 2 and "签收" in history[0] and "办结：已责令商户退款并警告" in history[1]
    page.screenshot(path=str(SHOTS / "alert-resolved.png"), full_page=True)
    resp = page.goto(server.url + "/alerts/alert-drown")
    assert resp.status == 404
    page.goto(server.url + "/alerts?status=any")
    assert "alert-drown" not in page.content()
    page.close()
