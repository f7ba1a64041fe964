"""The post page's pieces without services: corrections merged by version, their history worded, the
scorer's explain in Chinese, and the search words marked in escaped text."""

from __future__ import annotations

import pytest

from dashboards.corrections import CorrectionError, CorrectionIn, history, plan, state_at
from dashboards.explain import explain_panel
from dashboards.highlight import mark
from dashboards.labels import rule_text

POST = {"relevant": True, "spots": ["湖泉生态园"], "sentiment": {"label": "neg", "score": 0.9},
        "risk": {"level": "high", "score": 0.9, "categories": ["safety"]}}  # fmt: skip

# What models/runtime/scorer.py `_decide` writes (values from a real run, shortened).
EXPLAIN = {
    "place": {"spots": ["湖泉生态园"], "candidate_spots": [], "aliases": {"湖泉生态园": ["湖泉"]},
              "city": ["弥勒"], "districts": [], "decoys": ["弥勒佛"], "elsewhere": []},
    "relevance_rule": "Mile named; model p=0.97 vs 0.50",
    "level_rule": "P(high)=0.91 ≥ 0.60 with incident evidence",
    "risk_terms": {"safety": ["溺水"], "urgent": ["救命"]},
    "probabilities": {"relevance": 0.97, "sentiment": {"neg": 0.8, "neu": 0.15, "pos": 0.05},
                      "level": {"none": 0.01, "low": 0.03, "medium": 0.05, "high": 0.91},
                      "categories": {"safety": 0.93, "traffic": 0.02}},
    "thresholds": {"relevance": 0.5, "high": 0.6},
    "runtime": "onnxruntime",
}  # fmt: skip


def fields(**values) -> dict:
    return CorrectionIn.model_validate({"post_id": "p", **values}).fields()


def saved(doc: dict | None, changes: dict, by: str = "ana") -> dict:
    """The document after a save that made `changes` (as Corrections.save writes it)."""
    doc = dict(doc or {})
    at = "2026-12-07T05:00:00+00:00"
    versions = doc.get("versions", [])
    versions = [*versions, {"version": len(versions) + 1, "by": by, "at": at, "changes": changes}]
    doc.update({k: c["to"] for k, c in changes.items()})
    return doc | {"versions": versions, "version": len(versions), "by": by}


def test_not_changing_a_field_keeps_the_earlier_correction() -> None:
    first = plan(POST, None, fields(level="low", categories=["consumer"], note="门票贵"), 0)
    assert first["level"] == {"from": "high", "to": "low"} and first["note"]["to"] == "门票贵"
    doc = saved(None, first)
    # The form's 不改 sends "" (None): nothing is cleared; a field sent as shown changes nothing either.
    second = plan(POST, doc, fields(level="", sentiment="neu", categories=["consumer"]), 1)
    assert second == {"sentiment": {"from": "neg", "to": "neu"}}
    doc = saved(doc, second, by="bo")
    assert doc["level"] == "low" and doc["note"] == "门票贵" and doc["sentiment"] == "neu"
    assert plan(POST, doc, fields(level="low", sentiment="neu", note="门票贵"), 2) == {}


def test_a_colleagues_save_in_between_is_not_undone() -> None:
    doc = saved(None, plan(POST, None, fields(note="先看"), 0))
    # ana (version 2) and bo both opened the page at version 1; ana saved first.
    doc = saved(doc, plan(POST, doc, fields(level="medium", categories=["safety"]), 1))
    # bo's form still shows level 高: sent unchanged, it must not put 高 back over ana's 中.
    bo = plan(POST, doc, fields(level="high", categories=["safety"], note="已核实"), 1)
    assert bo == {"note": {"from": "先看", "to": "已核实"}}
    assert state_at(doc, 1)["note"] == "先看" and "level" not in state_at(doc, 1)


def test_a_correction_saved_before_versions_is_the_starting_point() -> None:
    legacy = {"post_id": "p", "level": "low", "categories": ["consumer"], "by": "old", "at": "2026-12-01"}
    assert history(legacy) == [] and state_at(legacy, 0) == legacy
    change = plan(POST, legacy, fields(level="low", categories=["consumer"], note="补充"), 0)
    assert change == {"note": {"from": None, "to": "补充"}}


