"""The alert e-mail a duty officer reads: Chinese subject and body, plain text and HTML, with the evidence.

Crawled text is hostile: every value in the HTML part is escaped. The Message-ID derives from the alert id
(and the digest's alert ids), so a message sent twice after a crash is recognisably the same message.
"""

from __future__ import annotations

import hashlib
import logging
import re
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from typing import Any

from yuqing.labels import (
    ALERT_LEVEL_NAMES,
    CATEGORY_NAMES,
    LEVEL_NAMES,
    REASON_NAMES,
    SENTIMENT_NAMES,
    rule_name,
    source_name,
)
from yuqing.schema import TZ, Alert

DOMAIN = "yuqing.local"
log = logging.getLogger(__name__)
_HEADER_UNSAFE = re.compile(r"[\x00-\x1f\x7f\u2028\u2029]")


def message_id(*alert_ids: str) -> str:
    return f"<{hashlib.sha1('|'.join(sorted(alert_ids)).encode()).hexdigest()[:32]}@{DOMAIN}>"


def update_id(alert_id: str, n: int) -> str:
    """The Message-ID of an alert's n-th update: the same after a crash, so a resend is recognisable."""
    return message_id(alert_id, f"update-{n}")


def _local(value: str | datetime | None) -> str:
    if not value:
        return "未知"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.astimezone(TZ):%Y-%m-%d %H:%M:%S}"


def _facts(alert: Alert, public_url: str) -> list[tuple[str, str]]:
    ev: dict[str, Any] = alert.evidence
    cats = "、".join(CATEGORY_NAMES.get(str(c), str(c)) for c in alert.categories) or "无"
    rows = [
        ("风险等级", ALERT_LEVEL_NAMES[str(alert.level)]),
        ("地点", "、".join(alert.spots) or "弥勒市（未定位到景区）"),
        ("责任单位", alert.jurisdiction or "未定"),
        ("风险类别", cats),
        ("触发规则", rule_name(alert.rule)),
        ("触发原因", _reason(alert.reason)),
        ("同一事件相似帖", f"{alert.similar_count} 条"),
    ]
    if ev:
        rows += [
            ("来源", f"{source_name(ev.get('source'))}  作者：{ev.get('author') or '未知'}"),
            ("发布时间", _local(ev.get("published_at"))),
            ("采集时间", _local(ev.get("crawled_at"))),
            ("原文链接", ev.get("url") or "无"),
        ]
        risk, sent = ev.get("risk") or {}, ev.get("sentiment") or {}
        rows.append(
            (
                "模型评分",
                f"风险 {risk.get('score', '?')}，情感 {SENTIMENT_NAMES.get(sent.get('label'), '?')} "
                f"{sent.get('score', '')}",
            )
        )
    rows.append(("预警编号", alert.id))
    rows.append(("处置页面", f"{public_url.rstrip('/')}/alerts/{alert.id}"))
    if ev.get("post_id"):
        rows.append(("帖子页面", f"{public_url.rstrip('/')}/posts/{ev['post_id']}"))
    return rows


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "、".join(str(v) for vs in value.values() for v in (vs if isinstance(vs, list) else [vs]))
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _reason_value(key: str, value: Any) -> str:
    """A reason's value; the codes among them (a level, other rules) named as the rest of the e-mail is."""
    if key == "level":
        return LEVEL_NAMES.get(str(value), str(value))
    if key == "also_matched":
        return "、".join(rule_name(r) for r in (value if isinstance(value, list) else [value]))
    return _value(value)


def _reason(reason: dict[str, Any]) -> str:
    """Why the rule fired, in words a duty officer reads (unknown keys as they are)."""
    parts = [
        f"{REASON_NAMES.get(k, k)} {_reason_value(k, v)}"
        for k, v in reason.items()
        if k not in ("rule", "type") and v
    ]
    return "；".join(parts) or "—"


def subject(alert: Alert) -> str:
    place = "、".join(alert.spots[:2]) or "弥勒"
    summary = " ".join(alert.summary.split())[:40]
    return f"【{ALERT_LEVEL_NAMES[str(alert.level)]}】{place}｜{alert.jurisdiction or ''}｜{summary}"


def _excerpt(alert: Alert) -> str:
    return str(alert.evidence.get("excerpt") or alert.summary)


def _headline(alert: Alert) -> str:
    """The e-mail's first line: the alert's summary, or, when the summary is only the start of the excerpt
    printed below it (a post's own alert), where and what: 白龙洞｜安全事故｜虹溪派出所."""
    level = ALERT_LEVEL_NAMES[str(alert.level)]
    said = " ".join(alert.summary.split()).rstrip("…. ")
    if said and not " ".join(_excerpt(alert).split()).startswith(said):
        return f"{level}预警：{alert.summary}"
    cats = "、".join(CATEGORY_NAMES.get(str(c), str(c)) for c in alert.categories)
    where = "、".join(alert.spots[:2]) or "弥勒"
    return f"{level}预警：" + "｜".join(p for p in (where, cats, alert.jurisdiction or "") if p)


