"""Reports without services: periods, the search links behind every figure, the summary, rising words, repost
chains, the schedule, charts and HTML (escaped), the DOCX, the font check, the roster's validation."""

from __future__ import annotations

import io
import shutil
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import docx
import pytest

from dashboards import pdf
from dashboards.reports import charts, words
from dashboards.reports.alerts_part import alerts_section
from dashboards.reports.chains import carriers, parent_of, spread
from dashboards.reports.docx_writer import period_docx
from dashboards.reports.links import Scope
from dashboards.reports.model import Report
from dashboards.reports.overview import overview
from dashboards.reports.periods import buckets, period_for
from dashboards.reports.render import change, duration, render_report
from dashboards.reports.schedule import due_reports, last_due
from dashboards.reports.summary import central, excerpt
from dashboards.search import SearchParams
from yuqing.config import ReportReader, load_stations
from yuqing.errors import ConfigError
from yuqing.schema import TZ
from yuqing.settings import DEFAULT_CONFIG_DIR, ReportSettings

DAY = date(2026, 3, 9)  # a Monday


def test_a_day_and_a_week_in_mile_time() -> None:
    d = period_for("daily", DAY)
    assert (d.start.isoformat(), d.end.isoformat()) == (
        "2026-03-09T00:00:00+08:00",
        "2026-03-10T00:00:00+08:00",
    )
    assert d.previous.start.isoformat() == "2026-03-08T00:00:00+08:00" and d.key == "20260309"
    assert d.label == "2026年3月9日（星期一）" and len(buckets(d)) == 24
    w = period_for("weekly", DAY + timedelta(days=3))
    assert w.start.date() == DAY and (w.end - w.start).days == 7 and w.key == "2026W11"
    assert w.label == "2026年第11周（3月9日至3月15日）" and len(buckets(w)) == 7
    now = datetime(2026, 3, 10, 1, 0, tzinfo=TZ)
    assert period_for("daily", now=now).start.date() == DAY
    assert period_for("weekly", now=now).start.date() == DAY - timedelta(days=7)


def _query_params(url: str) -> SearchParams:
    """What the search page makes of a link (dashboards/api/routes/search.py search_params)."""
    lists = {"spot", "station", "level", "category", "sentiment", "source"}
    data = {k: (v if k in lists else v[-1]) for k, v in parse_qs(urlsplit(url).query).items()}
    return SearchParams.model_validate(data)


def test_a_figure_link_is_the_same_search() -> None:
    scope = Scope("http://app.example/", "西三派出所")
    p = scope.posts(
        datetime(2026, 3, 9, tzinfo=TZ),
        datetime(2026, 3, 10, tzinfo=TZ),
        source="demo_weibo",
        sentiment="neg",
        q="宰客 OR 坑人",
    )
    url = scope.search_url(p)
    assert url.startswith("http://app.example/search?")
    back = _query_params(url)
    assert back.filters() == p.filters() and back.q == p.q
    assert back.date_from == p.date_from and back.station == ["西三派出所"]
    everything = scope.posts(None, None, event_id="ev-1", relevant="any")
    assert _query_params(scope.search_url(everything)).filters() == everything.filters()


def test_the_summary_takes_the_central_posts_and_skips_copies() -> None:
    texts = [
        "湖泉 游船 翻 了 游客 落水",
        "湖泉 游船 翻 了 游客 落水 转发",
        "游船 侧翻 落水 游客 救援",
        "今天 天气 不错 拍照",
        "救生衣 不够 游船 超载",
    ]
    chosen = central(texts)
    assert len(chosen) == 3 and 3 not in chosen
    assert not {0, 1} <= set(chosen)  # a near copy of a chosen post is skipped
    assert central([]) == []
    assert excerpt("一句话。" * 40, 20).endswith("。") and len(excerpt("字" * 200, 90)) == 91


