"""The Chinese words for the project's codes, in one catalogue: what the e-mails (streams/notify), the web app
(dashboards) and reports show for levels, categories, sentiments, rules and the fields of an alert's reason.
A code missing here is shown as it is rather than hidden."""

from __future__ import annotations

LEVEL_NAMES = {"none": "无", "low": "低", "medium": "中", "high": "高"}  # a post's level, in tables
ALERT_LEVEL_NAMES = {"high": "高风险", "medium": "中风险", "low": "低风险", "none": "提示"}  # an alert's
SENTIMENT_NAMES = {"neg": "负面", "neu": "中性", "pos": "正面"}
CATEGORY_NAMES = {
    "public_order": "治安",
    "traffic": "交通",
    "safety": "安全事故",
    "consumer": "消费纠纷",
    "health": "公共卫生",
    "disaster": "自然灾害",
    "police": "涉警舆情",
    "environment": "生态环境",
}
RULE_NAMES = {  # the shipped rules of config/rules.yaml
    "high_risk_post": "高风险帖子",
    "medium_risk_post": "中风险帖子",
    "watchlist_emergency": "紧急关注词",
    "spot_volume_spike": "景区舆情量激增",
    "spot_negative_share": "景区负面占比过高",
    "event_spreading": "事件快速扩散",
    "source_silent": "数据源长时间无更新",
}
REASON_NAMES = {  # the fields of an alert's `reason`
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


def rule_name(rule: str | None) -> str:
    """A rule's Chinese name, or its code when the catalogue has none (a deployment's own rule)."""
    return RULE_NAMES.get(rule or "", rule or "—")
