"""Charts as inline SVG, drawn here (server-side) so the report needs no script to show them.

Concepts: a ``Bar`` is one labelled value; ``bars(title, rows)`` draws a horizontal bar
chart and ``stacked(title, rows, parts)`` one bar per row split into coloured parts with a
legend. Sizes, colours and rounding are fixed, text is escaped, and nothing depends on the
clock or on dict order, so the same figures give the same SVG bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

WIDTH = 640
LABEL_W = 200
VALUE_W = 110
ROW_H = 22
BAR_H = 16
PALETTE = ("#3b6ea8", "#e07b39", "#4b9b5b", "#c0504d", "#8064a2", "#4bacc6", "#9b9b9b")


@dataclass(frozen=True)
class Bar:
    """One labelled value and the text shown beside it."""

    label: str
    value: float
    text: str


def _svg(title: str, height: int, body: list[str]) -> str:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}">'
        f"<title>{escape(title)}</title>"
    )
    return head + "".join(body) + "</svg>"


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{escape(text)}</text>'


def _rect(x: float, y: float, w: float, colour: str, tip: str) -> str:
    return (
        f'<rect class="bar" x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" '
        f'height="{BAR_H}" fill="{colour}"><title>{escape(tip)}</title></rect>'
    )


def bars(title: str, rows: list[Bar]) -> str:
    """A horizontal bar chart; an empty list draws the words ``no data``."""
    if not rows:
        return _svg(title, ROW_H, [_text(4, 15, "no data")])
    span = WIDTH - LABEL_W - VALUE_W
    top = max(r.value for r in rows) or 1.0
    body = []
    for n, row in enumerate(rows):
        y = n * ROW_H + 3
        body.append(_text(LABEL_W - 6, y + 12, row.label, "end"))
        body.append(_rect(LABEL_W, y, span * row.value / top, PALETTE[0], row.text))
        body.append(_text(WIDTH - VALUE_W + 6, y + 12, row.text))
    return _svg(title, len(rows) * ROW_H + 6, body)


def _legend(parts: list[str], y: float) -> list[str]:
    out = []
    for n, part in enumerate(parts):
        x = 4 + (n % 4) * 158
        row_y = y + (n // 4) * ROW_H
        out.append(_rect(x, row_y, 12, PALETTE[n % len(PALETTE)], part))
        out.append(_text(x + 16, row_y + 12, part))
    return out


def stacked(title: str, rows: list[tuple[str, list[int]]], parts: list[str]) -> str:
    """One bar per row, split into ``parts`` (each row's counts in ``parts`` order)."""
    if not rows:
        return _svg(title, ROW_H, [_text(4, 15, "no data")])
    span = WIDTH - LABEL_W - VALUE_W
    body = []
    for n, (label, counts) in enumerate(rows):
        y = n * ROW_H + 3
        total = sum(counts) or 1
        body.append(_text(LABEL_W - 6, y + 12, label, "end"))
        x = float(LABEL_W)
        for k, count in enumerate(counts):
            width = span * count / total
            tip = f"{label}: {parts[k]} {count}"
            if count:
                body.append(_rect(x, y, width, PALETTE[k % len(PALETTE)], tip))
            x += width
        body.append(_text(WIDTH - VALUE_W + 6, y + 12, f"{sum(counts)} images"))
    legend_y = len(rows) * ROW_H + 8
    body += _legend(parts, legend_y)
    height = legend_y + ((len(parts) + 3) // 4) * ROW_H + 4
    return _svg(title, height, body)
