"""Reports of resolved cases and official notices are not emergencies (models/runtime/reported.py), and the
scorer says which words capped a level."""

from __future__ import annotations

import numpy as np
import pytest

from models.runtime.reported import report_cap
from yuqing.text import normalize_text


def cap(text: str):
    return report_cap(normalize_text(text))


@pytest.mark.parametrize(
    ("text", "level", "why"),
    [
        ("太平湖森林公园一游客走失 民警连夜搜寻安全找回", "low", "reported_resolved"),
        ("弥勒市公安局通报：一男子在湖泉生态园殴打游客，已被行政拘留。", "medium", "reported_resolved"),
        ("红河水乡一名游客不慎落水，景区救生员将其救起，送医后无大碍。", "medium", "reported_resolved"),
        ("弥勒市湖泉生态园暑期夜游项目正式开放，景区增派救生员。", "low", "official_notice"),
        ("弥勒市文旅局开展旅游市场秩序专项整治，查处违规经营行为12起。", "medium", "official_notice"),
        ("弥勒市文化和旅游局发布温馨提示：节日期间请错峰出行。", "low", "official_notice"),
    ],
)
def test_a_report_is_capped_by_what_it_says_happened(text: str, level: str, why: str) -> None:
    found = cap(text)
    assert found is not None and (found.level, found.why) == (level, why)
    assert found.words  # the explanation names the words


@pytest.mark.parametrize(
    "text",
    [
        "湖泉生态园有老人走失，到现在还没找到，求扩散！",  # still live
        "红河水乡有人落水了，快来人，已经救起一个，还有一个在水里！",
        "今日15时许，湖心岛木桥坍塌，多名游客落水，正在全力救援，已救起6人。",
        # a repost chain quotes the live post
        "//@弥勒本地通:湖泉温泉区火情已控制 //@游客:湖泉更衣室着火了，烟特别大",
        "我在可邑小镇被宰了，弥勒市场监管局开展的检查有什么用？",  # a complaint, not a notice
        "湖泉生态园的夜景太美了，推荐大家晚上去。",  # neither
    ],
)
def test_live_cases_complaints_and_ordinary_posts_are_not_capped(text: str) -> None:
    assert cap(text) is None


@pytest.fixture(scope="module")
def scorer():
    from models.cli import SHIPPED
    from models.runtime.scorer import Scorer

    return Scorer.load(SHIPPED, "onnx")


def _decided_as_high(scorer, text: str) -> dict:
    """The scorer's decision on `text` when its level head is sure of `high`."""
    from models.runtime.relevance import calibrated

    normalized = normalize_text(text)
    row = {k: v[0] for k, v in calibrated(scorer.probabilities([normalized]), scorer.th).items()}
    row["level"] = np.array([0.95 if n == "high" else 0.05 / 3 for n in scorer.config.risk_levels])
    return scorer._decide(normalized, row)


def test_the_scorer_caps_a_resolved_report_and_says_why(scorer) -> None:
    report = _decided_as_high(
        scorer,
        "弥勒市公安局通报：11月3日晚，一名游客在太平湖森林公园走失，民警连夜搜寻，次日凌晨将其安全找回。",
    )
    assert report["relevant"] and report["risk"]["level"] == "low"
    assert report["explain"]["report_cap"] == {
        "level": "low",
        "why": "reported_resolved",
        "words": ["安全找回"],
    }
    assert "at most low" in report["explain"]["level_rule"]
    live = _decided_as_high(scorer, "弥勒太平湖森林公园有游客走失，天黑了还没找到，民警在搜山，求扩散！")
    assert live["risk"]["level"] == "high" and "report_cap" not in live["explain"]
