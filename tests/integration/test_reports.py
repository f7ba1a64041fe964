"""Reports over the real Elasticsearch with seeded posts, events, alerts, a repost chain and a thread
(tests/report_seed): every figure against the search API, the PDF's text and fonts, the DOCX, the 专报's
timeline and chain, an empty day, the CLI's exit codes."""

from __future__ import annotations

import asyncio
import io
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import docx
import httpx
import pytest
from pydantic import BaseModel
from pypdf import PdfReader
from report_seed import seed
from web_seed import PASSWORD, LiveServer, isolated, login

from dashboards.accounts import Accounts
from dashboards.reports.build import build_report
from dashboards.reports.event import EventNotFound, build_event_report
from dashboards.reports.model import EventReport, Figure, Report
from dashboards.reports.periods import mile_today
from yuqing import es as es_setup
from yuqing.settings import Settings

DAY = mile_today() - timedelta(days=1)
YUQING = [sys.executable, "-m", "yuqing.cli"]


@pytest.fixture(scope="module")
def report_settings(initialized: Settings) -> Settings:
    settings = isolated(initialized, "reports")
    seed(settings, DAY)

    async def add_analyst() -> None:
        client = es_setup.async_client(settings.es)
        try:
            await Accounts(client, settings.es).add("ana", PASSWORD, "analyst")
        finally:
            await client.close()

    asyncio.run(add_analyst())
    return settings


def build(settings: Settings, work) -> Any:
    async def main():
        client = es_setup.async_client(settings.es)
        try:
            return await work(client)
        finally:
            await client.close()

    return asyncio.run(main())


@pytest.fixture(scope="module")
def daily(report_settings: Settings) -> Report:
    return build(report_settings, lambda es: build_report(es, report_settings, "daily", DAY))


@pytest.fixture(scope="module")
def boat(report_settings: Settings) -> EventReport:
    return build(report_settings, lambda es: build_event_report(es, report_settings, "evt-boat"))


@pytest.fixture(scope="module")
def analyst(report_settings: Settings) -> Iterator[httpx.Client]:
    with LiveServer(report_settings) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        assert login(client, "ana").status_code == 303
        yield client


def cli(settings: Settings, *args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "ES_INDEX_PREFIX": settings.es.index_prefix, "ES_URL": settings.es.url, **env}
    return subprocess.run(
        [*YUQING, *args], capture_output=True, text=True, env=environ, cwd=cwd, timeout=180, check=False
    )


def figures(value: Any) -> Iterator[Figure]:
    """Every Figure inside a report (its posts' counts and the links behind them)."""
    if isinstance(value, Figure):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from figures(item)
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from figures(getattr(value, name))


def test_every_post_figure_equals_the_search_api(daily: Report, analyst: httpx.Client) -> None:
    searches = [f for f in figures(daily) if urlsplit(f.url).path == "/search"]
    assert len(searches) > 40
    for f in searches:
        query = urlsplit(f.url).query
        total = analyst.get(f"/api/search?{query}&size=1").json()["total"]
        assert total == f.count, f.url


def test_the_daily_report_says_what_happened(daily: Report) -> None:
    o = daily.overview
    assert (o.total.count, o.previous.count) == (
        16,
        4,
    )  # the undated post counts; the irrelevant one does not
    assert {r.key: r.now.count for r in o.by_platform}["demo_weibo"] == 9
    assert {r.key: (r.now.count, r.before.count) for r in o.by_spot}["湖泉生态园"] == (9, 0)
    assert sum(p.total.count for p in o.trend) == 16 and o.trend[10].total.count == 8  # 10:00-11:00
    assert [e.id for e in daily.events] == ["evt-boat", "evt-price"]
    boat = daily.events[0]
    assert (boat.in_period.count, boat.total.count, boat.level) == (8, 8, "high")
    assert len(boat.summary) == 3 and boat.summary[0].post_id == "demo_weibo:b1"
    assert boat.alerts[0].acknowledged_by == "值班民警甲" and boat.alerts[0].ack_s == 40
    assert daily.words[0].word == "游船" and (daily.words[0].now.count, daily.words[0].before.count) == (
        12,
        0,
    )
    al = daily.alerts
    assert al.total.count == 3 and {r.key: r.now.count for r in al.by_level} == {
        "high": 1,
        "medium": 1,
        "low": 1,
    }
    assert al.response.within[60] == pytest.approx(1 / 3) and al.response.median_s == 250
    assert [a.alert_id for a in al.response.late] == ["alert-n4", "alert-price"]
    assert (al.letters_approved.count, al.letters_sent.count) == (1, 1)


def test_a_station_report_keeps_to_its_station(report_settings: Settings) -> None:
    report = build(report_settings, lambda es: build_report(es, report_settings, "daily", DAY, "西三派出所"))
    assert report.overview.total.count == 4 and [e.id for e in report.events] == ["evt-price"]
    assert report.alerts.total.count == 1 and report.alerts.letters_sent.count == 0
    assert "station=%E8%A5%BF%E4%B8%89" in report.overview.total.url


