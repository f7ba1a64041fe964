"""Risk terms per category: the evidence `explain` shows beside the model's probabilities.

The lexicon does not decide categories or levels (the model does); it tells an analyst which words in the
post point at which category, and `URGENT` words (something happening now) are shown as urgency cues.
A deployment may extend the lists; matching is on normalised (simplified) text.
"""

from __future__ import annotations

import re
from functools import lru_cache

RISK_TERMS: dict[str, tuple[str, ...]] = {
    "public_order": (
        "偷",
        "小偷",
        "被盗",
        "盗窃",
        "扒手",
        "抢劫",
        "抢包",
        "打架",
        "斗殴",
        "打人",
        "持刀",
        "砍人",
        "威胁",
        "骚扰",
        "猥亵",
        "诈骗",
        "骗子",
        "被骗",
        "骗局",
        "敲诈",
        "勒索",
        "黑导游",
        "托儿",
        "醉酒闹事",
        "报警",
    ),
    "traffic": (
        "车祸",
        "追尾",
        "相撞",
        "翻车",
        "侧翻",
        "撞车",
        "撞人",
        "堵车",
        "拥堵",
        "堵死",
        "封路",
        "交通管制",
        "黑车",
        "超速",
        "酒驾",
        "山路",
        "塌方路段",
        "交通事故",
        "刮擦",
        "堵了",
    ),
    "safety": (
        "溺水",
        "落水",
        "掉水里",
        "坠落",
        "摔伤",
        "摔倒",
        "跌落",
        "着火",
        "起火",
        "失火",
        "火灾",
        "踩踏",
        "走失",
        "失联",
        "失踪",
        "找不到孩子",
        "被困",
        "触电",
        "倒塌",
        "坍塌",
        "断裂",
        "滑索",
        "游乐设施",
        "受伤",
        "救援",
        "急救",
        "救护车",
        "120",
    ),
    "consumer": (
        "宰客",
        "天价",
        "坑人",
        "太坑",
        "乱收费",
        "强制消费",
        "强迫购物",
        "购物店",
        "退款",
        "不退",
        "假货",
        "虚假宣传",
        "货不对板",
        "押金",
        "投诉",
        "欺诈",
        "加价",
        "收费",
        "门票贵",
        "坑",
    ),
    "health": (
        "食物中毒",
        "中毒",
        "菌子",
        "野生菌",
        "见手青",
        "拉肚子",
        "腹泻",
        "呕吐",
        "不卫生",
        "苍蝇",
        "变质",
        "发烧",
        "疫情",
        "传染",
        "卫生差",
        "蟑螂",
        "送医",
    ),
    "disaster": (
        "山火",
        "森林火灾",
        "泥石流",
        "滑坡",
        "山体滑坡",
        "洪水",
        "暴雨",
        "冰雹",
        "大风",
        "雷电",
        "地震",
        "预警",
        "内涝",
        "干旱",
        "台风",
        "塌方",
    ),
    "police": (
        "民警",
        "警察",
        "派出所",
        "执法",
        "粗暴执法",
        "不作为",
        "推诿",
        "出警",
        "不出警",
        "警方",
        "辅警",
        "报警没人管",
        "态度恶劣",
    ),
    "environment": (
        "乱扔垃圾",
        "垃圾",
        "污染",
        "排污",
        "污水",
        "发臭",
        "死鱼",
        "砍伐",
        "盗伐",
        "乱砍",
        "破坏",
        "油污",
        "噪音",
        "烧秸秆",
        "水质",
        "蓝藻",
    ),
}

URGENT: tuple[str, ...] = (
    "正在",
    "刚刚",
    "现在",
    "快来",
    "救命",
    "求救",
    "求助",
    "紧急",
    "[求救]",
    "[警报]",
    "有人落水",
    "还没找到",
    "赶紧",
    "马上",
    "已经报警",
    "还在烧",
    "现场",
    "[救护车]",
    "[消防车]",
    "[警车]",
)


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern]:
    pats = {
        cat: re.compile("|".join(map(re.escape, sorted(t, key=len, reverse=True))))
        for cat, t in RISK_TERMS.items()
    }
    pats["urgent"] = re.compile("|".join(map(re.escape, sorted(URGENT, key=len, reverse=True))))
    return pats


def risk_terms(text: str) -> dict[str, list[str]]:
    """Category (and `urgent`) → the distinct terms found in normalised `text`, in order of appearance."""
    out: dict[str, list[str]] = {}
    for cat, pat in _patterns().items():
        found = list(dict.fromkeys(pat.findall(text)))
        if found:
            out[cat] = found
    return out
