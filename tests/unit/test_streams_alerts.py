"""From hits to alerts and e-mails: one alert per event and family that escalates, routing by shift, rule
filters, escaped evidence, threaded updates, headers that never fail."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from streams.judging import State, judge
from streams.notify import message
from streams.rules import load_rules
from yuqing.config import load_stations
from yuqing.schema import TZ, Alert, ScoredPost, SentimentLabel

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


def run(p: ScoredPost, s: State, now=NOW, resolved=False, **event_fields) -> list[Alert]:
    event = {
        "id": p.event_id,
        "post_count": 1,
        "relevant": True,
        "title": p.text,
        "first_seen": now.isoformat(),
        "last_seen": now.isoformat(),
        "categories": ["safety"],
        "spots": ["湖泉生态园"],
        "peak_level": str(p.risk.level),
        "negative_count": 1,
        **event_fields,
    }
    return judge(p, "湖泉生态园", event, load_rules(), s, load_stations(), now, resolved=resolved)


def test_rules_firing_together_make_one_alert_per_event() -> None:
    s = state()
    (first,) = run(post(), s)
    assert first.level == "high" and first.rule == "high_risk_post"
    assert "watchlist_emergency" in first.reason["also_matched"]
    (again,) = run(post(sid="2"), s)  # a repost: the same alert, refreshed
    assert again.id == first.id


def test_an_escalation_raises_the_same_alert_and_a_lower_level_keeps_it_high() -> None:
    s = state()
    (medium,) = run(post(level="medium", text="湖泉生态园昨天栈道栏杆断了，差点有人摔下去"), s)
    (high,) = run(post(level="high", sid="2"), s)
    assert medium.level == "medium" and high.level == "high" and high.id == medium.id
    assert medium.cc == [] and high.cc == ["miyang-chief@police.example"]  # supervisors copied on high
    (later,) = run(post(level="medium", text="湖泉生态园昨天栈道栏杆断了，差点有人摔下去", sid="3"), s)
    assert later.id == high.id and later.level == "high"
    assert later.rule == "high_risk_post"  # a lesser rule firing later does not rename the alert
    assert "medium_risk_post" in later.reason["also_matched"]


def test_a_post_no_rule_fires_on_still_refreshes_its_events_alert() -> None:
    s = state()
    (first,) = run(post(), s)
    (refresh,) = run(post(level="none", text="顶，帮转", sid="2"), s, post_count=7, sources=["t", "dy"])
    assert refresh.id == first.id and refresh.level == "high" and refresh.event_size == 7
    assert refresh.sources == ["t", "dy"]
    assert run(post(level="none", text="顶", sid="3", event="ev-other"), state()) == []  # no alert yet: none


def test_a_resolution_report_is_never_a_high_alert() -> None:
    (alone,) = run(post(text="湖泉生态园落水游客已获救", event="ev-9"), state(), resolved=True)
    assert alone.level == "medium"
    s = state()
    (first,) = run(post(), s)
    (after,) = run(post(text="落水游客已获救", sid="2"), s, resolved=True, status="reported_resolved")
    assert after.id == first.id and after.level == "high" and after.event_status == "reported_resolved"
    # the watchlist's 落水 fires on the report too: it neither renames the alert nor counts as news
    (found,) = run(post(text="湖泉落水游客已被安全找回", sid="3"), s, resolved=True)
    assert found.rule == "high_risk_post"
    assert "watchlist_emergency" not in found.reason.get("also_matched", [])


def test_event_spreading_counts_only_negative_or_risky_events() -> None:
    harmless = post(level="none", text="请问红河水乡现在人多吗？", event="ev-q")
    harmless = harmless.model_copy(
        update={"sentiment": harmless.sentiment.model_copy(update={"label": SentimentLabel.neu})}
    )
    quiet = run(harmless, state(), post_count=6, negative_count=0, peak_level="none")
    assert quiet == []
    angry = harmless.model_copy(update={"event_id": "ev-a"})
    (alert,) = run(angry, state(), post_count=6, negative_count=4, peak_level="none")
    assert alert.rule == "event_spreading" and alert.level == "medium"


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
        "触发规则：高风险帖子",  # the rule's Chinese name, never its code
    ):
        assert fact in plain
    assert "high_risk_post" not in plain
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert f"{NOW.astimezone(TZ):%Y-%m-%d %H:%M}" in plain  # times in Mile's clock
    # a post's alert: its summary is the excerpt below, so the first line says where and what instead
    assert plain.splitlines()[0] == "高风险预警：湖泉生态园｜安全事故｜弥阳派出所", plain
    assert plain.count("有人落水了") == 1


def test_an_alert_whose_summary_is_not_the_excerpt_leads_with_it() -> None:
    (alert,) = run(post(), state())
    spread = alert.model_copy(update={"summary": "事件扩散（12 条）：湖泉生态园有人落水"})
    plain = message.compose(spread, "s@x.example", "https://y.example").get_body(("plain",)).get_content()
    assert plain.splitlines()[0] == "高风险预警：事件扩散（12 条）：湖泉生态园有人落水"


def test_digest_and_letter_draft() -> None:
    from streams.notify import letters

    alerts = [a for p in (post(sid="1", event="a"), post(sid="2", event="b")) for a in run(p, state())]
    digest = message.compose_digest(alerts, "弥阳派出所", ["d@x.example"], "s@x.example", "https://y.example")
    assert "2 条" in digest["Subject"] and digest["Message-ID"] == message.message_id(*(a.id for a in alerts))
    agency = load_stations().agencies[1]
    letter = letters.draft(alerts[0], agency)
    assert letter.status == "draft" and letter.number is None and letter.agency_email == agency.email
    assert "湖泉生态园" in letter.facts and letter.evidence[0]["url"] == "https://weibo.example/1"
    again = letters.draft(
        alerts[1].model_copy(update={"event_id": "a"}), agency, letter.model_dump(mode="json")
    )
    assert again.id == letter.id and len(again.evidence) == 2  # one draft per event and agency
    same = letters.draft(alerts[0], agency, letter.model_dump(mode="json")).model_dump(mode="json")
    previous = letter.model_dump(mode="json")
    assert {**same, "updated_at": previous["updated_at"]} == previous  # nothing new: the notifier skips it


def test_the_email_names_codes_in_chinese_and_flags_only_a_high_alert() -> None:
    (alert,) = run(post(), state())
    alert = alert.model_copy(
        update={
            "reason": {**alert.reason, "also_matched": ["medium_risk_post"]},
            "evidence": {**alert.evidence, "source": "demo_weibo"},
        }
    )
    msg = message.compose(alert, "s@x.example", "https://y.example")
    plain = msg.get_body(("plain",)).get_content()
    assert "风险等级 高" in plain and "同时命中规则 中风险帖子" in plain, plain
    assert "情感 负面" in plain and "来源：微博（演示）" in plain
    for code in ("high", "medium_risk_post", "neg", "demo_weibo"):
        assert code not in plain.split("处置页面")[0], code  # the links below may carry ids
    assert msg["X-Priority"] == "1 (Highest)" and msg["Importance"] == "High"
    (medium,) = run(post(level="medium", text="湖泉生态园昨天栈道栏杆断了，差点有人摔下去"), state())
    calm = message.compose(medium, "s@x.example", "https://y.example")
    assert calm["X-Priority"] is None and calm["Importance"] is None


def test_an_update_is_threaded_to_the_first_email() -> None:
    (alert,) = run(post(), state())
    first = message.compose(alert, "s@x.example", "https://y.example")
    update = message.compose_update(
        alert, ["事件规模扩大：1 → 30 条（×25 以上）"], 1, "s@x.example", "https://y.example"
    )
    assert update["In-Reply-To"] == first["Message-ID"] == update["References"]
    assert update["Message-ID"] == message.update_id(alert.id, 1) != first["Message-ID"]
    assert update["Subject"].startswith("【更新】") and "×25" in update.get_body(("plain",)).get_content()


def test_no_crawled_field_can_stop_an_email() -> None:
    (alert,) = run(post(), state())
    hostile = alert.model_copy(
        update={
            "summary": "湖泉\r\nBcc: evil@x.example\n有人落水",
            "evidence": {**alert.evidence, "post_id": "t:1\r\nX-Evil: 1", "author": "a\nb"},
        }
    )
    msg = message.compose(hostile, "s@x.example", "https://y.example")
    assert "\n" not in msg["Subject"] and "Bcc" not in msg
    assert "X-Evil" not in msg and msg["X-Yuqing-Post-Id"].startswith("t:1")
    assert msg.as_bytes()  # serialises


def test_an_incident_explains_its_spots_window_alerts_a_spot_without_one_raises_its_own() -> None:
    s = state()
    raised = [a for i in range(12) for a in run(post(sid=str(i)), s, post_count=i + 1)]
    assert {a.rule for a in raised} == {"high_risk_post"}  # no spot_negative_share of its own
    assert any("spot_negative_share" in a.reason.get("also_matched", []) for a in raised)
    calm = state()  # ten negative complaints that are no incident: the spot's share is its own alert
    complaints = [
        a
        for i in range(12)
        for a in run(post(level="low", text="湖泉生态园停车太难了", sid=str(i), event=f"ev-{i}"), calm)
    ]
    assert "spot_negative_share" in {a.rule for a in complaints}
