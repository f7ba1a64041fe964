"""公安提示函 drafts: one per event and agency, written by the stream, sent only after a supervisor approves.

The stream creates the draft when an alert whose rule passes problems on (`route: {agencies: true}`) is first
recorded, and refreshes its facts and evidence while it is still a draft (a supervisor's edited wording
stays); an approved, sent or rejected letter is never touched again. The number (弥公提〔YYYY〕N号) is
assigned at approval (dashboards/letters.py), not here.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from yuqing.config import Agency
from yuqing.labels import CATEGORY_NAMES
from yuqing.schema import Alert, Letter

EVIDENCE_KEPT = 10


def letter_id(alert: Alert, agency_key: str) -> str:
    scope = alert.event_id or alert.id
    return f"letter:{hashlib.sha1(f'{scope}|{agency_key}'.encode()).hexdigest()[:20]}"


def _evidence(alert: Alert) -> dict[str, Any] | None:
    ev = alert.evidence
    if not ev.get("post_id"):
        return None
    keys = ("post_id", "url", "source", "author", "published_at", "crawled_at")
    return {k: ev.get(k) for k in keys}


def draft(alert: Alert, agency: Agency, previous: dict[str, Any] | None = None) -> Letter:
    """The draft letter for this alert's event and this agency (merging the evidence of an earlier draft)."""
    place = "、".join(alert.spots) or "弥勒市"
    cats = "、".join(CATEGORY_NAMES.get(str(c), str(c)) for c in alert.categories) or "未分类"
    facts = (
        f"弥勒市公安局涉旅网络舆情预警平台监测到：{place}（属地：{alert.jurisdiction or '未定'}）"
        f"出现涉及{cats}的网络舆情，相关帖文 {max(alert.event_size, alert.similar_count + 1)} 条。"
        f"情况摘要：{alert.summary}"
    )
    evidence = list((previous or {}).get("evidence") or [])
    new = _evidence(alert)
    if new and all(e.get("post_id") != new["post_id"] for e in evidence):
        evidence = [*evidence, new][-EVIDENCE_KEPT:]
    # A supervisor's edits stand: the refresh brings new evidence, never back the stream's own wording.
    edited = {
        k: previous[k]
        for k in ("subject", "facts", "excerpt", "requested_action", "edited_by", "edited_at")
        if previous and previous.get("edited_at") and previous.get(k) is not None
    }
    letter = Letter(
        id=letter_id(alert, agency.key),
        event_id=alert.event_id or alert.id,
        alert_id=alert.id,
        agency=agency.key,
        agency_name=agency.name,
        agency_email=agency.email,
        subject=f"关于{place}{cats}问题的提示函",
        facts=facts,
        excerpt=str(alert.evidence.get("excerpt") or alert.summary),
        evidence=evidence,
        requested_action=f"请{agency.name}依职责对上述情况进行核查处置，并将处置结果反馈弥勒市公安局。",
        spots=alert.spots,
        jurisdiction=alert.jurisdiction,
        categories=alert.categories,
        level=alert.level,
        created_at=(previous or {}).get("created_at") or datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )
    return Letter.model_validate({**letter.model_dump(), **edited}) if edited else letter
