"""A boxed text table that streams: column widths from one pass, then one row at a time.

Concepts: a general table layout (rich's) measures every cell several times and keeps the
whole table in memory, which takes minutes for the 100,000 rows an audit of a large catalog
has. Here the widths come from one pass over the cells (the longest cell, then the widest
columns shrunk until the table fits), and each row is wrapped (on spaces, long words
folded) and yielded as lines. The look is rich's heavy-headed box, so small and large
reports read the same.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Iterator, Sequence

MIN_WIDTH = 6  # no column is squeezed below this many characters


def widths(headers: Sequence[str], rows: Iterable[Sequence[str]], total: int) -> list[int]:
    """Column widths that fit ``total`` characters including borders and padding."""
    natural = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            if len(cell) > natural[i]:
                natural[i] = len(cell)
    budget = total - (3 * len(headers) + 1)
    out = natural[:]
    while sum(out) > budget:
        widest = max(range(len(out)), key=lambda i: out[i])
        if out[widest] <= MIN_WIDTH:
            break
        out[widest] -= max(1, min(out[widest] - MIN_WIDTH, (sum(out) - budget) // len(out)))
    return out


def _rule(left: str, fill: str, cross: str, right: str, cols: Sequence[int]) -> str:
    return left + cross.join(fill * (w + 2) for w in cols) + right


def _wrap(cell: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in cell.splitlines() or [""]:
        if len(part) <= width:
            lines.append(part)
        else:
            lines += textwrap.wrap(part, width, break_on_hyphens=False) or [""]
    return lines


def _row(cells: Sequence[str], cols: Sequence[int], styles: Sequence[str], sep: str) -> list[str]:
    wrapped = [_wrap(c, w) for c, w in zip(cells, cols, strict=True)]
    height = max(len(w) for w in wrapped)
    out = []
    for n in range(height):
        parts = []
        for lines, w, style in zip(wrapped, cols, styles, strict=True):
            text = (lines[n] if n < len(lines) else "").ljust(w)
            parts.append(f"\x1b[{style}m{text}\x1b[0m" if style and n < len(lines) else text)
        out.append(f"{sep} " + f" {sep} ".join(parts) + f" {sep}")
    return out


def render(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    styles: Sequence[Sequence[str]] | None = None,
) -> Iterator[str]:
    """The table's lines; ``styles`` gives per row and column an ANSI SGR code ('' for none)."""
    cols = widths(headers, rows, width)
    table_width = sum(cols) + 3 * len(cols) + 1
    yield title.center(table_width).rstrip()
    yield _rule("┏", "━", "┳", "┓", cols)
    yield from _row(headers, cols, [""] * len(cols), "┃")
    yield _rule("┡", "━", "╇", "┩", cols)
    plain = [""] * len(cols)
    for i, row in enumerate(rows):
        yield from _row(row, cols, styles[i] if styles else plain, "│")
    yield _rule("└", "─", "┴", "┘", cols)
