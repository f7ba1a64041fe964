"""The Chinese words for the project's codes, in one catalogue: what the e-mails (streams/notify), the web app
(dashboards) and reports show for levels, categories, sentiments, rules, the fields of an alert's reason, and
platforms and sources. A code missing here is shown as it is rather than hidden."""

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


PLATFORM_NAMES = {  # what a source's code names (`demo_weibo` → weibo); the first that matches wins
    "weibo": "微博",
    "douyin": "抖音",
    "xiaohongshu": "小红书",
    "dianping": "大众点评",
    "ctrip": "携程",
    "tieba": "百度贴吧",
    "chinanews": "中国新闻网",
    "police": "公安发布",
    "gov": "政府网站",
    "rss": "RSS 订阅",
    "news": "新闻网站",
}
SOURCE_NAMES = {  # the shipped sources of config/sources.yaml
    "demo_rss": "弥勒文旅 RSS（演示）",
    "demo_news": "文旅资讯（演示）",
    "demo_weibo": "微博（演示）",
    "demo_tieba": "百度贴吧（演示）",
    "mile_gov_news": "弥勒市人民政府网",
    "honghe_police_notices": "红河州公安局 警情通报",
    "weibo_search": "微博",
    "tieba_mile": "百度贴吧 弥勒吧",
    "chinanews_scroll": "中国新闻网",
    "dianping_reviews": "大众点评",
}


def source_name(source: str | None) -> str:
    """A source's Chinese name: the catalogue's, else its platform's with the code (a deployment's
    `xx_weibo` → 微博（xx_weibo）), else its code."""
    code = source or ""
    if code in SOURCE_NAMES:
        return SOURCE_NAMES[code]
    low = code.lower()
    platform = next((name for key, name in PLATFORM_NAMES.items() if key in low), None)
    return f"{platform}（{code}）" if platform else (code or "—")
