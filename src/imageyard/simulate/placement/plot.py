"""Monthly cost against p95 boot time, as SVG (drawn here) or PNG (Pillow, when installed).

Concepts: ``points(c)`` is the figure's data, shared by both forms and by the HTML report:
every hot/cold split as a line (from no image hot, the cheapest, to all of them) and each
layout as a labelled mark. The SVG is deterministic (fixed size, rounding and order), so
the same comparison gives the same bytes.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from html import escape
from pathlib import Path

from imageyard.errors import UsageError
from imageyard.files import write_text
from imageyard.simulate.placement.compare import Comparison

WIDTH, HEIGHT = 640, 360
LEFT, TOP, RIGHT, BOTTOM = 64, 16, 16, 48
COLOURS = {"all-ceph": "#3b6ea8", "hot-cold": "#e07b39", "site-replicas": "#4b9b5b"}
LINE = "#9b9b9b"


@dataclass(frozen=True)
class Figure:
    """The split curve and the layouts' marks, as (monthly cost, p95 seconds)."""

    curve: tuple[tuple[float, float], ...]
    marks: tuple[tuple[str, float, float], ...]


def figure(c: Comparison) -> Figure:
    """What the plot shows of ``c``."""
    curve = tuple((p.monthly_cost, p.p95_seconds) for p in c.split)
    marks = tuple((r.layout, r.monthly_cost, r.p95_seconds) for r in c.layouts)
    return Figure(curve, marks)


def check_target(path: str) -> None:
    """Refuse a plot file that is neither .svg nor .png, or .png without Pillow (exit 2)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".svg", ".png"):
        raise UsageError(f"{path}: the plot is written as .svg or .png")
    if suffix == ".png" and importlib.util.find_spec("PIL") is None:
        raise UsageError(f"{path}: a PNG plot needs Pillow (pip install 'imageyard[plot]')")


def write(c: Comparison, path: str) -> None:
    """Draw ``c`` into ``path`` (.svg or .png)."""
    fig = figure(c)
    if Path(path).suffix.lower() == ".png":
        from imageyard.simulate.placement.png import write as write_png

        write_png(fig, path)
        return
    write_text(svg(fig), path, "plot", ())


def _bounds(fig: Figure) -> tuple[float, float]:
    xs = [x for x, _ in fig.curve] + [x for _, x, _ in fig.marks]
    ys = [y for _, y in fig.curve] + [y for _, _, y in fig.marks]
    return (max(xs, default=0.0) or 1.0), (max(ys, default=0.0) or 1.0)


def scale(fig: Figure) -> tuple[float, float]:
    """Units per pixel on each axis (both axes start at 0)."""
    top_x, top_y = _bounds(fig)
    return top_x * 1.05 / (WIDTH - LEFT - RIGHT), top_y * 1.1 / (HEIGHT - TOP - BOTTOM)


def xy(fig: Figure, cost: float, seconds: float) -> tuple[float, float]:
    """Pixel position of a point."""
    per_x, per_y = scale(fig)
    return LEFT + cost / per_x, HEIGHT - BOTTOM - seconds / per_y


def label_at(fig: Figure, n: int) -> tuple[float, float, str]:
    """Where mark ``n``'s name goes: right of the mark, left of it near the right edge."""
    _, cost, seconds = fig.marks[n]
    x, y = xy(fig, cost, seconds)
    if x > WIDTH * 0.7:
        return x - 8, y - 6 - 12 * n, "end"
    return x + 8, y - 6 - 12 * n, "start"


def axis_labels(fig: Figure) -> list[tuple[float, float, str, str]]:
    """The axes' texts: (x, y, text, anchor)."""
    top_x, top_y = _bounds(fig)
    x0, y0 = LEFT, HEIGHT - BOTTOM
    return [
        (x0 - 4, y0, "0", "end"),
        (x0 - 4, TOP + 10, f"{top_y * 1.1:.1f} s", "end"),
        (WIDTH - RIGHT, y0 + 16, f"{top_x * 1.05:.2f}", "end"),
        ((WIDTH + LEFT) / 2, HEIGHT - 8, "monthly cost", "middle"),
        (4, TOP + 24, "p95", "start"),
        (4, TOP + 38, "boot", "start"),
    ]


def _text(x: float, y: float, text: str, anchor: str = "start") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="12" '
        f'font-family="sans-serif">{escape(text)}</text>'
    )


def _axes(fig: Figure) -> list[str]:
    x0, y0 = LEFT, HEIGHT - BOTTOM
    path = f'<path d="M{x0} {TOP}V{y0}H{WIDTH - RIGHT}" fill="none" stroke="#888"/>'
    return [path, *(_text(x, y, t, a) for x, y, t, a in axis_labels(fig))]


def _curve(fig: Figure) -> list[str]:
    if not fig.curve:
        return []
    d = "M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in (xy(fig, *p) for p in fig.curve))
    return [
        f'<path class="split" d="{d}" fill="none" stroke="{LINE}" stroke-width="1.5">'
        "<title>hot/cold splits, from none hot to all hot</title></path>"
    ]


def _marks(fig: Figure) -> list[str]:
    out = []
    for n, (name, cost, seconds) in enumerate(fig.marks):
        x, y = xy(fig, cost, seconds)
        tip = f"{name}: {cost:.2f} per month, p95 {seconds:.1f} s"
        out.append(
            f'<circle class="layout" cx="{x:.1f}" cy="{y:.1f}" r="5" '
            f'fill="{COLOURS.get(name, LINE)}"><title>{escape(tip)}</title></circle>'
        )
        out.append(_text(*label_at(fig, n)[:2], name, label_at(fig, n)[2]))
    return out


def svg(fig: Figure) -> str:
    """The plot as a standalone SVG document."""
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
        "<title>monthly cost against p95 boot time</title>"
    )
    return head + "".join(_axes(fig) + _curve(fig) + _marks(fig)) + "</svg>\n"
