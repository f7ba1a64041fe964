"""Chinese labels the alert console shows: rules, levels, statuses, workflow actions, reason fields.

(The e-mail has its own map in streams/notify/message.py; the web app keeps this one, since no stage imports
another. A rule missing here is shown by its name rather than hidden.)
"""

from __future__ import annotations

from typing import Any

RULE_NAMES = {
    "high_risk_post": "高风险帖子",
    "medium_risk_post": "中风险帖子",
    "watchlist_emergency": "紧急关注词",
    "spot_volume_spike": "景区舆情量激增",
    "spot_negative_share": "景区负面占比过高",
    "event_spreading": "事件快速扩散",
    "source_silent": "数据源长时间无更新",
}
LEVEL_LABELS = {"high": "高风险", "medium": "中风险", "low": "低风险", "none": "提示"}
STATUS_NAMES = {"new": "待处置", "acknowledged": "已签收", "resolved": "已办结", "false_alarm": "误报"}
ACTION_NAMES = {
    "alert_acknowledge": "签收",
    "alert_assign": "指派",
    "alert_resolve": "办结",
    "alert_false_alarm": "标记误报",
    "alert_reopen": "撤回误报、重新打开",
}
REASON_NAMES = {
    "level": "风险等级",
    "confidence": "模型置信度",
    "risk_score": "风险分",
    "risk_terms": "命中词",
    "terms": "命中词",
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
WAIT_NAMES = {"ok": "1 分钟内", "warn": "超 1 分钟", "late": "超 3 分钟", "overdue": "超 5 分钟（超时）"}


def rule_name(rule: str | None) -> str:
    return RULE_NAMES.get(rule or "", rule or "—")


def _value(value: Any) -> str:
    if isinstance(value, dict):
        return "、".join(_value(v) for v in value.values())
    if isinstance(value, list):
        return "、".join(_value(v) for v in value)
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, str) and value in LEVEL_LABELS:
        return LEVEL_LABELS[value]
    if isinstance(value, str) and value in RULE_NAMES:
        return RULE_NAMES[value]
    return str(value)


def reason_rows(reason: dict[str, Any] | None) -> list[tuple[str, str]]:
    """Why the rule fired, as (Chinese field, readable value) rows instead of raw JSON."""
    return [(REASON_NAMES.get(k, k), _value(v)) for k, v in (reason or {}).items() if v not in (None, "", [])]
