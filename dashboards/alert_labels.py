"""Chinese labels the alert console shows: rules, levels, statuses, workflow actions, reason fields.

Rules, levels and reason fields are the shared catalogue's (yuqing.labels, which the e-mails use too); the
console's own words (statuses, actions, waiting) are here.
"""

from __future__ import annotations

from typing import Any

from yuqing.labels import ALERT_LEVEL_NAMES, REASON_NAMES, RULE_NAMES

LEVEL_LABELS = ALERT_LEVEL_NAMES
STATUS_NAMES = {"new": "待处置", "acknowledged": "已签收", "resolved": "已办结", "false_alarm": "误报"}
ACTION_NAMES = {
    "alert_acknowledge": "签收",
    "alert_assign": "指派",
    "alert_resolve": "办结",
    "alert_false_alarm": "标记误报",
    "alert_reopen": "撤回误报、重新打开",
}
WAIT_NAMES = {"ok": "1 分钟内", "warn": "超 1 分钟", "late": "超 3 分钟", "overdue": "超 5 分钟（超时）"}


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
