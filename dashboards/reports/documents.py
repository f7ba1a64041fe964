"""A report as a file: HTML (render.py), PDF printed from that HTML by Chromium (dashboards/pdf.py, after
checking that a CJK font is installed), or DOCX (docx_writer.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from dashboards.pdf import print_pdf, require_cjk_font
from dashboards.reports.docx_writer import event_docx, period_docx
from dashboards.reports.model import EventReport, Report
from dashboards.reports.periods import KIND_NAMES
from dashboards.reports.render import render

Format = Literal["pdf", "docx", "html"]
FORMATS: tuple[Format, ...] = ("pdf", "docx", "html")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html; charset=utf-8",
}


@dataclass(frozen=True)
class Document:
    content: bytes
    media_type: str
    filename: str


def filename(report: Report | EventReport, fmt: Format) -> str:
    """舆情日报-20261206.pdf, 舆情周报-2026W49-西三派出所.docx, 舆情专报-ev-1a2b.pdf."""
    if isinstance(report, EventReport):
        return f"舆情专报-{report.event_id}.{fmt}"
    key = report.id.split("-")[1]
    station = f"-{report.station}" if report.station else ""
    return f"舆情{KIND_NAMES[report.kind]}-{key}{station}.{fmt}"


async def document(report: Report | EventReport, fmt: Format, chromium: str) -> Document:
    """The report in `fmt`; FontMissing or PdfError (dashboards.pdf) when a PDF cannot be printed."""
    if fmt == "docx":
        content = event_docx(report) if isinstance(report, EventReport) else period_docx(report)
    elif fmt == "pdf":
        require_cjk_font()
        content = await print_pdf(chromium, render(report))
    else:
        content = render(report).encode("utf-8")
    return Document(content, MEDIA_TYPES[fmt], filename(report, fmt))
