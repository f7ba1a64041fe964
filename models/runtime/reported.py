"""What a report says happened, when it is not happening now: a case resolved (found safe, rescued, arrested,
handled) or an official notice (an opening, a campaign, statistics, a reminder). Such text names incident
words without being an emergency, and the level head, trained mostly on posts written in the moment, reads
"走失 … 民警连夜搜寻安全找回" as `high`.

The level such text may reach (`report_cap`):
- a case reported resolved: `medium` when it names harm, an offence or any incident of the risk lexicon (the
  case is still the police's: a follow-up, a record; the training writers label such reports medium), `low`
  when the only trouble was someone missing, found safe;
- an official notice (an institution announcing, campaigning, counting or reminding, with no first-person
  complaint): `low`, or `medium` when it names harm, an offence or an incident.
Nothing is capped while the text says the case is still live or may be ("还没找到", "正在", "今日", "在逃"),
nor in a repost chain ("//@": it quotes the post written in the moment). The words that made the difference
are returned, and shown in `explain`.

The lists are written from the risk taxonomy (shared/domain) and the police article the product was born
from, and checked against the written train and dev splits (their writers label a resolved report with an
offence or an incident `medium`; live emergencies with "已救起6人" among them stay `high`), never against a
test set; matching is on normalised (simplified) text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from models.runtime.lexicon import risk_terms

LIVE = (
    "救命", "快来", "求救", "求助", "刚刚", "还没找到", "仍未找到", "尚未找到", "没找到", "下落不明", "失联",
    "仍在搜救", "正在搜救", "搜救仍在", "正在抢救", "仍在抢救", "还在抢救", "在逃", "赶紧", "还在烧",
    "正在燃烧", "有人落水", "还被困", "仍被困", "正在", "今日", "今天", "紧急", "全力救援", "全力搜救",
    "赶赴现场", "//@",
)  # fmt: skip
RESOLVED = (
    "安全找回", "平安找回", "已找回", "已找到", "找到了", "平安找到", "已被找到", "已获救", "获救",
    "成功救出", "已救出", "救起", "已脱险", "脱离危险", "安全转移", "已控制", "已被控制", "得到控制",
    "已扑灭", "被扑灭",
    "明火已灭", "已抓获", "抓获", "已被抓获", "刑事拘留", "行政拘留", "已被刑拘", "依法处理", "依法查处",
    "已处置", "妥善处置", "处置完毕", "已恢复", "恢复通行", "恢复正常", "已退款", "已退还", "已调解",
    "调解成功", "已结案", "已平息", "平安返回", "已返回家中",
)  # fmt: skip
# Harm, an offence or a conduct case: a resolved case stays a case (medium).
HARM = (
    "死亡", "身亡", "遇难", "溺亡", "丧生", "罹难", "重伤", "受伤", "轻伤", "伤者", "骨折", "送医", "抢救",
    "救治", "中毒", "晕厥", "殴打", "打伤", "斗殴", "抢劫", "盗窃", "诈骗", "猥亵", "强奸", "持刀",
    "刑事拘留", "行政拘留", "刑拘", "嫌疑人", "犯罪", "敲诈", "勒索", "违法", "违规", "非法", "立案",
    "罚款", "处罚", "责令", "查获", "虚假", "欺诈", "强制购物", "火情", "起火", "火灾", "过火", "事故",
    "落水", "擦伤", "摔伤", "坠落", "坠井", "扰乱", "强行", "批评教育", "问责", "停职",
)  # fmt: skip
# The one trouble a report can close with nobody harmed: someone missing, found (the lexicon's other
# incident terms keep a report medium).
MISSING = ("走失", "失联", "走散", "迷路", "找不到")
# Lexicon terms that name who answered, not what happened: no harm in a report.
RESPONDERS = (
    "民警", "警察", "派出所", "执法", "出警", "警方", "辅警", "警官", "执法人员", "协警", "警务室", "值班",
    "消防", "救援", "救援队", "救生员", "搜救", "搜寻", "救护车", "医护", "120", "110",
)  # fmt: skip
INSTITUTION = (
    "弥勒市", "我市", "市委", "市政府", "人民政府", "文旅局", "文化和旅游局", "文化旅游局", "市场监管",
    "监管局", "公安局", "交警", "管委会", "管理处", "管理局", "应急管理", "消防救援", "卫健", "气象台",
    "气象局", "旅游协会", "景区管理",
)  # fmt: skip
ANNOUNCE = (
    "正式开放", "正式开园", "开园", "正式开业", "启动", "启用", "专项整治", "专项行动", "整治行动", "开展",
    "部署", "召开", "举办", "举行", "印发", "出台", "同比增长", "同比", "接待游客", "旅游收入", "综合收入",
    "温馨提示", "安全提示", "提醒广大", "提醒游客", "倡议", "排查", "巡查", "查处", "督导",
)  # fmt: skip
COMPLAINT = ("被宰", "被坑", "坑人", "宰客", "投诉无门", "差评", "避雷", "气死")
FIRST_PERSON = re.compile(r"我(?![市局省州县区国])")


@dataclass(frozen=True)
class ReportCap:
    """The most a report may be rated, why, and the words that made the difference."""

    level: str  # "low" or "medium"
    why: str  # "reported_resolved" or "official_notice"
    words: tuple[str, ...]


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    lists = {
        "live": LIVE, "resolved": RESOLVED, "harm": HARM, "institution": INSTITUTION,
        "announce": ANNOUNCE, "complaint": COMPLAINT,
    }  # fmt: skip
    return {
        k: re.compile("|".join(map(re.escape, sorted(v, key=len, reverse=True)))) for k, v in lists.items()
    }


def _found(kind: str, text: str) -> list[str]:
    return list(dict.fromkeys(_patterns()[kind].findall(text)))


def report_cap(text: str) -> ReportCap | None:
    """The level `text` (normalised) may reach as a report of a resolved case or an official notice; None
    when it is neither, or says the case is still live."""
    if _found("live", text):
        return None
    resolved = _found("resolved", text)
    official = not resolved and _official(text)
    if not resolved and not official:
        return None
    incidents = [t for cat, found in risk_terms(text).items() if cat != "urgent" for t in found]
    harm = _found("harm", text) + [t for t in incidents if t not in MISSING and t not in RESPONDERS]
    harm = list(dict.fromkeys(harm))
    level = "medium" if harm else "low"
    why = "reported_resolved" if resolved else "official_notice"
    words = tuple(resolved or [*_found("institution", text)[:2], *_found("announce", text)[:3]]) + tuple(harm)
    return ReportCap(level, why, words)


def _official(text: str) -> bool:
    return bool(
        _found("institution", text)
        and _found("announce", text)
        and not _found("complaint", text)
        and not FIRST_PERSON.search(text)
    )
