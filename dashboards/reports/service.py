"""What the web app does with reports, as one store on `Services` (routes never hold the Elasticsearch
client): make a 日报/周报 or a 专报 and keep it, read one back with its draft, list them, save the draft of
研判建议 under the version the person read, print one as PDF, DOCX or HTML.

Exceptions, drawn:

    ReportError         what cannot be done (the HTTP status to answer with it)
    (event.py)          EventNotFound: no event has the id
    (store.py)          ReportConflict: a colleague saved since the page was read
    (dashboards.pdf)    FontMissing / PdfError: the PDF cannot be printed
"""

from __future__ import annotations

from datetime import date
from typing import Any

from elasticsearch import AsyncElasticsearch

from dashboards.messages import say
from dashboards.reports.build import build_report
from dashboards.reports.documents import FORMATS, Document, Format, document
from dashboards.reports.event import build_event_report
from dashboards.reports.model import EventReport, Report
from dashboards.reports.periods import Kind
from dashboards.reports.store import NOTES_CHARS, ReportStore, parse
from yuqing.settings import Settings


class ReportError(Exception):
    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.status = status


class Reports:
    def __init__(self, es: AsyncElasticsearch, settings: Settings) -> None:
        self.es, self.settings, self.store = es, settings, ReportStore(es, settings.es)

    async def make(self, kind: Kind, day: date | None, station: str | None, user: str) -> dict[str, Any]:
        """Build the 日报/周报 and keep it (a draft of its notes stays); the stored document."""
        if station and station not in {s.name for s in _stations()}:
            raise ReportError(say("station_not_known", station=station, stations="、".join(_names())))
        return await self.store.save(await build_report(self.es, self.settings, kind, day, station), user)

    async def make_event(self, event_id: str, user: str) -> dict[str, Any]:
        """Build the 专报 of an event and keep it; EventNotFound when there is no such event."""
        return await self.store.save(await build_event_report(self.es, self.settings, event_id), user)

    async def get(self, report_id: str) -> dict[str, Any] | None:
        doc = await self.store.get(report_id)
        return doc if doc and doc.get("data") else None

    async def list(self, kind: str | None, page: int) -> tuple[int, list[dict[str, Any]]]:
        return await self.store.list(kind, page)

    async def save_notes(
        self, doc: dict[str, Any], notes: Any, user: str, version: str | None
    ) -> dict[str, Any]:
        text = notes.replace("\r\n", "\n").strip() if isinstance(notes, str) else ""
        if len(text) > NOTES_CHARS:
            raise ReportError(say("report_notes_long", limit=NOTES_CHARS))
        return await self.store.set_notes(doc, text, user, version)

    async def document(self, doc: dict[str, Any], fmt: str) -> Document:
        if fmt not in FORMATS:
            raise ReportError(say("report_format", value=fmt, formats="、".join(FORMATS)), 404)
        fmt_: Format = fmt  # type: ignore[assignment]
        return await document(parse(doc), fmt_, self.settings.web.chromium)

    @staticmethod
    def report(doc: dict[str, Any]) -> Report | EventReport:
        return parse(doc)


def _stations():
    from yuqing.config import load_stations

    return load_stations().stations


def _names() -> list[str]:
    return [s.name for s in _stations()]