def test_labelling_rules_on_the_merged_result() -> None:
    # Level set to none with the shown boxes left ticked: the categories follow.
    assert plan(POST, None, fields(level="none", categories=["safety"]), 0)["categories"]["to"] == []
    # An irrelevant post loses level, categories and spots, whatever the form still showed.
    gone = plan(POST, None, fields(relevant="false", level="high", categories=["safety"]), 0)
    assert gone["level"]["to"] == "none" and gone["spots"]["to"] == [] and gone["relevant"]["to"] is False
    with pytest.raises(CorrectionError, match="不涉旅"):
        plan(POST, None, fields(relevant="false", level="low"), 0)
    with pytest.raises(CorrectionError, match="至少选一个风险类别"):
        plan(POST, None, fields(categories=[""]), 0)


def test_history_is_newest_first_in_words() -> None:
    doc = saved(None, plan(POST, None, fields(level="low", categories=["consumer"], note="门票"), 0))
    doc = saved(doc, plan(POST, doc, fields(relevant="false"), 1), by="bo")
    rows = history(doc)
    assert [r["version"] for r in rows] == [2, 1] and rows[0]["by"] == "bo"
    assert {"field": "风险等级", "from": "高", "to": "低"} in rows[1]["changes"]
    assert {"field": "风险类别", "from": "安全事故", "to": "消费纠纷"} in rows[1]["changes"]
    assert rows[1]["note"] == "门票" and {"field": "涉旅相关", "from": "是", "to": "否"} in rows[0]["changes"]
    assert history(None) == []


def test_explain_panel_is_chinese_and_keeps_no_english_key() -> None:
    sections = explain_panel(EXPLAIN)
    text = repr(sections)
    for key in ("relevance_rule", "level_rule", "risk_terms", "probabilities", "candidate_spots", "Mile"):
        assert key not in text, key
    titles = [s["title"] for s in sections]
    assert titles[:5] == ["涉旅判定", "风险定级", "命中的风险词", "地名识别", "模型概率"]
    assert sections[0]["text"] == "提及弥勒地名；模型相关概率 0.97，阈值 0.50"
    assert sections[1]["text"] == "高风险概率 0.91 达到阈值 0.60，且文中有事件词"
    assert ("安全事故", "溺水") in sections[2]["rows"] and ("紧急", "救命") in sections[2]["rows"]
    assert ("景区别名", "湖泉生态园（湖泉）") in sections[3]["rows"]
    assert ("风险等级", "高 91%，中 5%，低 3%，无 1%") in sections[4]["rows"]
    assert explain_panel({}) == [] and explain_panel(None) == []


@pytest.mark.parametrize(
    ("rule", "zh"),
    [
        ("no Mile place named (decoy: 弥勒佛)", "未提及弥勒地名（已排除干扰词：弥勒佛），判为不相关"),
        ("also names 大理; model p=0.70 vs stricter 0.80",
         "同时提到外地（大理）；模型相关概率 0.70，从严阈值 0.80"),
        ("P(high)=0.75 but reads as praise (P(pos)=0.66)",
         "高风险概率 0.75，但通篇是称赞（正面概率 0.66），不定为高"),
        ("P(high)=0.20 < 0.60", "高风险概率 0.20 低于阈值 0.60"),
        ("not relevant", "不涉旅，不定级"),
        ("a rule added later", "a rule added later"),
    ],
)  # fmt: skip
def test_rule_sentences_in_chinese(rule: str, zh: str) -> None:
    assert rule_text(rule) == zh


def test_highlight_escapes_text_and_query_alike() -> None:
    text = '湖泉有人溺水<script>alert("x")</script> & 湖泉'
    marked = str(mark(text, ["湖泉", "<script>"]))
    assert marked.count("<mark>湖泉</mark>") == 2
    assert "<mark>&lt;script&gt;</mark>" in marked and "<script>" not in marked and "&amp;" in marked
    # Matching runs on the raw text: a word that only occurs in an escape sequence marks nothing.
    assert "<mark>" not in str(mark("a < b", ["lt"]))
    assert str(mark("<b>", [])) == "&lt;b&gt;" and str(mark(None, ["x"])) == ""
