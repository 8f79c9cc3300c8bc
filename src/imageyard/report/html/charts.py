"""Charts as inline SVG, drawn here (server-side) so the report needs no script to show them.

Concepts: a ``Bar`` is one labelled value; ``bars(title, rows)`` draws a horizontal bar
chart and ``stacked(title, rows, parts)`` one bar per row split into coloured parts with a
legend. Sizes, colours and rounding are fixed, text is escaped, and nothing depends on the
clock or on dict order, so the same figures give the same SVG bytes.
"""

from __future__ import annotations

from collections.abc import Callable
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


CURVE_H = 200
PLOT_X, PLOT_Y, PLOT_W, PLOT_H = 48, 10, WIDTH - 64, CURVE_H - 50


@dataclass(frozen=True)
class Curve:
    """Hit rate against a setting: the points, the target and the smallest setting reaching
    it (``None``: not reached), with ``label`` writing a setting as text."""

    points: tuple[tuple[int, float], ...]
    target: float | None
    smallest: int | None
    label: Callable[[int], str]


def _xy(curve: Curve, setting: int, rate: float) -> tuple[float, float]:
    top = max(s for s, _ in curve.points) or 1
    return PLOT_X + PLOT_W * setting / top, PLOT_Y + PLOT_H * (1.0 - rate)


def _axes(curve: Curve) -> list[str]:
    bottom, right = PLOT_Y + PLOT_H, PLOT_X + PLOT_W
    top = max(s for s, _ in curve.points)
    return [
        f'<path class="axis" d="M{PLOT_X} {PLOT_Y}V{bottom}H{right}" fill="none" stroke="#888"/>',
        _text(PLOT_X - 4, PLOT_Y + 8, "100%", "end"),
        _text(PLOT_X - 4, bottom, "0%", "end"),
        _text(PLOT_X, bottom + 14, curve.label(0)),
        _text(right, bottom + 14, curve.label(top), "end"),
    ]


def _target(curve: Curve) -> list[str]:
    if curve.target is None:
        return []
    _, y = _xy(curve, 0, curve.target)
    return [
        f'<line class="target" x1="{PLOT_X}" y1="{y:.1f}" x2="{PLOT_X + PLOT_W}" y2="{y:.1f}" '
        f'stroke="{PALETTE[3]}" stroke-dasharray="4 3"/>',
        _text(PLOT_X + PLOT_W, y - 3, f"target {curve.target:.1%}", "end"),
    ]


def _dot(curve: Curve, setting: int, rate: float) -> str:
    x, y = _xy(curve, setting, rate)
    mark = setting == curve.smallest
    cls, r, colour = ("point smallest", 5, PALETTE[1]) if mark else ("point", 3, PALETTE[0])
    tip = f"{curve.label(setting)}: hit rate {rate:.1%}" + (
        " (smallest reaching the target)" if mark else ""
    )
    return (
        f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{colour}" '
        f'data-setting="{setting}" data-hit-rate="{rate:.6f}"><title>{escape(tip)}</title></circle>'
    )


def _caption(curve: Curve) -> str:
    if curve.smallest is None:
        text = "target not reached" if curve.target is not None else ""
    else:
        text = f"smallest reaching the target: {curve.label(curve.smallest)}"
    return _text(PLOT_X, CURVE_H - 8, text)


def curve(title: str, line: Curve) -> str:
    """Hit rate (0 to 100%) against the setting; no points says that no search was made."""
    if not line.points:
        return _svg(
            title, ROW_H, [_text(4, 15, "no size search (simulate cache --target-hit-rate)")]
        )
    coords = " ".join("{:.1f},{:.1f}".format(*_xy(line, s, r)) for s, r in line.points)
    body = _axes(line) + _target(line)
    body.append(f'<polyline class="curve" points="{coords}" fill="none" stroke="{PALETTE[0]}"/>')
    body += [_dot(line, s, r) for s, r in line.points]
    body.append(_caption(line))
    return _svg(title, CURVE_H, body)
