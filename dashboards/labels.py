"""The Chinese words the post page shows for the scorer's `explain` and for corrections: one catalogue.

Levels, categories and sentiments are `dashboards.search`'s names (the search page uses them too); what is
added here names the parts of `explain` (models/runtime/scorer.py `_decide`), the gazetteer's evidence
(`yuqing.gazetteer.PlaceMatch`) and the English rule sentences of models/runtime/relevance.py, matched by
pattern.
A rule sentence no pattern knows is shown as it is rather than hidden.
"""

from __future__ import annotations

import re

from yuqing.labels import CATEGORY_NAMES, LEVEL_NAMES, SENTIMENT_NAMES

LABELS: dict[str, str] = {
    # the parts of explain
    "place": "地名识别",
    "relevance_rule": "涉旅判定",
    "level_rule": "风险定级",
    "risk_terms": "命中的风险词",
    "probabilities": "模型概率",
    "model_windows": "长文分段数",
    "runtime": "推理引擎",
    # PlaceMatch
    "spots": "景区",
    "candidate_spots": "待定景区（名称有歧义）",
    "aliases": "景区别名",
    "city": "弥勒市名",
    "districts": "乡镇街道",
    "decoys": "排除的干扰词",
    "elsewhere": "外地地名",
    # probabilities
    "relevance": "涉旅相关",
    "sentiment": "情感",
    "sentiment_encoder_only": "情感（仅编码器）",
    "level": "风险等级",
    "categories": "风险类别",
    # risk terms beside the categories
    "urgent": "紧急",
    # correction fields
    "relevant": "涉旅相关",
    "note": "说明",
}

# (pattern of models/runtime/relevance.py's sentence, its Chinese); groups are numbers or names taken over
# as text.
RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), zh)
    for p, zh in (
        (r"^no Mile place named \(decoy: (.+)\)$", "未提及弥勒地名（已排除干扰词：{0}），判为不相关"),
        (r"^no Mile place named$", "未提及弥勒地名，判为不相关"),
        (r"^Mile named; model p=([\d.]+) vs ([\d.]+)$", "提及弥勒地名；模型相关概率 {0}，阈值 {1}"),
        (
            r"^only an ambiguous spot; model p=([\d.]+) vs stricter ([\d.]+)$",
            "只提到名称有歧义的景区；模型相关概率 {0}，从严阈值 {1}",
        ),
        (
            r"^also names (.+); model p=([\d.]+) vs stricter ([\d.]+)$",
            "同时提到外地（{0}）；模型相关概率 {1}，从严阈值 {2}",
        ),
        (r"^not relevant$", "不涉旅，不定级"),
        (
            r"^P\(high\)=([\d.]+) ≥ ([\d.]+) with incident evidence$",
            "高风险概率 {0} 达到阈值 {1}，且文中有事件词",
        ),
        (r"^P\(high\)=([\d.]+) ≥ ([\d.]+)$", "高风险概率 {0} 达到阈值 {1}"),
        (
            r"^P\(high\)=([\d.]+) but no incident term in the text$",
            "高风险概率 {0}，但文中没有事件词，不定为高",
        ),
        (
            r"^P\(high\)=([\d.]+) but reads as praise \(P\(pos\)=([\d.]+)\)$",
            "高风险概率 {0}，但通篇是称赞（正面概率 {1}），不定为高",
        ),
        (r"^P\(high\)=([\d.]+) < ([\d.]+)$", "高风险概率 {0} 低于阈值 {1}"),
    )
)


def label(key: str) -> str:
    """The Chinese name of a key of `explain` or of a level, category or sentiment; the key if unknown."""
    for names in (LABELS, CATEGORY_NAMES, LEVEL_NAMES, SENTIMENT_NAMES):
        if key in names:
            return names[key]
    return key


def rule_text(rule: str) -> str:
    """One of the scorer's rule sentences in Chinese (unknown sentences unchanged)."""
    for pattern, zh in RULES:
        found = pattern.match(rule or "")
        if found:
            return zh.format(*found.groups())
    return rule


def value_text(field: str, value: object) -> str:
    """A corrected field's value as the page words it (是/否, 高, 治安、交通, …; — for nothing)."""
    if value is None or value == []:
        return "—"
    if field == "relevant":
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(label(str(v)) for v in value)
    return str(value) if field == "note" else label(str(value))
