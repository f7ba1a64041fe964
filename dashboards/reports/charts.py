"""Charts drawn on the server as inline SVG, so the PDF (and a browser without scripts) shows them: bars for a
breakdown, stacked columns for a trend or a timeline. Every bar links to the search behind its number; every
label is escaped (platform and word labels may come from crawled data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

FONT = "'WenQuanYi Micro Hei','Noto Sans CJK SC','Microsoft YaHei',sans-serif"
PALETTE = ("#1f5fa8", "#d9822b", "#3a9a5b", "#b3261e", "#7b5ea7", "#8c6d31", "#2b8a9a", "#6b7785")
SENTIMENT_COLOURS = {"neg": "#b3261e", "neu": "#8a97a6", "pos": "#3a9a5b"}


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    url: str
    colour: str | None = None


@dataclass(frozen=True)
class Column:
    label: str
    values: dict[str, int]
    url: str


@dataclass(frozen=True)
class Series:
    key: str
    label: str
    colour: str


def _svg(width: int, height: int, body: list[str], title: str) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}" '
        f'font-family="{FONT}" font-size="12">'
    )
    return Markup(head + f"<title>{escape(title)}</title>" + "".join(body) + "</svg>")


def bars(items: Sequence[Bar], title: str, width: int = 640, colour: str = PALETTE[0]) -> Markup:
    """Horizontal bars, one per item, its value at its end."""
    label_w, row_h, pad = 150, 22, 6
    top = max((b.value for b in items), default=0) or 1
    span = width - label_w - 60
    body = []
    for i, b in enumerate(items):
        y = pad + i * row_h
        w = max(1.0, span * b.value / top) if b.value else 0
        body.append(
            f'<a href="{escape(b.url)}"><text x="{label_w - 6}" y="{y + 15}" text-anchor="end">'
            f"{escape(b.label)}</text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 7}" '
            f'fill="{b.colour or colour}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}">{b.value}</text></a>'
        )
    return _svg(width, pad * 2 + row_h * max(1, len(items)), body, title)


def columns(
    items: Sequence[Column],
    series: Sequence[Series],
    title: str,
    width: int = 680,
    height: int = 220,
    every: int = 1,
) -> Markup:
    """Stacked columns (one stack per bucket, one colour per series) with a legend; `every`: label every
    n-th bucket on the axis."""
    left, bottom, top_pad, legend_h = 36, 22, 8, 20
    plot_h = height - bottom - top_pad - legend_h
    n = max(1, len(items))
    step = (width - left - 8) / n
    top = max((sum(c.values.values()) for c in items), default=0) or 1
    body = [
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 4}" y2="{top_pad + plot_h}" stroke="#999"/>',
        f'<text x="{left - 4}" y="{top_pad + 10}" text-anchor="end">{top}</text>',
        f'<text x="{left - 4}" y="{top_pad + plot_h}" text-anchor="end">0</text>',
    ]
    for i, c in enumerate(items):
        x, y = left + i * step, top_pad + plot_h
        parts = []
        for s in series:
            v = c.values.get(s.key, 0)
            if not v:
                continue
            h = plot_h * v / top
            y -= h
            parts.append(
                f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(1.0, step - 2):.1f}" height="{h:.1f}" '
                f'fill="{s.colour}"/>'
            )
        total = sum(c.values.values())
        tip = f"<title>{escape(c.label)}：{total}</title>"
        body.append(f'<a href="{escape(c.url)}">{tip}{"".join(parts)}</a>')
        if i % every == 0:
            body.append(
                f'<text x="{x + step / 2:.1f}" y="{top_pad + plot_h + 15}" text-anchor="middle" '
                f'font-size="10">{escape(c.label)}</text>'
            )
    lx = left
    for s in series:
        body.append(
            f'<rect x="{lx}" y="{height - 14}" width="10" height="10" fill="{s.colour}"/>'
            f'<text x="{lx + 14}" y="{height - 5}">{escape(s.label)}</text>'
        )
        lx += 24 + 13 * len(s.label)
    return _svg(width, height, body, title)
