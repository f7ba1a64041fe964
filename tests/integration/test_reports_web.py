"""Reports in the web app over the real Elasticsearch: analysts and supervisors make, read and download them
(audited), the draft of 研判建议 is kept under a version check, the 专报 button on the alert page, and who may
not come in."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import docx
import httpx
import pytest
from pypdf import PdfReader
from report_seed import seed
from web_seed import PASSWORD, LiveServer, isolated, login

from dashboards.accounts import Accounts
from dashboards.reports.periods import mile_today
from yuqing import es as es_setup
from yuqing.settings import Settings

DAY = mile_today() - timedelta(days=1)
USERS = (("ana", "analyst", None), ("sup", "supervisor", None), ("duty", "duty_officer", "弥阳派出所"))
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def web_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "reportsweb")
    seed(settings, DAY)

    async def add_users() -> None:
        client = es_setup.async_client(settings.es)
        try:
            for name, role, station in USERS:
                await Accounts(client, settings.es).add(name, PASSWORD, role, station)
        finally:
            await client.close()

    asyncio.run(add_users())
    return settings


@pytest.fixture(scope="module")
def people(server: LiveServer) -> Iterator[dict[str, httpx.Client]]:
    clients = {}
    for name, _, _ in USERS:
        client = httpx.Client(base_url=server.url, timeout=120)
        assert login(client, name).status_code == 303
        client.headers["X-CSRF-Token"] = client.get("/api/me").json()["csrf"]
        clients[name] = client
    yield clients
    for client in clients.values():
        client.close()


def csrf(client: httpx.Client) -> str:
    return client.headers["X-CSRF-Token"]


def audit(settings: Settings, target: str) -> list[dict[str, Any]]:
    client = es_setup.client(settings.es)
    try:
        client.indices.refresh(index=settings.es.name("audit"))
        resp = client.search(index=settings.es.name("audit"), query={"term": {"target": target}}, size=100)
        return [h["_source"] for h in resp["hits"]["hits"]]
    finally:
        client.close()


def test_an_analyst_makes_reads_and_downloads_a_daily_report(web_settings: Settings, people) -> None:
    ana = people["ana"]
    made = ana.post("/api/reports", data={"kind": "daily", "date": DAY.isoformat(), "csrf": csrf(ana)})
    report_id = f"daily-{DAY:%Y%m%d}"
    assert made.status_code == 303 and made.headers["location"] == f"/reports/{report_id}"
    page = ana.get(f"/reports/{report_id}", headers=HTML)
    assert page.status_code == 200
    for text in ("一、总体态势", "二、重点事件", "保存研判建议", "download.pdf", "download.docx", "<svg"):
        assert text in page.text, text
    lead = r"本期共监测到涉旅相关舆情 <b><a href=\"[^\"]+/search\?[^\"]+\">16</a></b> 条"
    assert re.search(lead, page.text)
    listing = ana.get("/api/reports").json()
    assert report_id in [r["id"] for r in listing["reports"]] and "data" not in listing["reports"][0]
    assert "舆情日报" in ana.get("/reports", headers=HTML).text

    version = ana.get(f"/api/reports/{report_id}").json()["version"]
    notes = {"notes": "建议湖泉景区暂停游船<script>x</script>", "version": version, "csrf": csrf(ana)}
    saved = ana.post(f"/api/reports/{report_id}/notes", data=notes)
    assert saved.status_code == 303 and saved.headers["location"].endswith("?notice=saved")
    stale = ana.post(f"/api/reports/{report_id}/notes", json={"notes": "另一份", "version": version})
    assert stale.status_code == 409 and "ana" in stale.json()["detail"]
    page = ana.get(f"/reports/{report_id}", headers=HTML).text
    assert "建议湖泉景区暂停游船&lt;script&gt;" in page and "<script>x" not in page

    pdf = ana.get(f"/reports/{report_id}/download.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    flat = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "建议湖泉景区暂停游船" in flat and "本期共监测到涉旅相关舆情16条" in flat
    word = ana.get(f"/reports/{report_id}/download.docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(word.content)).paragraphs)
    assert "建议湖泉景区暂停游船<script>x</script>" in text  # Word shows the analyst's text as typed
    assert ana.get(f"/reports/{report_id}/download.exe").status_code == 404

    actions = [e["action"] for e in audit(web_settings, report_id)]
    assert actions.count("report_generate") == 1 and actions.count("report_notes") == 1
    assert actions.count("report_download") == 2


def test_the_event_report_button_on_the_alert_page(people) -> None:
    sup = people["sup"]
    alert = sup.get("/alerts/alert-boat", headers=HTML).text
    assert 'action="/api/reports/event/evt-boat"' in alert and "生成专报" in alert
    not_made = sup.get("/reports/event/evt-boat", headers=HTML, follow_redirects=False)
    assert not_made.status_code == 200 and "尚未生成" in not_made.text
    made = sup.post("/api/reports/event/evt-boat", data={"csrf": csrf(sup)})
    assert made.status_code == 303 and made.headers["location"] == "/reports/event-evt-boat"
    page = sup.get("/reports/event-evt-boat", headers=HTML).text
    for text in ("涉旅网络舆情专报", "传播时间线", "转发链与传播账号", "湖泉目击者", "弥公提〔2026〕7号"):
        assert text in page, text
    made_now = sup.get("/reports/event/evt-boat", follow_redirects=False)
    assert made_now.headers["location"] == "/reports/event-evt-boat"
    missing = sup.post("/api/reports/event/ev-nothing", json={})
    assert missing.status_code == 404 and "没有事件 ev-nothing" in missing.json()["detail"]


def test_bad_requests_say_why(people) -> None:
    ana = people["ana"]
    assert ana.post("/api/reports", json={"kind": "monthly"}).status_code == 422
    bad_day = ana.post("/api/reports", json={"kind": "daily", "date": "昨天"})
    assert bad_day.status_code == 422 and "日期无效" in bad_day.json()["detail"]
    nowhere = ana.post("/api/reports", json={"kind": "daily", "station": "火星派出所"})
    assert nowhere.status_code == 422 and "未知派出所" in nowhere.json()["detail"]
    assert ana.get("/api/reports/nothing-here").status_code == 404
    no_csrf = httpx.post(str(ana.base_url) + "/api/reports", json={"kind": "daily"}, cookies=ana.cookies)
    assert no_csrf.status_code == 403


def test_duty_officers_do_not_see_reports(people) -> None:
    duty = people["duty"]
    assert duty.get("/api/reports").status_code == 403
    assert duty.get("/reports", headers=HTML).status_code == 403
    assert duty.post("/api/reports", json={"kind": "daily"}).status_code == 403
    assert "生成专报" not in duty.get("/alerts/alert-boat", headers=HTML).text
    assert "/reports" not in duty.get("/alerts", headers=HTML).text.split("<main>")[0]


@pytest.mark.browser
def test_the_reports_page_in_chromium(server: LiveServer, browser: Any) -> None:
    from web_seed import SHOTS, signed_in

    page = signed_in(browser, server, "ana", path="/reports")
    page.select_option("#make-report select[name=kind]", "weekly")
    page.fill("#make-report input[name=date]", DAY.isoformat())
    page.click("#make-report button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/reports/weekly-" in page.url
    assert page.locator("#report svg.chart").count() >= 3
    assert page.locator("#report h2").first.inner_text().startswith("一、总体态势")
    page.fill("#notes", "本周游船安全问题突出")
    page.click("#notes-form button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.locator("#notice").inner_text() == "研判建议已保存"
    assert "本周游船安全问题突出" in page.locator("#report .notes").inner_text()
    page.screenshot(path=str(SHOTS / "report-weekly.png"), full_page=True)
    assert page.errors == []
    page.close()
