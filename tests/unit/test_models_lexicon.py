"""The risk lexicon a deployment edits (config/lexicon.yaml): it loads, a mistake names the file and the key,
and an edit takes effect."""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from models.runtime.lexicon import LEXICON_FILE, load_lexicon, risk_terms
from models.runtime.reported import report_cap
from yuqing.errors import ConfigError
from yuqing.schema import RiskCategory
from yuqing.settings import DEFAULT_CONFIG_DIR


@pytest.fixture
def conf(tmp_path: Path, monkeypatch) -> Path:
    """A copy of the shipped config folder, made the deployment's (YUQING_CONFIG_DIR)."""
    folder = tmp_path / "config"
    shutil.copytree(DEFAULT_CONFIG_DIR, folder)
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(folder))
    return folder


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _error(conf: Path) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load_lexicon(conf)
    assert info.value.file == str(conf / LEXICON_FILE)
    return info.value


def test_the_shipped_lexicon_loads_with_every_category() -> None:
    lexicon = load_lexicon(DEFAULT_CONFIG_DIR)
    assert [name for name, _ in lexicon.risk_terms] == [str(c) for c in RiskCategory]
    assert all(terms for _, terms in lexicon.risk_terms)
    assert "120" in lexicon.risk_terms.safety and "[求救]" in lexicon.urgent  # quoted in the file
    assert "安全找回" in lexicon.reports.resolved and "走失" in lexicon.reports.missing


def test_terms_are_found_in_normalised_text() -> None:
    found = risk_terms("弥勒湖泉刚刚有人落水了，已经打了120")
    assert found["safety"] == ["落水", "120"] and "刚刚" in found["urgent"]
    assert "safety" not in risk_terms("门票1200元")  # a number only standing alone


def test_a_number_left_unquoted_names_its_place(conf: Path) -> None:
    _edit(conf / LEXICON_FILE, '救护车, "120",', "救护车, 120,")
    err = _error(conf)
    assert err.key.startswith("risk_terms.safety.") and "quotes" in err.message


def test_a_misspelt_category_is_named(conf: Path) -> None:
    _edit(conf / LEXICON_FILE, "  police: [", "  polise: [")
    err = _error(conf)
    assert (err.key, err.message) == ("risk_terms.police", "Field required")


def test_a_missing_report_list_is_named(conf: Path) -> None:
    text = (conf / LEXICON_FILE).read_text(encoding="utf-8")
    kept = [line for line in text.splitlines() if not line.startswith("  complaint:")]
    (conf / LEXICON_FILE).write_text("\n".join(kept) + "\n", encoding="utf-8")
    err = _error(conf)
    assert (err.key, err.message) == ("reports.complaint", "Field required")


def test_an_empty_word_is_refused(conf: Path) -> None:
    _edit(conf / LEXICON_FILE, "urgent: [正在,", 'urgent: ["", 正在,')
    err = _error(conf)
    assert err.key == "urgent.0" and "empty" in err.message


def test_a_yaml_syntax_error_names_the_line(conf: Path) -> None:
    _edit(conf / LEXICON_FILE, "urgent: [正在,", "urgent: [[正在,")
    err = _error(conf)
    assert err.key.startswith("line ") and "invalid YAML" in err.message


def test_a_deployment_edit_takes_effect(conf: Path, monkeypatch) -> None:
    text = "弥勒红河水乡有人玩滑板摔了"
    _edit(conf / LEXICON_FILE, "  safety: [溺水,", "  safety: [玩滑板, 溺水,")
    assert risk_terms(text)["safety"] == ["玩滑板"]
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(DEFAULT_CONFIG_DIR))
    assert "safety" not in risk_terms(text)


def test_an_emptied_list_matches_nothing(conf: Path) -> None:
    text = (conf / LEXICON_FILE).read_text(encoding="utf-8")
    start = text.index("  police: [")
    end = text.index("\n  environment:")
    (conf / LEXICON_FILE).write_text(text[:start] + "  police: []" + text[end:], encoding="utf-8")
    assert "police" not in risk_terms("民警来了，派出所也来了")
    assert "safety" in risk_terms("有人落水")


def test_report_words_come_from_the_file(conf: Path, monkeypatch) -> None:
    text = "弥勒太平湖一名走失游客已平安回到酒店"
    _edit(conf / LEXICON_FILE, "  resolved: [", "  resolved: [平安回到, ")
    cap = report_cap(text)
    assert cap is not None and cap.level == "low" and "平安回到" in cap.words
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(DEFAULT_CONFIG_DIR))
    assert report_cap(text) is None


def test_a_config_folder_without_the_file_uses_the_checkouts(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("YUQING_CONFIG_DIR", str(tmp_path))
    assert load_lexicon(tmp_path) == load_lexicon(DEFAULT_CONFIG_DIR)
    assert risk_terms("有人落水")["safety"] == ["落水"]


def test_the_scorer_refuses_a_broken_lexicon_when_built(conf: Path) -> None:
    from models.runtime.scorer import Scorer

    _edit(conf / LEXICON_FILE, "  traffic: [", "  traffic: {")
    runtime = SimpleNamespace(config=SimpleNamespace(max_position_embeddings=256))
    with pytest.raises(ConfigError) as info:
        Scorer(runtime, tokenizer=None)
    assert info.value.file == str(conf / LEXICON_FILE)
