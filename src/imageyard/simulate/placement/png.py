"""The cost against p95 plot as PNG, drawn with Pillow (the ``plot`` extra) when installed.

The same figure and the same pixel positions as the SVG (``plot.xy``); Pillow's default
font. Pillow is imported only here, only when a PNG is asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

from imageyard.errors import ImageyardError
from imageyard.files import os_reason
from imageyard.simulate.placement import plot


def _draw(fig: plot.Figure) -> Any:
    image_mod = importlib.import_module("PIL.Image")
    draw_mod = importlib.import_module("PIL.ImageDraw")
    image = image_mod.new("RGB", (plot.WIDTH, plot.HEIGHT), "white")
    pen = draw_mod.Draw(image)
    x0, y0 = plot.LEFT, plot.HEIGHT - plot.BOTTOM
    pen.line([(x0, plot.TOP), (x0, y0), (plot.WIDTH - plot.RIGHT, y0)], fill="#888888")
    for x, y, text, anchor in plot.axis_labels(fig):
        _text(pen, x, y, text, anchor)
    if len(fig.curve) > 1:
        pen.line([plot.xy(fig, *p) for p in fig.curve], fill=plot.LINE, width=2)
    for n, (name, cost, seconds) in enumerate(fig.marks):
        x, y = plot.xy(fig, cost, seconds)
        pen.ellipse([x - 5, y - 5, x + 5, y + 5], fill=plot.COLOURS.get(name, plot.LINE))
        _text(pen, *plot.label_at(fig, n)[:2], name, plot.label_at(fig, n)[2])
    return image


def _text(pen: Any, x: float, baseline: float, text: str, anchor: str) -> None:
    """Text placed as the SVG places it: ``baseline`` at the bottom, ``anchor`` start,
    middle or end."""
    width = pen.textlength(text)
    shift = {"start": 0.0, "middle": width / 2, "end": width}[anchor]
    pen.text((x - shift, baseline - 11), text, fill="black")


def write(fig: plot.Figure, path: str) -> None:
    """Draw ``fig`` into the PNG file ``path``."""
    try:
        _draw(fig).save(path, format="PNG")
    except OSError as exc:
        raise ImageyardError(f"{path}: cannot write the plot: {os_reason(exc)}") from None