def test_an_empty_day_is_a_short_valid_report(report_settings: Settings, tmp_path: Path) -> None:
    empty = (DAY - timedelta(days=20)).isoformat()
    done = cli(
        report_settings,
        "report",
        "daily",
        "--date",
        empty,
        "--format",
        "html",
        "-o",
        str(tmp_path / "e.html"),
    )
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "e.html").read_text(encoding="utf-8")
    assert "本期未监测到涉旅相关舆情" in html and "本期无重点事件" in html and "本期未产生预警" in html


def test_the_event_report_timeline_and_chain(boat: EventReport) -> None:
    assert boat.total.count == 8 and boat.interval_min == 10
    timeline = [(b.start.strftime("%H:%M"), b.by_source) for b in boat.timeline]
    assert timeline == [
        ("10:00", {"demo_weibo": 2}),
        ("10:10", {"demo_weibo": 1}),
        ("10:20", {"demo_weibo": 2}),
        ("10:30", {"demo_douyin": 1}),
        ("10:40", {"demo_tieba": 1}),
        ("10:50", {"demo_tieba": 1}),
    ]
    assert boat.first_post.post_id == "demo_weibo:b1"
    assert [p.post_id for p in boat.earliest] == ["demo_weibo:b1", "demo_douyin:d1", "demo_tieba:t1"]
    assert boat.earliest[1].crawled_at > boat.earliest[1].published_at  # capture times shown
    assert (boat.chain.depth, boat.chain.linked, boat.chain.roots) == (3, 5, 3)
    top = boat.chain.carriers[0]
    assert (top.author, top.reposts_below, top.depth_below, top.engagement) == ("湖泉目击者", 4, 3, 460)
    assert boat.evidence[0].post_id == "demo_weibo:b1" and boat.evidence[0].url.startswith("https://")
    history = [line.what for line in boat.alerts[0].lines]
    assert history[0] == "预警生成" and "签收" in history and any(h.startswith("预警升级") for h in history)
    assert any(h.startswith("扩散到新平台") for h in history) and history[-1].startswith("办结")
    assert boat.letters[0].number == "弥公提〔2026〕7号"


def test_an_unknown_event(report_settings: Settings) -> None:
    with pytest.raises(EventNotFound):
        build(report_settings, lambda es: build_event_report(es, report_settings, "ev-nothing"))
    done = cli(report_settings, "report", "event", "ev-nothing")
    assert done.returncode == 2 and "没有事件 ev-nothing" in done.stderr


def test_elasticsearch_down_is_exit_3(report_settings: Settings, tmp_path: Path) -> None:
    done = cli(report_settings, "report", "daily", "-o", str(tmp_path / "x.pdf"), ES_URL="http://127.0.0.1:9")
    assert done.returncode == 3 and "无法连接 Elasticsearch" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "x.pdf").exists()


def embedded_fonts(reader: PdfReader) -> list[str]:
    found = []
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for d in [d.get_object() for d in font.get("/DescendantFonts", [])] or [font]:
                desc = d.get("/FontDescriptor")
                desc = desc.get_object() if desc else {}
                if any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    found.append(str(d.get("/BaseFont")))
    return found


def test_the_pdf_has_the_chinese_headings_figures_charts_and_fonts(
    report_settings: Settings, tmp_path: Path
) -> None:
    done = cli(
        report_settings,
        "report",
        "daily",
        "--date",
        DAY.isoformat(),
        "--notes",
        "建议湖泉游船停航整改",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    path = tmp_path / f"舆情日报-{DAY:%Y%m%d}.pdf"
    assert str(path.name) in done.stdout
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    text = "".join(page.extract_text() for page in reader.pages)
    flat = "".join(text.split())
    for heading in (
        "弥勒市涉旅网络舆情日报",
        "一、总体态势",
        "二、重点事件",
        "三、预警与处置",
        "四、热点词",
        "五、研判建议",
        "建议湖泉游船停航整改",
    ):
        assert heading in flat, heading
    assert "本期共监测到涉旅相关舆情16条" in flat and "上期4条" in flat
    assert "00时" in flat and "微博（演示）" in flat  # the charts' axis and bar labels are in the PDF
    fonts = embedded_fonts(reader)
    assert fonts and any("WenQuanYi" in f or "Micro" in f or "CJK" in f for f in fonts), fonts


def test_the_docx_opens_with_the_same_figures(
    report_settings: Settings, daily: Report, tmp_path: Path
) -> None:
    out = tmp_path / "d.docx"
    done = cli(
        report_settings, "report", "daily", "--date", DAY.isoformat(), "--format", "docx", "-o", str(out)
    )
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(out))
    text = "\n".join(p.text for p in document.paragraphs)
    assert f"本期共监测到涉旅相关舆情 {daily.overview.total.count} 条" in text
    rows = {tuple(c.text for c in row.cells) for t in document.tables for row in t.rows}
    for r in daily.overview.by_platform:
        assert any(row[0] == r.label and row[1] == str(r.now.count) for row in rows), r.label
    assert any(row[0] == "游船" and row[1] == "12" for row in rows)