def compose(alert: Alert, sender: str, public_url: str) -> EmailMessage:
    """One alert to its station's duty officers (supervisors in Cc)."""
    facts = _facts(alert, public_url)
    headline = _headline(alert)
    plain = "\n".join(
        [headline, "", "原文摘录：", _excerpt(alert), ""]
        + [f"{k}：{v}" for k, v in facts]
        + ["", "请及时处置并在系统中确认（1、3、5 分钟快速反应）。—— 弥勒涉旅舆情预警平台"]
    )
    rows = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    html = (
        f"<html><body><h2>{escape(headline)}</h2>"
        f"<blockquote>{escape(_excerpt(alert))}</blockquote><table>{rows}</table>"
        "<p>请及时处置并在系统中确认（1、3、5 分钟快速反应）。—— 弥勒涉旅舆情预警平台</p></body></html>"
    )
    return _message(
        subject(alert), plain, html, sender, alert.recipients, alert.cc, message_id(alert.id), alert
    )


def compose_digest(
    alerts: list[Alert], station: str, to: list[str], sender: str, public_url: str
) -> EmailMessage:
    """Several low-severity alerts of one station in one e-mail."""
    items = [
        f"{i}. [{_local(a.raised_at)}] {'、'.join(a.spots) or '弥勒'}：{a.summary}"
        for i, a in enumerate(alerts, 1)
    ]
    link = f"{public_url.rstrip('/')}/alerts?station={station}"
    plain = "\n".join([f"{station} 低风险预警汇总（{len(alerts)} 条）：", "", *items, "", f"查看：{link}"])
    html = (
        f"<html><body><h3>{escape(station)} 低风险预警汇总（{len(alerts)} 条）</h3><ol>"
        + "".join(f"<li>{escape(line.split('. ', 1)[1])}</li>" for line in items)
        + f"</ol><p>{escape(link)}</p></body></html>"
    )
    subj = f"【低风险汇总】{station}｜{len(alerts)} 条预警"
    return _message(subj, plain, html, sender, to, [], message_id(*(a.id for a in alerts)), None)


def compose_update(alert: Alert, news: list[str], n: int, sender: str, public_url: str) -> EmailMessage:
    """The n-th short update of an alert, threaded to its first e-mail (In-Reply-To, References)."""
    link = f"{public_url.rstrip('/')}/alerts/{alert.id}"
    lines = [
        f"{ALERT_LEVEL_NAMES[str(alert.level)]}预警更新（第 {n} 次）：{alert.summary}",
        "",
        *[f"· {item}" for item in news],
        "",
        f"事件当前：{alert.event_size or alert.similar_count + 1} 条相关帖，"
        f"平台 {'、'.join(map(source_name, alert.sources)) or '未知'}",
        f"处置页面：{link}",
    ]
    plain = "\n".join(lines)
    html = (
        f"<html><body><h3>{escape(lines[0])}</h3><ul>"
        + "".join(f"<li>{escape(item)}</li>" for item in news)
        + f"</ul><p>{escape(lines[-2])}</p><p>{escape(link)}</p></body></html>"
    )
    first = message_id(alert.id)
    msg = _message(f"【更新】{subject(alert)}", plain, html, sender, alert.recipients, alert.cc,
                   update_id(alert.id, n), alert)  # fmt: skip
    _header(msg, "In-Reply-To", first)
    _header(msg, "References", first)
    return msg


def _header(msg: EmailMessage, name: str, value: str) -> bool:
    """Set a header from values that may hold crawled text: control characters become spaces, and a value
    the e-mail library still refuses is left out (named in X-Yuqing-Dropped) instead of failing the alert."""
    try:
        msg[name] = _HEADER_UNSAFE.sub(" ", value)
    except (ValueError, TypeError) as exc:
        log.warning("header %s left out of %s: %s", name, msg.get("Message-ID"), exc)
        dropped = msg.get("X-Yuqing-Dropped")
        if dropped is not None:
            del msg["X-Yuqing-Dropped"]
        msg["X-Yuqing-Dropped"] = f"{dropped}, {name}" if dropped else name
        return False
    return True


def dropped_headers(msg: EmailMessage) -> list[str]:
    return [h.strip() for h in str(msg.get("X-Yuqing-Dropped") or "").split(",") if h.strip()]


def _message(
    subj: str, plain: str, html: str, sender: str, to: list[str], cc: list[str], mid: str, alert: Alert | None
) -> EmailMessage:
    msg = EmailMessage()
    _header(msg, "Subject", subj)
    _header(msg, "From", sender)
    _header(msg, "To", ", ".join(to))
    if cc:
        _header(msg, "Cc", ", ".join(cc))
    msg["Message-ID"] = mid
    msg["Date"] = format_datetime(datetime.now(TZ))
    if alert is not None:
        _header(msg, "X-Yuqing-Alert-Id", alert.id)
        if alert.evidence.get("post_id"):
            _header(msg, "X-Yuqing-Post-Id", str(alert.evidence["post_id"]))
        if str(alert.level) == "high":  # mail clients sort and flag it: an emergency is not read after lunch
            msg["X-Priority"] = "1 (Highest)"
            msg["Importance"] = "High"
    msg.set_content(plain)
    msg.add_alternative(html, subtype="html")
    return msg
