"""Pictures drawn at build time as inline SVG: revision timelines and the dashboard's bars.

Plain text out, every text escaped, every number printed with fixed precision so that the
same input gives the same bytes. Nothing here is fetched or computed when a page is viewed.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Bar", "Span", "bar_chart", "timeline"]

_WIDTH = 720
_ROW = 26
_COLOURS = {
    "effective": "#2e7d32",
    "pending": "#1d4f91",
    "superseded": "#9e9e9e",
    "withdrawn": "#a3161b",
}


def _e(text: str) -> str:
    return html.escape(text, quote=True)


@dataclass(frozen=True)
class Span:
    """One revision on a timeline: its label, first day, last day (None: still) and state."""

    label: str
    start: dt.date
    end: dt.date | None
    state: str
    href: str | None = None


def timeline(spans: Sequence[Span], *, until: dt.date, title: str) -> str:
    """Return an SVG timeline of *spans* (oldest first) from the first start to *until*."""
    if not spans:
        return ""
    first = min(s.start for s in spans)
    last = max(until, *(s.end or until for s in spans))
    days = max((last - first).days, 1)
    left, right = 8.0, _WIDTH - 8.0

    def x(day: dt.date) -> float:
        return left + (right - left) * (day - first).days / days

    height = 34 + _ROW * len(spans)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{_e(title)}</title>",
        f'<line x1="{left:.1f}" y1="{height - 18}" x2="{right:.1f}" y2="{height - 18}" '
        f'stroke="#555" stroke-width="1"/>',
    ]
    for year in range(first.year + 1, last.year + 1):
        at = x(dt.date(year, 1, 1))
        parts.append(
            f'<line x1="{at:.1f}" y1="4" x2="{at:.1f}" y2="{height - 14}" stroke="#ddd"/>'
            f'<text x="{at:.1f}" y="{height - 3}" font-size="11" text-anchor="middle" '
            f'fill="#555">{year}</text>'
        )
    for row, span in enumerate(spans):
        x0, x1 = x(span.start), x(span.end or last)
        y = 6 + row * _ROW
        colour = _COLOURS.get(span.state, "#555")
        bar = (
            f'<rect x="{x0:.1f}" y="{y}" width="{max(x1 - x0, 3.0):.1f}" height="{_ROW - 8}" '
            f'rx="3" fill="{colour}"><title>{_e(span.label)}</title></rect>'
            f'<text x="{min(x0 + 4, right - 150):.1f}" y="{y + _ROW - 13}" font-size="12" '
            f'fill="#000" stroke="#fff" stroke-width="3" paint-order="stroke">'
            f"{_e(span.label)}</text>"
        )
        parts.append(f'<a href="{_e(span.href)}">{bar}</a>' if span.href else bar)
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class Bar:
    """One bar of a bar chart: a label and a value."""

    label: str
    value: float


def bar_chart(bars: Sequence[Bar], *, title: str, colour: str = "#a3161b") -> str:
    """Return a horizontal SVG bar chart of *bars*, in the order given."""
    if not bars:
        return ""
    label_width, right = 260.0, _WIDTH - 50.0
    top = max((b.value for b in bars), default=0.0) or 1.0
    height = 24 + 22 * len(bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet">',
        f"<title>{_e(title)}</title>",
        f'<text x="0" y="14" font-size="13" font-weight="bold">{_e(title)}</text>',
    ]
    for row, bar in enumerate(bars):
        y = 22 + row * 22
        width = (right - label_width) * bar.value / top
        parts.append(
            f'<text x="{label_width - 6:.1f}" y="{y + 13}" font-size="12" '
            f'text-anchor="end">{_e(bar.label[:40])}</text>'
            f'<rect x="{label_width:.1f}" y="{y}" width="{width:.1f}" height="16" '
            f'fill="{colour}"/>'
            f'<text x="{label_width + width + 4:.1f}" y="{y + 13}" font-size="12">'
            f"{bar.value:g}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)
