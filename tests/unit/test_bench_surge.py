"""`yuqing bench surge` without services: the scenario it builds (counts, rates, spots, texts from the data
file) and how it reads and prints its figures."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from bench.surge_bench import (
    DATA,
    FULL,
    QUICK,
    Figures,
    Row,
    alerts_about,
    build,
    copies_posts,
    emergency_figures,
    format_table,
    labelled_background,
    load_texts,
    missing_posts,
    pct,
    rows,
    thread_posts,
)
from yuqing.schema import Post

TEXTS = load_texts()
INCIDENT_SPOT = TEXTS["incident"]["spot"]


def _by_kind(plan) -> dict[str, list]:
    out: dict[str, list] = {}
    for p in plan:
        out.setdefault(p.kind, []).append(p)
    return out


@pytest.mark.parametrize("shape", [FULL, QUICK], ids=["full", "quick"])
def test_counts_and_rates(shape) -> None:
    plan = build(TEXTS, shape)
    kinds = _by_kind(plan)
    assert len(kinds["incident"]) == 1 and kinds["incident"][0].at == shape.lead_s
    assert len(kinds["repost"]) + len(kinds["comment"]) == shape.burst_rate * shape.burst_s
    assert abs(len(kinds["repost"]) - len(kinds["comment"])) <= 1
    assert len(kinds["background"]) == shape.background_rate * shape.total_s
    assert [p.at - shape.lead_s for p in kinds["emergency"]] == list(shape.emergencies_at)
    assert [p.at for p in plan] == sorted(p.at for p in plan)
    # any whole second inside the burst carries the burst rate plus the background rate
    second = Counter(int(p.at) for p in plan if p.kind != "emergency")
    middle = int(shape.lead_s) + shape.burst_s // 2
    assert second[middle] == shape.burst_rate + shape.background_rate
    assert second[int(shape.lead_s) - 1] == shape.background_rate
    assert len({p.post_id for p in plan}) == len(plan)  # every post its own id


def test_quick_is_smaller() -> None:
    assert (QUICK.burst_rate, QUICK.burst_s, len(QUICK.emergencies_at)) == (50, 10, 2)
    assert (FULL.burst_rate, FULL.burst_s, FULL.background_rate) == (150, 40, 20)
    assert FULL.emergencies_at == (5, 12, 20, 28, 35)


def test_every_post_is_valid_input() -> None:
    for p in build(TEXTS, QUICK):
        Post.parse(p.post)


def test_emergencies_are_at_other_spots_and_from_the_data_file() -> None:
    plan = build(TEXTS, FULL)
    emergencies = _by_kind(plan)["emergency"]
    data = {e["text"]: e["spot"] for e in TEXTS["emergencies"]}
    assert len(emergencies) == 5
    spots = [data[p.post["text"]] for p in emergencies]
    assert len(set(spots)) == 5 and INCIDENT_SPOT not in spots
    assert all("湖泉" not in p.post["text"] and "游船" not in p.post["text"] for p in emergencies)
    assert all(spot in p.post["text"] for spot, p in zip(spots, emergencies, strict=True))


def test_texts_come_from_the_data_file() -> None:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    background = {t for kind in raw["background"].values() for t in kind}
    background |= {text for _, text in labelled_background()}
    tails = sorted(raw["tails"], key=len, reverse=True)
    comments, reasons = raw["incident"]["comments"], raw["incident"]["repost_reasons"]
    first = raw["incident"]["first"]

    def without_tail(text: str) -> str:
        return next((text.removesuffix(t) for t in tails if t and text.endswith(t)), text)

    kinds = _by_kind(build(TEXTS, FULL))
    assert kinds["incident"][0].post["text"] == first
    assert all(p.post["text"] in background or without_tail(p.post["text"]) in background
               for p in kinds["background"])  # fmt: skip
    assert all(without_tail(p.post["text"]) in comments or p.post["text"] in comments
               for p in kinds["comment"])  # fmt: skip
    for p in kinds["repost"]:
        assert p.post["text"].endswith(f"//@{raw['incident']['author']}:{first}")
        reason = p.post["text"].split("//@", 1)[0]
        assert reason in reasons or without_tail(reason) in reasons
    # the incident is talked about with the spot's name and without it
    said = {p.post["text"] for p in kinds["comment"]}
    assert any(INCIDENT_SPOT in t for t in said) and any(INCIDENT_SPOT not in t and "湖泉" in t for t in said)
    assert any("湖泉" not in t and "游船" in t for t in said)
    assert len(set(comments)) >= 40
    # background posts are ordinary: the data file's own (no incident words in them) and labelled none/low
    own = {t for kind in raw["background"].values() for t in kind}
    assert any(p.post["text"] in own for p in kinds["background"])
    assert not any(w in t for t in own for w in ("翻了", "落水", "救命", "救护车", "游船"))


def test_links_name_the_first_post_in_the_same_source() -> None:
    kinds = _by_kind(build(TEXTS, FULL))
    first = kinds["incident"][0].post
    ids = {p.post["source_id"] for p in kinds["repost"]} | {first["source_id"]}
    linked = [p.post for p in kinds["repost"] + kinds["comment"] if p.post.get("parent_id")]
    assert 0.3 < len(linked) / (len(kinds["repost"]) + len(kinds["comment"])) < 0.6
    assert all(p["source"] == first["source"] and p["parent_id"] in ids for p in linked)
    assert all(p.get("root_id", first["source_id"]) == first["source_id"] for p in linked)
    under = [p for p in linked if p.get("parent_text")]
    assert under and all(p["parent_text"] == first["text"] and p["thread_id"] == "inc-0" for p in under)
    reposts_of_reposts = [p for p in linked if p["parent_id"] != first["source_id"]]
    assert reposts_of_reposts and all(p["text"].count("//@") == 2 for p in reposts_of_reposts)


def test_the_same_seed_gives_the_same_scenario() -> None:
    assert [p.post for p in build(TEXTS, QUICK)] == [p.post for p in build(TEXTS, QUICK)]


def test_a_thin_data_file_is_refused(tmp_path: Path) -> None:
    raw = yaml.safe_load(DATA.read_text(encoding="utf-8"))
    raw["incident"]["comments"] = raw["incident"]["comments"][:10]
    path = tmp_path / "surge.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match=r"incident\.comments"):
        load_texts(path)


def test_extras() -> None:
    copies = copies_posts(TEXTS)
    assert len({p["text"] for p in copies}) == 1 and len({p["author"] for p in copies}) == 3
    assert len({p["source_id"] for p in copies}) == 3
    first, notice = missing_posts(TEXTS)
    assert "太平湖森林公园" in first["text"] and "走失游客已于昨晚被民警安全找回" in notice["text"]
    opening, *replies = thread_posts(TEXTS)
    assert "宰客" in opening["text"] and "红河水乡" in opening["text"] and len(replies) == 3
    assert all(r["thread_id"] == r["parent_id"] == opening["source_id"] for r in replies)
    assert all(r["parent_text"] == opening["text"] for r in replies)
    for p in [*copies, first, notice, opening, *replies]:
        Post.parse(p)


def test_alerts_about_matches_posts_evidence_and_events() -> None:
    alerts = [
        {"id": "a1", "post_ids": ["s:1"], "event_id": "e9"},
        {"id": "a2", "post_ids": [], "evidence": {"post_id": "s:2"}},
        {"id": "a3", "post_ids": ["s:3"], "event_id": "e1"},
        {"id": "a4", "post_ids": ["s:4"], "event_id": None},
    ]
    assert [a["id"] for a in alerts_about(alerts, {"s:1", "s:2"}, {"e1"})] == ["a1", "a2", "a3"]
    assert alerts_about(alerts, set(), set()) == []


def test_emergency_figures() -> None:
    def at(t: float) -> str:
        return datetime.fromtimestamp(t, UTC).isoformat()

    produced = {"w:e0": 100.0, "w:e1": 200.0, "w:e2": 300.0, "w:e3": 400.0}
    about = {
        "w:e0": [{"id": "x0", "raised_at": at(101)}],
        "w:e1": [{"id": "inc", "raised_at": at(150)}, {"id": "shared", "raised_at": at(301)}],
        "w:e2": [{"id": "shared", "raised_at": at(301)}, {"id": "x2", "raised_at": at(302)}],
        # put into an older event: that event's alert, raised before, is not its own; its update e-mail counts
        "w:e3": [{"id": "old", "raised_at": at(10), "evidence": {"post_id": "w:bg-1"}}],
    }
    mails = [
        (103.5, "x0", "w:e0"), (104.0, "x0", "w:e0"), (310.0, "x2", None),
        (250.0, "inc", "w:e1"),  # the incident's e-mail naming e1 as evidence: e1 is mailed
        (20.0, "old", "w:bg-1"), (409.0, "old", "w:bg-1"),
    ]  # fmt: skip
    mail_s, own, distinct = emergency_figures(produced, about, {"inc"}, mails)
    assert mail_s == [3.5, 50.0, 10.0, 9.0]
    assert own == 2 and distinct == 3  # e0 (x0) and e2 (x2); e1 only shares "shared"; e3 none


def test_percentile_is_nearest_rank() -> None:
    assert pct([11.6, 12.9, 22.3, 28.2, 30.5], 0.95) == 30.5
    assert pct([1.0, 2.0], 0.5) == 1.0 and pct([], 0.95) is None


def test_table() -> None:
    figures = Figures(
        incident_alerts=1, incident_mails=2, mail_s=[1.2, None, 3.4], own_alerts=2, distinct_alerts=2,
        emergencies=3, index_s=None, indexed=90, produced=100, dlq=0,
    )  # fmt: skip
    table = format_table(rows(figures, QUICK)).splitlines()
    assert table[0] == "| measure | before | now | goal |" and table[1] == "| --- | --- | --- | --- |"
    assert "| alerts for the incident | 7 | 1 | 1 |" in table
    assert "| e-mails about the incident | 6 | 2 | ≤ 3 |" in table
    assert any("11.6, 12.9, 22.3, 28.2, 30.5 | 1.2, not mailed, 3.4 | all mailed" in line for line in table)
    assert any("| 30.5 | 3.4 (1 not mailed) | ≤ 5 |" in line for line in table)
    assert any("2 of 3 (2 distinct alerts) | 3 distinct |" in line for line in table)
    assert any("not within 120 (90 of 100 held) | ≤ 30 |" in line for line in table)
    assert "| records on posts.dlq | 103 | 0 | 0 |" in table
    assert format_table([Row("m", "b", "n", "g")]).splitlines()[-1] == "| m | b | n | g |"


def test_background_does_not_repeat_a_text_in_a_full_run() -> None:
    texts = [p.post["text"] for p in build(TEXTS, FULL) if p.kind == "background"]
    assert len(set(texts)) == len(texts)
    assert all(level in ("none", "low") for level in _labelled_levels(set(texts)))


def _labelled_levels(texts: set[str]) -> list[str]:
    import json

    from models.data import __path__ as data_path

    with Path(data_path[0], "tourism_posts.jsonl").open(encoding="utf-8") as fh:
        return [row["level"] for row in map(json.loads, fh) if row["text"] in texts]