def test_the_event_pdf(report_settings: Settings, tmp_path: Path) -> None:
    done = cli(report_settings, "report", "event", "evt-boat", "-o", str(tmp_path / "e.pdf"))
    assert done.returncode == 0, done.stderr
    reader = PdfReader(str(tmp_path / "e.pdf"))
    flat = "".join("".join(page.extract_text() for page in reader.pages).split())
    for heading in (
        "涉旅网络舆情专报",
        "传播时间线",
        "转发链与传播账号",
        "湖泉目击者",
        "证据帖",
        "弥公提〔2026〕7号",
    ):
        assert heading in flat, heading
    assert embedded_fonts(reader)


def test_reports_are_listed(report_settings: Settings, tmp_path: Path) -> None:
    for args in (("daily", "--date", DAY.isoformat()), ("event", "evt-boat")):
        assert cli(report_settings, "report", *args, "--format", "html", cwd=tmp_path).returncode == 0
    done = cli(report_settings, "report", "list")
    assert done.returncode == 0, done.stderr
    assert f"daily-{DAY:%Y%m%d}" in done.stdout and "event-evt-boat" in done.stdout


@pytest.mark.slow
def test_the_scheduled_email_goes_out_once_with_the_pdf(report_settings: Settings, tmp_path: Path) -> None:
    from bench.rig import Mailbox, free_port
    from yuqing.settings import DEFAULT_CONFIG_DIR

    config = tmp_path / "config"
    config.mkdir()
    (config / "gazetteer.yaml").write_bytes((DEFAULT_CONFIG_DIR / "gazetteer.yaml").read_bytes())
    stations = (DEFAULT_CONFIG_DIR / "stations.yaml").read_text(encoding="utf-8").split("report_roster:")[0]
    (config / "stations.yaml").write_text(
        stations + "report_roster:\n  - {name: 市局领导, email: leader@police.example, reports: [daily]}\n",
        encoding="utf-8",
    )
    box = Mailbox(tmp_path / "mail", free_port())
    env = {"YUQING_CONFIG_DIR": str(config), "SMTP_PORT": str(box.port), "REPORT_SEND_TRIES": "1"}
    now = (DAY + timedelta(days=1)).isoformat() + "T09:00:00+08:00"
    report_id = f"daily-{DAY:%Y%m%d}"

    down = cli(report_settings, "report", "send-due", "--now", now, **env)  # the relay is not there yet
    assert down.returncode == 1 and "发送失败" in down.stdout, down.stdout + down.stderr
    es_down = cli(
        report_settings, "report", "send-due", "--now", now, **{**env, "ES_URL": "http://127.0.0.1:9"}
    )
    assert es_down.returncode == 3

    box.start()
    try:
        environ = {**os.environ, "ES_INDEX_PREFIX": report_settings.es.index_prefix, **env}
        two = [
            subprocess.Popen(
                [*YUQING, "report", "send-due", "--now", now],
                env=environ,
                text=True,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for _ in range(2)
        ]
        outs = [p.communicate(timeout=180) for p in two]
        assert all(p.returncode == 0 for p in two), outs
        again = cli(report_settings, "report", "send-due", "--now", now, **env)
        assert again.returncode == 0 and "不再重复发送" in again.stdout
        mails = [m for m in box.messages() if str(m["X-Yuqing-Report-Id"]) == report_id]
    finally:
        box.stop()
    assert len(mails) == 1, [str(m["Subject"]) for m in box.messages()]
    mail = mails[0]
    assert "弥勒市涉旅网络舆情日报" in str(mail["Subject"]) and str(mail["To"]) == "leader@police.example"
    html = mail.get_body(("html",)).get_content()
    assert "一、总体态势" in html and "<script" not in html
    pdfs = [p for p in mail.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert len(pdfs) == 1 and pdfs[0].get_filename() == f"舆情日报-{DAY:%Y%m%d}.pdf"
    flat = "".join(
        "".join(pg.extract_text() for pg in PdfReader(io.BytesIO(pdfs[0].get_content())).pages).split()
    )
    assert "本期共监测到涉旅相关舆情16条" in flat

    record = es_setup.client(report_settings.es)
    try:
        doc = record.get(index=report_settings.es.name("reports"), id=report_id)["_source"]
    finally:
        record.close()
    assert doc["sent_at"] and doc["recipients"] == ["leader@police.example"] and doc["attempts"] == 2
    assert doc["send_error"] is None and doc["message_id"] == str(mail["Message-ID"])
