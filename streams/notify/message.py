"""The alert e-mail a duty officer reads: Chinese subject and body, plain text and HTML, with the evidence.

Crawled text is hostile: every value in the HTML part is escaped. The Message-ID derives from the alert id
(and the digest's alert ids), so a message sent twice after a crash is recognisably the same message.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape
from typing import Any

from yuqing.config import Agency
from yuqing.schema import TZ, Alert

LEVEL_ZH = {"high": "高风险", "medium": "中风险", "low": "低风险", "none": "提示"}
CATEGORY_ZH = {
    "public_order": "治安",
    "traffic": "交通",
    "safety": "安全事故",
    "consumer": "消费纠纷",
    "health": "公共卫生",
    "disaster": "自然灾害",
    "police": "涉警舆情",
    "environment": "生态环境",
}
DOMAIN = "yuqing.local"


def message_id(*alert_ids: str) -> str:
    return f"<{hashlib.sha1('|'.join(sorted(alert_ids)).encode()).hexdigest()[:32]}@{DOMAIN}>"


def _local(value: str | datetime | None) -> str:
    if not value:
        return "未知"
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.astimezone(TZ):%Y-%m-%d %H:%M:%S}"


def _facts(alert: Alert, public_url: str) -> list[tuple[str, str]]:
    ev: dict[str, Any] = alert.evidence
    cats = "、".join(CATEGORY_ZH.get(str(c), str(c)) for c in alert.categories) or "无"
    rows = [
        ("风险等级", LEVEL_ZH[str(alert.level)]),
        ("地点", "、".join(alert.spots) or "弥勒市（未定位到景区）"),
        ("责任单位", alert.jurisdiction or "未定"),
        ("风险类别", cats),
        ("触发规则", f"{alert.rule}（{alert.rule_type}）"),
        ("触发原因", _reason(alert.reason)),
        ("同一事件相似帖", f"{alert.similar_count} 条"),
    ]
    if ev:
        rows += [
            ("来源", f"{ev.get('source') or ''}  作者：{ev.get('author') or '未知'}"),
            ("发布时间", _local(ev.get("published_at"))),
            ("采集时间", _local(ev.get("crawled_at"))),
            ("原文链接", ev.get("url") or "无"),
        ]
        risk, sent = ev.get("risk") or {}, ev.get("sentiment") or {}
        rows.append(
            (
                "模型评分",
                f"风险 {risk.get('score', '?')}，情感 {sent.get('label', '?')} {sent.get('score', '')}",
            )
        )
    rows.append(("预警编号", alert.id))
    rows.append(("处置页面", f"{public_url.rstrip('/')}/alerts/{alert.id}"))
    if ev.get("post_id"):
        rows.append(("帖子页面", f"{public_url.rstrip('/')}/posts/{ev['post_id']}"))
    return rows


REASON_ZH = {
    "level": "风险等级",
    "confidence": "模型置信度",
    "risk_score": "风险分",
    "risk_terms": "命中词",
    "expression": "关注词表达式",
    "also_matched": "同时命中规则",
    "posts": "帖数",
    "expected": "平时帖数",
    "negative": "负面帖数",
    "share": "负面占比",
    "minutes": "分钟",
    "source": "数据源",
    "last_post": "最后一帖",
}


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "、".join(str(v) for vs in value.values() for v in (vs if isinstance(vs, list) else [vs]))
    if isinstance(value, list):
        return "、".join(map(str, value))
    return str(value)


def _reason(reason: dict[str, Any]) -> str:
    """Why the rule fired, in words a duty officer reads (unknown keys as they are)."""
    parts = [
        f"{REASON_ZH.get(k, k)} {_value(v)}" for k, v in reason.items() if k not in ("rule", "type") and v
    ]
    return "；".join(parts) or "—"


def subject(alert: Alert) -> str:
    place = "、".join(alert.spots[:2]) or "弥勒"
    summary = " ".join(alert.summary.split())[:40]
    return f"【{LEVEL_ZH[str(alert.level)]}】{place}｜{alert.jurisdiction or ''}｜{summary}"


def _excerpt(alert: Alert) -> str:
    return str(alert.evidence.get("excerpt") or alert.summary)


def compose(alert: Alert, sender: str, public_url: str) -> EmailMessage:
    """One alert to its station's duty officers (supervisors in Cc)."""
    facts = _facts(alert, public_url)
    plain = "\n".join(
        [f"{LEVEL_ZH[str(alert.level)]}预警：{alert.summary}", "", "原文摘录：", _excerpt(alert), ""]
        + [f"{k}：{v}" for k, v in facts]
        + ["", "请及时处置并在系统中确认（1、3、5 分钟快速反应）。—— 弥勒涉旅舆情预警平台"]
    )
    rows = "".join(f"<tr><th align='left'>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    html = (
        f"<html><body><h2>{escape(LEVEL_ZH[str(alert.level)])}预警：{escape(alert.summary)}</h2>"
        f"<blockquote>{escape(_excerpt(alert))}</blockquote><table>{rows}</table>"
        "<p>请及时处置并在系统中确认（1、3、5 分钟快速反应）。—— 弥勒涉旅舆情预警平台</p></body></html>"
    )
    return _message(
        subject(alert), plain, html, sender, alert.recipients, alert.cc, message_id(alert.id), alert
    )


def compose_notice(alert: Alert, agency: Agency, sender: str) -> EmailMessage:
    """A 公安提示函-style summary passing a problem to another department (通报)."""
    lines = [
        f"{agency.name}：",
        "",
        "弥勒市公安局涉旅网络舆情预警平台监测到以下涉及贵单位职责的情况，现予通报，请依职责核查处置：",
        "",
        f"一、情况摘要：{alert.summary}",
        f"二、地点：{'、'.join(alert.spots) or '弥勒市'}（属地：{alert.jurisdiction or '未定'}）",
        f"三、类别：{'、'.join(CATEGORY_ZH.get(str(c), str(c)) for c in alert.categories) or '无'}",
        f"四、原文摘录：{_excerpt(alert)}",
        f"五、原文链接：{alert.evidence.get('url') or '无'}",
        "",
        "特此提示。",
        "弥勒市公安局",
        _local(alert.raised_at),
    ]
    plain = "\n".join(lines)
    html = "<html><body>" + "".join(f"<p>{escape(line)}</p>" for line in lines) + "</body></html>"
    subj = f"【公安提示函】{'、'.join(alert.spots[:2]) or '弥勒'}：{' '.join(alert.summary.split())[:40]}"
    mid = message_id(alert.id, agency.key)
    return _message(subj, plain, html, sender, [agency.email], [], mid, alert)


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


def _message(
    subj: str, plain: str, html: str, sender: str, to: list[str], cc: list[str], mid: str, alert: Alert | None
) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = subj
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Message-ID"] = mid
    msg["Date"] = format_datetime(datetime.now(TZ))
    if alert is not None:
        msg["X-Yuqing-Alert-Id"] = alert.id
        if alert.evidence.get("post_id"):
            msg["X-Yuqing-Post-Id"] = alert.evidence["post_id"]
    msg.set_content(plain)
    msg.add_alternative(html, subtype="html")
    return msg