def test_telling_words_and_the_rise(monkeypatch: pytest.MonkeyPatch) -> None:
    assert words.telling("溺水") and words.telling("可邑小镇")
    assert not words.telling("弥勒") and not words.telling("）。") and not words.telling("有人")
    rows = words.rising({"游船": (12, 0), "救生": (7, 0), "救生衣": (7, 0), "门票": (30, 28), "露营": (2, 0)})
    assert [r[0] for r in rows] == [
        "游船",
        "救生衣",
    ]  # 救生 is a piece of 救生衣; 门票 did not rise; 露营 too few
    assert words.rise(30, 3) > words.rise(330, 300)


def test_chains_depth_and_carriers() -> None:
    def post(sid: str, author: str, parent: str | None = None, likes: int = 0, **more: Any) -> dict[str, Any]:
        return {
            "id": f"wb:{sid}",
            "source": "wb",
            "source_id": sid,
            "author": author,
            "parent_id": parent,
            "engagement": {"likes": likes},
            **more,
        }

    posts = [
        post("1", "甲", likes=100),
        post("2", "乙", "1"),
        post("3", "丙", "2"),
        post("4", "丁", "3"),
        post("5", "戊", "2"),
        post("6", "己", "99", likes=500),
        post("7", "甲", root_id="7"),
    ]
    s = spread(posts)
    assert s.depth == 3 and s.linked == 5 and s.roots == 2
    top = carriers(posts, s)
    assert (top[0]["author"], top[0]["reposts_below"], top[0]["depth_below"]) == ("甲", 4, 3)
    assert top[1]["author"] == "乙" and top[1]["reposts_below"] == 3
    assert parent_of({"source": "wb", "source_id": "7", "root_id": "7"}) is None
    loop = [post("a", "x", "b"), post("b", "y", "a")]
    assert spread(loop).depth <= 2  # a loop in the data ends


def test_the_schedule() -> None:
    s = ReportSettings(daily_at="08:00", weekly_day="mon", weekly_at="08:00")
    before_eight = datetime(2026, 3, 9, 7, 59, tzinfo=TZ)
    due, period = last_due("daily", before_eight, s)
    assert due == datetime(2026, 3, 8, 8, 0, tzinfo=TZ) and period.start.date() == date(2026, 3, 7)
    due, period = last_due("daily", datetime(2026, 3, 9, 8, 0, tzinfo=TZ), s)
    assert period.start.date() == date(2026, 3, 8)
    due, period = last_due("weekly", before_eight, s)
    assert due.date() == date(2026, 3, 2) and period.start.date() == date(2026, 2, 23)
    due, period = last_due("weekly", datetime(2026, 3, 11, 12, 0, tzinfo=TZ), s)
    assert due.date() == date(2026, 3, 9) and period.start.date() == date(2026, 3, 2)
    roster = [
        ReportReader(name="甲", email="a@x.example"),
        ReportReader(name="乙", email="b@x.example", reports=["weekly"]),
        ReportReader(name="丙", email="c@x.example", reports=["daily"], station="西三派出所"),
    ]
    due = due_reports(datetime(2026, 3, 9, 9, 0, tzinfo=TZ), s, roster)
    assert [(d.kind, d.station, d.recipients) for d in due] == [
        ("daily", None, ("a@x.example",)),
        ("daily", "西三派出所", ("c@x.example",)),
        ("weekly", None, ("a@x.example", "b@x.example")),
    ]


def test_the_roster_is_validated(tmp_path: Path) -> None:
    for name in ("gazetteer.yaml", "stations.yaml"):
        shutil.copy(DEFAULT_CONFIG_DIR / name, tmp_path / name)
    assert load_stations(tmp_path).report_roster
    path = tmp_path / "stations.yaml"
    path.write_text(
        path.read_text(encoding="utf-8") + "  - {name: 某人, email: x@y.example, station: 火星派出所}\n",
        encoding="utf-8",
    )
    load_stations.cache_clear()
    with pytest.raises(ConfigError) as info:
        load_stations(tmp_path)
    assert info.value.key == "report_roster.3.station" and "火星派出所" in info.value.message
    with pytest.raises(ValueError, match="unknown report"):
        ReportReader(name="x", email="x@y.example", reports=["monthly"])
    load_stations.cache_clear()


