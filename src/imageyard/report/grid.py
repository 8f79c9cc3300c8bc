"""A boxed text table that streams: column widths from one pass, then one row at a time.

Concepts: a general table layout (rich's) measures every cell several times and keeps the
whole table in memory, which takes minutes for the 100,000 rows an audit of a large catalog
has. Here the widths come from one pass over the cells (the longest line of each cell, then
the widest columns shrunk until the table fits), and each row is wrapped (on spaces, long
words folded: ``textwrap``'s lines, computed by ``fold`` when the text allows) and yielded as
lines. The look is rich's heavy-headed box, so small and large reports read the same.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Iterator, Sequence

from imageyard.terminal import visible

MIN_WIDTH = 6  # no column is squeezed below this many characters
_NOT_SPACE = re.compile("[^ ]")
_SEEN = 4096  # multi-line cells remembered per column


def widths(headers: Sequence[str], rows: Iterable[Sequence[str]], total: int) -> list[int]:
    """Column widths that fit ``total`` characters including borders and padding."""
    natural = [len(h) for h in headers]
    for row in rows:
        for i, cell in enumerate(row):
            if len(cell) > natural[i]:
                natural[i] = max(natural[i], _longest_line(cell))
    budget = total - (3 * len(headers) + 1)
    out = natural[:]
    while sum(out) > budget:
        widest = max(range(len(out)), key=lambda i: out[i])
        if out[widest] <= MIN_WIDTH:
            break
        out[widest] -= max(1, min(out[widest] - MIN_WIDTH, (sum(out) - budget) // len(out)))
    return out


def _longest_line(cell: str) -> int:
    """The width a cell asks for: its longest line."""
    return max(map(len, cell.splitlines())) if "\n" in cell or "\r" in cell else len(cell)


def _rule(left: str, fill: str, cross: str, right: str, cols: Sequence[int]) -> str:
    return left + cross.join(fill * (w + 2) for w in cols) + right


def _space_run_end(text: str, at: int) -> int:
    """The end of the run of spaces (or of other characters) that starts at ``at``."""
    found = _NOT_SPACE.search(text, at) if text[at] == " " else None
    if text[at] == " ":
        return len(text) if found is None else found.start()
    end = text.find(" ", at)
    return len(text) if end < 0 else end


def _space_run_start(text: str, end: int, low: int) -> int:
    """Where the run of spaces ending at ``end`` starts (not before ``low``)."""
    while end > low and text[end - 1] == " ":
        end -= 1
    return end


def _boundary(text: str, start: int, limit: int) -> int:
    """The last chunk boundary (space to word or word to space) in ``(start, limit]``, else
    ``start``: where a line from ``start`` holding whole chunks of ``limit - start`` ends."""
    if (text[limit - 1] == " ") != (text[limit] == " "):
        return limit
    if text[limit - 1] == " ":
        return _space_run_start(text, limit, start)
    return text.rfind(" ", start, limit) + 1 or start


def fold(text: str, width: int) -> list[str]:
    """``textwrap.wrap(text, width, break_on_hyphens=False)`` for a line whose only
    whitespace is spaces and ``width >= 1``, by index arithmetic instead of word lists."""
    lines: list[str] = []
    start, size = 0, len(text)
    while start < size:
        if lines and text[start] == " ":
            start = _space_run_end(text, start)  # a line after the first drops its lead
            if start >= size:
                break
        end = size if start + width >= size else _boundary(text, start, start + width)
        keep = end
        if end < size and _space_run_end(text, end) - end > width:
            end += width - (end - start)  # a chunk longer than a line is cut to fill it
            if text[keep:end].strip(" "):
                keep = end
        elif text[end - 1] == " " and end > start:
            keep = _space_run_start(text, end, start)
        if keep > start:
            lines.append(text[start:keep])
        start = end
    return lines


def _wrap_part(part: str, width: int) -> list[str]:
    if width >= 1 and "\t" not in part and part.isprintable():
        return fold(part, width) or [""]
    return textwrap.wrap(part, width, break_on_hyphens=False) or [""]


def _wrap(cell: str, width: int) -> list[str]:
    lines: list[str] = []
    for part in cell.splitlines() or [""]:
        if len(part) <= width:
            lines.append(part)
        else:
            lines += _wrap_part(part, width)
    return lines


class _Wrapped:
    """``_wrap`` of the cells of one column, remembering recent multi-line cells (the
    ``file:line`` lists many rows share)."""

    def __init__(self, width: int, clean: bool = False) -> None:
        self.width = width
        self.clean = clean
        self.seen: dict[str, list[str]] = {}

    def __call__(self, cell: str) -> list[str]:
        if self.clean:
            cell = visible(cell)
        if len(cell) <= self.width and "\n" not in cell and "\r" not in cell:
            return [cell] if cell.isprintable() else _wrap(cell, self.width)
        if "\n" not in cell:
            return _wrap(cell, self.width)
        lines = self.seen.get(cell)
        if lines is None:
            if len(self.seen) >= _SEEN:
                self.seen.clear()
            lines = self.seen[cell] = _wrap(cell, self.width)
        return lines


def _row(
    cells: Sequence[str], wraps: Sequence[_Wrapped], styles: Sequence[str], sep: str
) -> list[str]:
    wrapped = [wrap(c) for c, wrap in zip(cells, wraps, strict=True)]
    height = max(len(w) for w in wrapped)
    if not any(styles):
        columns = [
            [line.ljust(wrap.width) for line in lines] + [" " * wrap.width] * (height - len(lines))
            for lines, wrap in zip(wrapped, wraps, strict=True)
        ]
        joint = f" {sep} "
        return [f"{sep} {joint.join(parts)} {sep}" for parts in zip(*columns, strict=True)]
    out = []
    for n in range(height):
        parts = []
        for lines, wrap, style in zip(wrapped, wraps, styles, strict=True):
            text = (lines[n] if n < len(lines) else "").ljust(wrap.width)
            parts.append(f"\x1b[{style}m{text}\x1b[0m" if style and n < len(lines) else text)
        out.append(f"{sep} " + f" {sep} ".join(parts) + f" {sep}")
    return out


def render_rows(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    styles: Sequence[Sequence[str]] | None = None,
    clean: bool = False,
) -> Iterator[list[str]]:
    """``render``'s lines a unit at a time: the title with the heading, then each row's lines
    (the last row with the bottom border), so a row is never split between units. ``clean``:
    each cell's control characters (but its newlines and tabs) shown as stand-ins, for a
    table whose ``styles`` the writer must pass on."""
    cols = widths(headers, rows, width)
    table_width = sum(cols) + 3 * len(cols) + 1
    wraps = [_Wrapped(w, clean) for w in cols]
    head = [title.center(table_width).rstrip(), _rule("┏", "━", "┳", "┓", cols)]
    head += _row(headers, wraps, [""] * len(cols), "┃")
    head.append(_rule("┡", "━", "╇", "┩", cols))
    yield head
    plain = [""] * len(cols)
    for i, row in enumerate(rows):
        yield _row(row, wraps, styles[i] if styles else plain, "│")
    yield [_rule("└", "─", "┴", "┘", cols)]


def render(
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    width: int,
    styles: Sequence[Sequence[str]] | None = None,
) -> Iterator[str]:
    """The table's lines; ``styles`` gives per row and column an ANSI SGR code ('' for none)."""
    for unit in render_rows(title, headers, rows, width=width, styles=styles):
        yield from unit
