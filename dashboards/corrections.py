"""Analysts' corrections of the model's judgement, with their history, and the false-alarm marks the alert
console leaves on an alert's evidence post.

One document per post: its top-level fields are the labels as corrected now (what search, the post page and
`yuqing feedback export` read with one get), and `versions` lists every save, oldest first (who, when, what
changed from what). One document rather than one per version, because every reader wants the current labels
of many posts at once (an mget) and a post gathers a handful of versions at most. Each save is a
read-merge-write guarded by the document's sequence number: a colleague's save in between makes the write
fail, and it is merged again onto theirs, so neither version is lost.

A save carries the fields the analyst set (None, the form's "不改", leaves a field as it is) and the version
the form showed (`base_version`); only what differs from that version is applied, so a field the analyst
left as shown never undoes a colleague's change made meanwhile. A save that changes nothing adds no version.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError
from pydantic import BaseModel, ConfigDict, Field, field_validator

from dashboards.labels import label, value_text
from dashboards.messages import say
from dashboards.search import apply_correction
from yuqing.es import ALERTS
from yuqing.schema import RiskCategory, RiskLevel, SentimentLabel
from yuqing.settings import ElasticsearchSettings
from yuqing.webstore import CORRECTIONS

FIELDS = ("relevant", "spots", "level", "categories", "sentiment", "note")
RETRIES = 8


class CorrectionError(ValueError):
    """A correction that cannot be saved; the message is for the analyst, `status` the HTTP status."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class CorrectionIn(BaseModel):
    """What an analyst may correct; a field left out (or "不改") keeps its current label."""

    model_config = ConfigDict(extra="ignore")

    post_id: str = Field(min_length=1, max_length=400)
    relevant: bool | None = None
    spots: list[str] | None = None
    level: RiskLevel | None = None
    categories: list[RiskCategory] | None = None
    sentiment: SentimentLabel | None = None
    note: str | None = Field(None, max_length=2000)
    base_version: int | None = Field(None, ge=0)

    @field_validator("relevant", "level", "sentiment", "note", "base_version", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip()
        return None if value == "" else value

    @field_validator("spots", "categories", mode="before")
    @classmethod
    def _listify(cls, value: Any) -> Any:
        if value is None:
            return None
        values = [value] if isinstance(value, str) else value
        # Forms send an empty `categories`/`spots` beside the boxes, so none ticked means an empty list.
        return [v for v in values if v != ""] if isinstance(values, list) else values

    def check(self, spots: list[str]) -> None:
        unknown = [s for s in self.spots or [] if s not in spots]
        if unknown:
            raise CorrectionError(say("correction_unknown_spots", spots="、".join(unknown)))

    def fields(self) -> dict[str, Any]:
        """The fields the analyst set, as stored (enums as their values)."""
        data = self.model_dump(mode="json", include=set(FIELDS))
        return {k: v for k, v in data.items() if v is not None}


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(a) == sorted(b)
    return a == b


def shown_labels(post: dict[str, Any], doc: dict[str, Any] | None) -> dict[str, Any]:
    """The labels the post page shows for this correction state (the model's where nothing is corrected)."""
    shown = apply_correction(post, doc)
    risk, sentiment = shown.get("risk") or {}, shown.get("sentiment") or {}
    return {
        "relevant": bool(shown.get("relevant")),
        "spots": list(shown.get("spots") or []),
        "level": risk.get("level") or "none",
        "categories": list(risk.get("categories") or []),
        "sentiment": sentiment.get("label"),
        "note": (doc or {}).get("note"),
    }


def state_at(doc: dict[str, Any], version: int) -> dict[str, Any]:
    """The correction as it stood after `version` (0: before any), from the versions list."""
    versions = doc.get("versions") or []
    if version >= len(versions):
        return doc
    state = {k: v for k, v in doc.items() if k not in FIELDS}
    for entry in versions[:version]:
        state.update({k: change["to"] for k, change in entry["changes"].items()})
    return state


def plan(
    post: dict[str, Any], doc: dict[str, Any] | None, wanted: dict[str, Any], base: int | None
) -> dict[str, dict[str, Any]]:
    """What a save changes, field → {from, to} against the current labels; CorrectionError if the result
    breaks the labelling rule of models/data/README.md (level none exactly when there is no category; an
    irrelevant post has level none, no category, no spot)."""
    doc = doc or {}
    current = shown_labels(post, doc)
    seen = current if base is None else shown_labels(post, state_at(doc, base))
    mine = {k: v for k, v in wanted.items() if not _same(v, seen.get(k))}
    result = current | mine
    if "level" in mine or "categories" in mine:
        asked = seen | wanted  # what the form showed, with the analyst's edits
        # Categories the analyst left as the form showed them follow a level set to none.
        if asked["level"] == "none" and "categories" not in (wanted if base is None else mine):
            mine["categories"] = result["categories"] = []
        elif (asked["level"] == "none") != (not asked["categories"]):
            if asked["level"] != "none":
                raise CorrectionError(say("correction_level_needs_category"))
            raise CorrectionError(say("correction_none_no_category"))
    if not result["relevant"]:
        if mine.get("level", "none") != "none":
            raise CorrectionError(say("correction_irrelevant_level"))
        mine |= {"level": "none", "categories": [], "spots": []}
    return {k: {"from": current.get(k), "to": v} for k, v in mine.items() if not _same(v, current.get(k))}


class Corrections:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index, self.alerts = es, settings.name(CORRECTIONS), settings.name(ALERTS)

    async def _read(self, post_id: str) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        resp = await self.es.options(ignore_status=404).get(index=self.index, id=post_id)
        if not resp.get("found"):
            return None, {}
        return resp["_source"], {"if_seq_no": resp["_seq_no"], "if_primary_term": resp["_primary_term"]}

    async def save(
        self, post: dict[str, Any], correction: CorrectionIn, by: str
    ) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """(the correction now, the version this save added or None if it changed nothing)."""
        for _ in range(RETRIES):
            doc, guard = await self._read(correction.post_id)
            changes = plan(post, doc, correction.fields(), correction.base_version)
            if not changes:
                return doc or {}, None
            doc = dict(doc or {"post_id": correction.post_id})
            versions = list(doc.get("versions") or [])
            entry = {
                "version": len(versions) + 1,
                "by": by,
                "at": datetime.now(UTC).isoformat(),
                "changes": changes,
            }
            doc.update({k: c["to"] for k, c in changes.items()})
            doc.update(by=by, at=entry["at"], version=entry["version"], versions=[*versions, entry])
            try:
                await self.es.index(
                    index=self.index,
                    id=correction.post_id,
                    document=doc,
                    refresh="wait_for",
                    **(guard or {"op_type": "create"}),
                )
            except ConflictError:
                await asyncio.sleep(0.01)  # a colleague saved meanwhile: merge onto theirs
                continue
            return doc, entry
        raise CorrectionError(say("correction_busy"), 409)

    async def mark_false_alarm(self, post_id: str, alert_id: str, by: str, note: str | None) -> None:
        """Keep an analyst's own correction if there is one; else record that this post should not alert.

        (`note`, the reason, stays on the alert, where the post page reads it with who and when.)
        """
        now = datetime.now(UTC).isoformat()
        await self.es.update(
            index=self.index,
            id=post_id,
            doc={"false_alarm": True, "alert_id": alert_id},
            upsert={"post_id": post_id, "false_alarm": True, "alert_id": alert_id, "by": by, "at": now},
            retry_on_conflict=RETRIES,
            refresh="wait_for",
        )

    async def clear_false_alarm(self, post_id: str, alert_id: str) -> None:
        """The alert was reopened: the post is no longer marked by it. Only the mark this alert left is
        taken back (another alert's mark stays), and an analyst's own labels stay as they are."""
        for _ in range(RETRIES):
            doc, guard = await self._read(post_id)
            if not doc or not doc.get("false_alarm") or doc.get("alert_id") != alert_id:
                return
            try:
                await self.es.update(
                    index=self.index,
                    id=post_id,
                    doc={"false_alarm": False, "alert_id": None},
                    refresh="wait_for",
                    **guard,
                )
                return
            except ConflictError:
                await asyncio.sleep(0.01)  # a save in between: read again
        raise CorrectionError(say("false_alarm_busy"), 409)

    async def get(self, post_id: str) -> dict[str, Any] | None:
        return (await self._read(post_id))[0]

    async def false_alarms(self, post_id: str, event_id: str | None) -> list[dict[str, Any]]:
        """The alerts on this post (or its event) that the console closed as false alarms, newest first:
        id, who, when, why (read from the alerts index, which the console owns)."""
        either = [{"term": {"post_ids": post_id}}] + ([{"term": {"event_id": event_id}}] if event_id else [])
        resp = await self.es.search(
            index=self.alerts,
            query={
                "bool": {
                    "filter": [{"term": {"status": "false_alarm"}}],
                    "should": either,
                    "minimum_should_match": 1,
                }
            },
            sort=[{"resolved_at": {"order": "desc", "missing": "_last"}}],
            size=10,
            source_includes=["id", "resolved_by", "resolved_at", "note", "summary"],
            ignore_unavailable=True,
        )
        return [h["_source"] for h in resp["hits"]["hits"]]


def history(doc: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The versions newest first, each with its changes worded for the page (field, from, to)."""
    out = []
    for entry in reversed((doc or {}).get("versions") or []):
        changes = [
            {"field": label(k), "from": value_text(k, c.get("from")), "to": value_text(k, c.get("to"))}
            for k, c in entry.get("changes", {}).items()
            if k != "note"
        ]
        note = (entry.get("changes", {}).get("note") or {}).get("to")
        out.append({"version": entry.get("version"), "by": entry.get("by"), "at": entry.get("at"),
                    "changes": changes, "note": note})  # fmt: skip
    return out