def _aggs(total: int, **breakdowns: dict[str, int]) -> dict[str, Any]:
    return {
        "hits": {"total": {"value": total}},
        "aggregations": {
            k: {"buckets": [{"key": a, "doc_count": n} for a, n in v.items()]} for k, v in breakdowns.items()
        },
    }


def _report(total: int = 3, text: str = "湖泉生态园游船翻了") -> Report:
    from dashboards.reports.events_part import event_item
    from dashboards.reports.periods import period_for

    period, scope = period_for("daily", DAY), Scope("http://app.example")
    now = _aggs(
        total,
        platform={"demo_weibo": total} if total else {},
        spot={"湖泉生态园": total} if total else {},
        sentiment={"neg": total} if total else {},
        level={"high": 1} if total else {},
    )
    before = _aggs(1, platform={"demo_weibo": 1}, sentiment={"pos": 1})
    generated = datetime(2026, 3, 10, 8, tzinfo=TZ)
    post = {
        "id": "demo_weibo:1",
        "source": "demo_weibo",
        "author": "<b>作者</b>",
        "text": text,
        "published_at": "2026-03-09T10:00:00+08:00",
        "url": "javascript:alert(1)",
    }
    events = (
        [
            event_item(
                {"key": "ev-1", "doc_count": total, "platform": {"buckets": []}},
                {"title": text, "peak_level": "high"},
                total,
                [post],
                [],
                period,
                scope,
                generated,
            )
        ]
        if total
        else []
    )
    return Report(
        id="daily-20260309",
        kind="daily",
        title="弥勒市涉旅网络舆情日报",
        period_label=period.label,
        start=period.start,
        end=period.end,
        previous_start=period.previous.start,
        generated_at=generated,
        base_url=scope.base_url,
        overview=overview(now, before, period, scope),
        events=events,
        alerts=alerts_section([], [], period, scope, generated),
        notes="建议加强<湖泉>游船巡查",
    )


def test_html_escapes_crawled_text_and_links_every_figure() -> None:
    html = render_report(_report(text='游船<script>alert("x")</script>翻了'))
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "&lt;b&gt;作者" in html and 'href="javascript:' not in html
    assert "建议加强&lt;湖泉&gt;游船巡查" in html
    for heading in ("一、总体态势", "二、重点事件", "三、预警与处置", "四、热点词", "五、研判建议"):
        assert heading in html
    assert "<svg" in html and 'href="http://app.example/search?' in html
    assert "+200.0%" in html  # 3 posts against 1


def test_an_empty_period_is_a_short_valid_report() -> None:
    html = render_report(_report(total=0))
    assert "本期未监测到涉旅相关舆情" in html and "本期无重点事件" in html and "本期未产生预警" in html


def test_charts_escape_labels() -> None:
    svg = str(charts.bars([charts.Bar("<x>", 3, "http://a/?q=1&b=2")], "t"))
    assert "&lt;x&gt;" in svg and "&amp;b=2" in svg and "<x>" not in svg


def test_words_for_changes_and_durations() -> None:
    assert [change(3, 1), change(1, 0), change(0, 0), change(2, 4)] == ["+200.0%", "新增", "持平", "-50.0%"]
    assert [duration(40), duration(250), duration(34473)] == ["40 秒", "4 分 10 秒", "9 小时 34 分"]


def test_the_docx_holds_the_figures() -> None:
    document = docx.Document(io.BytesIO(period_docx(_report())))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "弥勒市涉旅网络舆情日报" in text and "本期共监测到涉旅相关舆情 3 条" in text
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    assert "微博（演示）" in cells and "+200.0%" in cells


def test_a_missing_font_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf, "cjk_font_installed", lambda: False)
    with pytest.raises(pdf.FontMissing, match="fonts-wqy-microhei"):
        pdf.require_cjk_font()


def test_the_report_settings_are_checked() -> None:
    with pytest.raises(ValueError):
        ReportSettings(daily_at="8 点")
    assert ReportSettings().weekly_day == "mon"


def test_report_times_are_aware() -> None:
    r = _report()
    assert r.generated_at.tzinfo is not None and r.start.utcoffset() == timedelta(hours=8)
    assert r.start.astimezone(UTC).hour == 16
