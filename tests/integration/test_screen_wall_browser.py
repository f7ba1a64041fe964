"""The wall screen (大屏) in headless Chromium over the real Elasticsearch, at 1366×768, 1920×1080 and
3840×2160: no scrollbar and nothing cut off, charts filling their panels, the map's spots apart, feeds of
links in publication order; a new high alert flashing and chiming (silent when muted, remembered); a
heartbeat that keeps "更新于" current and the "未更新" warning once the stream stops; a wall on a screen
token told when the token is revoked. Screenshots go to var/screenshots/."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest
from web_seed import SHOTS, LiveServer, isolated, login, seed
from web_seed import signed_in as web_signed_in

from yuqing import es as es_setup
from yuqing.schema import Alert
from yuqing.settings import Settings, WebSettings

pytestmark = pytest.mark.browser

STALE_S = 5.0  # the module's stale threshold (production: 60 s), so the test waits seconds, not a minute
SIZES = [(1366, 768), (1920, 1080), (3840, 2160)]
LOWER_PRIORITY = {"panel-sentiment", "panel-stations", "panel-events"}


@pytest.fixture(scope="module")
def web_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "screenwall")
    seed(settings)
    web = WebSettings(
        **{
            **settings.web.model_dump(),
            "screen_refresh_s": 0.5,
            "screen_heartbeat_s": 1.5,
            "screen_stale_s": STALE_S,
        }
    )
    return settings.model_copy(update={"web": web})


def wall(browser, server: LiveServer, size: tuple[int, int], username: str = "ana"):
    page = web_signed_in(browser, server, username, viewport=size, path="/screen")
    assert page.url.endswith("/screen")
    page.wait_for_function(
        "() => Number(document.getElementById('screen').dataset.updates) > 0", timeout=20_000
    )
    page.wait_for_function(  # the charts follow the first data, once ECharts has run
        "() => [...document.querySelectorAll('#screen .chart')].filter(el => el.offsetParent !== null)"
        ".every(el => el.querySelector('canvas'))",
        timeout=10_000,
    )
    page.wait_for_timeout(600)  # the ResizeObservers' redraw after the first layout
    return page


def raise_alert(settings: Settings, alert_id: str, summary: str, spot: str, station: str) -> None:
    alert = Alert(id=alert_id, rule="watchlist_emergency", level="high", jurisdiction=station,
                  summary=summary, spots=[spot], raised_at=datetime.now(UTC))  # fmt: skip
    client = es_setup.client(settings.es)
    try:
        es_setup.index_alert(client, settings.es, alert, refresh=True)
    finally:
        client.close()


GEOMETRY = """() => {
  const box = (el) => {
    const r = el.getBoundingClientRect();
    return {x: r.left, y: r.top, r: r.right, b: r.bottom, w: r.width, h: r.height};
  };
  const panels = [...document.querySelectorAll('#screen > section')].map(el => ({
    id: el.id, shown: getComputedStyle(el).display !== 'none', box: box(el)}));
  const charts = [...document.querySelectorAll('#screen .chart')].filter(el => el.offsetParent !== null)
    .map(el => ({id: el.id, box: box(el),
                 canvas: el.querySelector('canvas') && box(el.querySelector('canvas'))}));
  const stats = [...document.querySelectorAll('#screen .stat')].map(el => box(el));
  const spots = [...document.querySelectorAll('#map .map-spot')].map(g => ({
    spot: g.dataset.spot, cls: g.getAttribute('class'), box: box(g.querySelector('.dot'))}));
  const se = document.scrollingElement, screen = document.getElementById('screen');
  return {sw: se.scrollWidth, sh: se.scrollHeight, iw: innerWidth, ih: innerHeight, panels, charts, stats,
          spots, map: box(document.getElementById('map')),
          font: parseFloat(getComputedStyle(screen).fontSize)};
}"""


def inside(box: dict, width: int, height: int) -> bool:
    return box["x"] >= -0.5 and box["y"] >= -0.5 and box["r"] <= width + 0.5 and box["b"] <= height + 0.5


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_wall_fits_its_screen(browser, server: LiveServer, size: tuple[int, int]) -> None:
    width, height = size
    page = wall(browser, server, size)
    g = page.evaluate(GEOMETRY)
    assert g["iw"] == width and g["ih"] == height
    assert g["sw"] <= width and g["sh"] <= height, f"scrollbar: page is {g['sw']}×{g['sh']}"

    shown = {p["id"] for p in g["panels"] if p["shown"]}
    everything = {p["id"] for p in g["panels"]}
    if width < 1600:  # the reduced layout: the lower-priority panels give way, all counters stay
        assert shown == everything - LOWER_PRIORITY
    else:
        assert shown == everything and len(everything) == 9
    for p in g["panels"]:
        if p["shown"]:
            assert inside(p["box"], width, height), f"{p['id']} cut off: {p['box']}"
            assert p["box"]["w"] > 100 and p["box"]["h"] > 40, p
    assert len(g["stats"]) == 7 and all(inside(s, width, height) for s in g["stats"])

    assert len(g["charts"]) == (1 if width < 1600 else 3)
    for c in g["charts"]:
        assert c["canvas"], c["id"]
        assert c["canvas"]["w"] >= 0.9 * c["box"]["w"] and c["canvas"]["h"] >= 0.9 * c["box"]["h"], c
        assert c["box"]["h"] > 80, c

    assert len(g["spots"]) == 7
    centres = {
        (round((s["box"]["x"] + s["box"]["r"]) / 2), round((s["box"]["y"] + s["box"]["b"]) / 2))
        for s in g["spots"]
    }
    assert len(centres) == 7, "two spots drawn on the same place"
    for s in g["spots"]:
        assert (
            inside(s["box"], width, height)
            and s["box"]["x"] >= g["map"]["x"] - 1
            and s["box"]["r"] <= g["map"]["r"] + 1
        )

    # type grows with the wall: readable across a room at 4K, not 18 px in a sea of black
    assert g["font"] >= (28 if width >= 3840 else 14 if width >= 1920 else 13), g["font"]

    # feeds: links to the post and alert pages, newest first by the time they show
    assert page.locator("#latest li a[href^='/posts/']").count() >= 3
    assert page.locator("#alert-feed li a[href^='/alerts/']").count() >= 2
    snap = page.evaluate("() => fetch('/api/screen').then(r => r.json())")
    shown_at = [p["shown_at"] for p in snap["latest_risky"]]
    assert shown_at == sorted(shown_at, reverse=True)
    # the colour rule: 湖泉 (high posts 15 min ago, an open high alert) red; 锦屏山 (one low post) blue
    colours = {s["spot"]: s["cls"] for s in g["spots"]}
    assert "level-high" in colours["湖泉生态园"] and "level-low" in colours["锦屏山"]
    assert "level-none" in colours["白龙洞"]
    page.screenshot(path=str(SHOTS / f"screen-wall-{width}x{height}.png"))
    assert page.errors == []
    page.close()


def test_a_new_high_alert_flashes_and_chimes_unless_muted(
    browser, server: LiveServer, web_settings: Settings
) -> None:
    page = wall(browser, server, (1920, 1080))
    assert page.inner_text("#mute") == "声音提醒：开"
    assert page.locator("#new-alert").is_hidden()
    assert "level-medium" in page.get_attribute('.map-spot[data-spot="可邑小镇"]', "class")
    raise_alert(web_settings, "wall-high-1", "可邑小镇 游客坠崖", "可邑小镇", "西三派出所")
    page.wait_for_selector("#new-alert.flash", state="visible", timeout=10_000)
    assert "可邑小镇 游客坠崖" in page.inner_text("#new-alert")
    assert page.get_attribute("#screen", "data-chimes") == "1"
    assert page.get_attribute('#alert-feed li[data-id="wall-high-1"]', "class") == "flash"
    assert "level-high" in page.get_attribute(
        '.map-spot[data-spot="可邑小镇"]', "class"
    )  # an open high alert
    page.screenshot(path=str(SHOTS / "screen-wall-new-alert.png"))

    page.click("#mute")
    assert page.inner_text("#mute") == "声音提醒：关"
    page.reload()
    page.wait_for_function(
        "() => Number(document.getElementById('screen').dataset.updates) > 0", timeout=20_000
    )
    assert page.inner_text("#mute") == "声音提醒：关"  # remembered
    raise_alert(web_settings, "wall-high-2", "东风韵 火情", "东风韵", "东风派出所")
    page.wait_for_selector("#new-alert.flash", state="visible", timeout=10_000)
    assert "东风韵 火情" in page.inner_text("#new-alert")
    assert page.get_attribute("#screen", "data-chimes") == "0"  # flashed, silently
    page.click("#mute")
    assert page.errors == []
    page.close()


def test_heartbeats_keep_it_current_and_a_stopped_stream_is_told(browser, server: LiveServer) -> None:
    page = wall(browser, server, (1920, 1080))
    updates = page.get_attribute("#screen", "data-updates")
    messages = int(page.get_attribute("#screen", "data-messages"))
    more = f"() => Number(document.getElementById('screen').dataset.messages) >= {messages + 2}"
    page.wait_for_function(more, timeout=10_000)
    assert page.get_attribute("#screen", "data-updates") == updates  # heartbeats, no redraw
    assert page.inner_text("#conn").startswith("更新于 ")
    assert page.locator("#stale").is_hidden()
    snap = page.evaluate("() => fetch('/api/screen').then(r => r.json())")
    page.close()

    # A stream that sends one snapshot and then nothing (a hung proxy, a server gone quiet): the browser
    # would not reconnect for ten minutes.
    page = web_signed_in(browser, server, "ana", viewport=(1920, 1080))
    body = "retry: 600000\n\nevent: snapshot\ndata: " + json.dumps(snap, ensure_ascii=False) + "\n\n"
    page.route("**/api/screen/stream*", lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream; charset=utf-8"}, body=body))  # fmt: skip
    page.goto(server.url + "/screen")
    page.wait_for_function(
        "() => Number(document.getElementById('screen').dataset.updates) > 0", timeout=10_000
    )
    shown = page.inner_text("#conn")
    page.wait_for_selector("#stale", state="visible", timeout=(STALE_S + 5) * 1000)
    assert "秒未更新" in page.inner_text("#stale")
    assert "未更新" in page.inner_text("#totals")
    page.screenshot(path=str(SHOTS / "screen-wall-stale.png"))
    assert shown.startswith("更新于 ") and page.inner_text("#conn").startswith(
        shown
    )  # the last message's time
    assert page.errors == []
    page.close()


def test_a_wall_on_a_screen_token_is_told_when_it_is_revoked(browser, server: LiveServer) -> None:
    with httpx.Client(base_url=server.url, timeout=30) as admin:
        assert login(admin, "admin1").status_code == 303
        headers = {"X-CSRF-Token": admin.get("/api/me").json()["csrf"]}
        made = admin.post(
            "/api/screen-tokens", json={"name": "值班室西墙", "station": "西三派出所"}, headers=headers
        )
        assert made.status_code == 200
        token = made.json()
        context = browser.new_context(viewport={"width": 1920, "height": 1080}, locale="zh-CN")
        page = context.new_page()
        page.goto(server.url + "/screen/login?token=" + token["token"])
        assert page.url.endswith("/screen")
        page.wait_for_function(
            "() => Number(document.getElementById('screen').dataset.updates) > 0", timeout=20_000
        )
        assert page.get_attribute("#screen", "data-mode") == "token"
        assert page.locator("header.top").count() == 0  # no navigation: the wall only shows
        assert "值班室西墙" in page.inner_text(".scope") and "西三派出所" in page.inner_text(".scope")
        assert page.inner_text("#t-relevant") == "3"  # 西三's posts only
        g = page.evaluate(GEOMETRY)
        assert g["sw"] <= 1920 and g["sh"] <= 1080
        page.screenshot(path=str(SHOTS / "screen-wall-token.png"))
        assert page.goto(server.url + "/search").url.startswith(server.url + "/login")  # nothing else opens

        page.goto(server.url + "/screen")
        page.wait_for_function(
            "() => Number(document.getElementById('screen').dataset.updates) > 0", timeout=20_000
        )
        assert (
            admin.post(f"/api/screen-tokens/{token['id']}/revoke", json={}, headers=headers).status_code
            == 200
        )
        page.wait_for_selector("#ended", state="visible", timeout=10_000)
        assert "大屏令牌已撤销" in page.inner_text("#ended")
        page.screenshot(path=str(SHOTS / "screen-wall-token-revoked.png"))
        context.close()
