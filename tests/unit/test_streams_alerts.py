"""From hits to alerts and e-mails: one alert per event and severity, routing by shift, escaped evidence."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streams.judging import State, judge
from streams.notify import message
from streams.rules import load_rules
from yuqing.config import load_stations
from yuqing.schema import TZ, Alert, ScoredPost

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # 10:00 in Mile: the day shift


def post(level="high", text="弥勒湖泉生态园刚刚有人落水了，快来人", sid="1", event="ev-1") -> ScoredPost:
    return ScoredPost(
        source="t",
        source_id=sid,
        text=text,
        crawled_at=NOW,
        relevant=True,
        spots=["湖泉生态园"],
        jurisdiction="弥阳派出所",
        event_id=event,
        url="https://weibo.example/1",
        author="游客",
        risk={"level": level, "score": 0.9, "categories": ["safety"]},
        sentiment={"label": "neg", "score": 0.9},
        explain={"probabilities": {"level": {level: 0.9}}},
    )


def state() -> State:
    return State(rule_state={}, cooldowns={}, escalation={})


def run(p: ScoredPost, s: State, now=NOW) -> list[Alert]:
    event = {
        "id": p.event_id,
        "post_count": 1,
        "relevant": True,
        "title": p.text,
        "first_seen": now.isoformat(),
        "last_seen": now.isoformat(),
        "categories": ["safety"],
        "spots": ["湖泉生态园"],
    }
    return judge(p, "湖泉生态园", event, load_rules(), s, load_stations(), now)


def test_rules_firing_together_make_one_alert_per_event() -> None:
    s = state()
    (first,) = run(post(), s)
    assert first.level == "high" and first.rule == "high_risk_post"
    assert "watchlist_emergency" in first.reason["also_matched"]
    (again,) = run(post(sid="2"), s)  # a repost: the same alert, refreshed
    assert again.id == first.id


def test_an_escalation_is_a_new_alert_and_a_lower_level_refreshes_the_higher_one() -> None:
    s = state()
    (medium,) = run(post(level="medium", text="湖泉生态园昨天栈道栏杆断了，差点有人摔下去"), s)
    (high,) = run(post(level="high", sid="2"), s)
    assert medium.level == "medium" and high.level == "high" and high.id != medium.id
    (later,) = run(post(level="medium", text="湖泉生态园昨天栈道栏杆断了，差点有人摔下去", sid="3"), s)
    assert later.id == high.id and later.level == "high"


def test_alerts_go_to_the_officers_on_shift_and_supervisors_on_high() -> None:
    (day,) = run(post(), state())
    assert day.recipients == ["miyang-duty@police.example"] and day.cc == ["miyang-chief@police.example"]
    (night,) = run(post(event="ev-2"), state(), now=NOW + timedelta(hours=12))  # 22:00 in Mile
    assert night.recipients == ["miyang-night@police.example"]
    (medium,) = run(post(level="medium", text="湖泉生态园昨天栈道栏杆断了，差点有人摔下去"), state())
    assert medium.cc == [] and "culture_tourism" in medium.agencies  # medium rule passes safety on (通报)


def test_the_email_carries_the_evidence_and_escapes_crawled_text() -> None:
    (alert,) = run(post(text="湖泉<script>alert(1)</script>有人落水了"), state())
    msg = message.compose(alert, "alerts@x.example", "https://yuqing.example")
    assert msg["Subject"].startswith("【高风险】湖泉生态园｜弥阳派出所")
    assert msg["Message-ID"] == message.compose(alert, "a@x.example", "https://y.example")["Message-ID"]
    plain = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    for fact in (
        "游客",
        "https://weibo.example/1",
        "弥阳派出所",
        "安全事故",
        "https://yuqing.example/alerts/",
    ):
        assert fact in plain
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f"{NOW.astimezone(TZ):%Y-%m-%d %H:%M}" in plain  # times in Mile's clock


def test_digest_and_agency_notice() -> None:
    alerts = [a for p in (post(sid="1", event="a"), post(sid="2", event="b")) for a in run(p, state())]
    digest = message.compose_digest(alerts, "弥阳派出所", ["d@x.example"], "s@x.example", "https://y.example")
    assert "2 条" in digest["Subject"] and digest["Message-ID"] == message.message_id(*(a.id for a in alerts))
    agency = load_stations().agencies[0]
    notice = message.compose_notice(alerts[0], agency, "s@x.example")
    assert (
        notice["Subject"].startswith("【公安提示函】")
        and agency.name in notice.get_body(("plain",)).get_content()
    )
