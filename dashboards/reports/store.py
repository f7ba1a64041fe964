"""The `reports` index: each report kept as the data it was built from, the analyst's draft of 研判建议, and
the scheduled e-mail's record.

One document per report and scope (daily-20261206, weekly-2026W49-<station hash>, event-<event id>): making it
again refreshes its data and keeps the draft. Writes that decide something (the notes a person read, the claim
of a send) are guarded by the sequence number read, like the letters (dashboards/letters.py): two senders
cannot both claim one report, and two editors are told about each other.

Exceptions, drawn:

    ReportConflict    another writer changed the report since it was read (a claim taken, notes saved)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from elasticsearch import AsyncElasticsearch, ConflictError, NotFoundError

from dashboards.reports.model import EventReport, Report
from yuqing.es import REPORTS
from yuqing.settings import ElasticsearchSettings

PAGE_SIZE = 25
NOTES_CHARS = 10_000
# A send claimed longer ago than this died with its process (building, printing and mailing take seconds).
SEND_CLAIM = timedelta(minutes=10)


class ReportConflict(Exception):
    """The report changed since it was read."""


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def parse(doc: dict[str, Any]) -> Report | EventReport:
    """The report a stored document holds, with its current draft of 研判建议."""
    data = dict(doc["data"]) | {"notes": doc.get("notes") or ""}
    return EventReport.model_validate(data) if doc.get("kind") == "event" else Report.model_validate(data)


def version_of(doc: dict[str, Any]) -> str:
    return f"{doc['_seq_no']}:{doc['_primary_term']}"


def claim_open(doc: dict[str, Any], now: datetime | None = None) -> bool:
    since = doc.get("sending_at")
    if not since:
        return False
    started = datetime.fromisoformat(str(since).replace("Z", "+00:00"))
    return (now or datetime.now(UTC)) - started < SEND_CLAIM


class ReportStore:
    def __init__(self, es: AsyncElasticsearch, settings: ElasticsearchSettings) -> None:
        self.es, self.index = es, settings.name(REPORTS)

    async def get(self, report_id: str) -> dict[str, Any] | None:
        try:
            doc = await self.es.get(index=self.index, id=report_id)
        except NotFoundError:
            return None
        return doc["_source"] | {"_seq_no": doc["_seq_no"], "_primary_term": doc["_primary_term"]}

    async def save(self, report: Report | EventReport, user: str) -> dict[str, Any]:
        """Keep the report's data (a new one, or the same report made again: its draft notes stay)."""
        data = report.model_dump(mode="json", exclude={"notes"})
        fields = {
            "id": report.id,
            "kind": report.kind,
            "title": report.title,
            "data": data,
            "generated_at": data["generated_at"],
            "generated_by": user,
            "key": report.event_id if isinstance(report, EventReport) else report.id.split("-")[1],
            "event_id": report.event_id if isinstance(report, EventReport) else None,
            "station": report.station,
            "start": None if isinstance(report, EventReport) else data["start"],
            "end": None if isinstance(report, EventReport) else data["end"],
            "period_label": "" if isinstance(report, EventReport) else report.period_label,
        }
        if report.notes:  # notes given with the request (the CLI's --notes) replace the draft
            fields |= {"notes": report.notes, "notes_by": user, "notes_at": now_iso()}
        await self.es.update(
            index=self.index,
            id=report.id,
            doc=fields,
            doc_as_upsert=True,
            refresh="wait_for",
            retry_on_conflict=3,
        )
        return await self.get(report.id) or {}

    async def update(
        self, doc: dict[str, Any], changes: dict[str, Any], version: str | None = None
    ) -> dict[str, Any]:
        """Write `changes` if the report is still as read (at `version`, "seq_no:term", when a person read
        it on a page); ReportConflict otherwise."""
        seq, term = doc["_seq_no"], doc["_primary_term"]
        if version:
            try:
                seq, term = (int(part) for part in version.split(":"))
            except ValueError as exc:
                raise ReportConflict(doc["id"]) from exc
        try:
            resp = await self.es.update(
                index=self.index,
                id=doc["id"],
                doc=changes,
                if_seq_no=seq,
                if_primary_term=term,
                refresh="wait_for",
            )
        except ConflictError as exc:
            raise ReportConflict(doc["id"]) from exc
        return doc | changes | {"_seq_no": resp["_seq_no"], "_primary_term": resp["_primary_term"]}

    async def set_notes(
        self, doc: dict[str, Any], notes: str, user: str, version: str | None = None
    ) -> dict[str, Any]:
        return await self.update(doc, {"notes": notes, "notes_by": user, "notes_at": now_iso()}, version)

    async def list(
        self, kind: str | None = None, page: int = 1, size: int = PAGE_SIZE, station: str | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """One page of reports, the newest made first (without their data)."""
        # A report being claimed for its first send has no data yet: it is listed once it has.
        filters: list[dict[str, Any]] = [{"exists": {"field": "generated_at"}}]
        if kind:
            filters.append({"term": {"kind": kind}})
        if station:
            filters.append({"term": {"station": station}})
        resp = await self.es.search(
            index=self.index,
            query={"bool": {"filter": filters}},
            size=size,
            from_=(page - 1) * size,
            sort=[{"generated_at": "desc"}, {"id": "asc"}],
            source_excludes=["data"],
            track_total_hits=True,
            ignore_unavailable=True,
        )
        return resp["hits"]["total"]["value"], [h["_source"] for h in resp["hits"]["hits"]]
