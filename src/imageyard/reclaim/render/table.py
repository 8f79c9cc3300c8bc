"""Table: the terminal view of a reclaim result, one block per section.

Concepts: items grouped by class (heading with severity, count and bytes), then the
classes that could not be decided, the spared candidates, the pins, the duplicate groups,
the conversions and the totals; the summary line ends the view. Plain text, ``width``
columns wide.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence

from imageyard.reclaim.classes import BY_ID
from imageyard.reclaim.model import Item, ReclaimResult
from imageyard.reclaim.render.document import human_bytes, summary_line
from imageyard.reclaim.render.rows import sections
from imageyard.report import grid
from imageyard.terminal import one_line

DEFAULT_WIDTH = 160


def _bytes(n: int | None) -> str:
    return "?" if n is None else human_bytes(n)


def _block(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], width: int
) -> list[str]:
    if not rows:
        return []
    cells = [[one_line(c) for c in r] for r in rows]  # a value's newline forges no line
    return [*textwrap.wrap(title, width), *list(grid.render("", headers, cells, width=width))[1:]]


def _items(result: ReclaimResult, width: int) -> list[str]:
    groups: dict[str, list[Item]] = {}
    for item in result.items:
        groups.setdefault(item.class_id, []).append(item)
    lines: list[str] = []
    for class_id, items in groups.items():
        meta = BY_ID[class_id]
        total = human_bytes(sum(i.reclaimable for i in items))
        head = f"{meta.severity.value.upper()} {class_id} ({len(items)}, {total}): {meta.title}"
        rows = [
            (
                str(i.finding.resource) + (" (muted)" if i.finding.status.value == "muted" else ""),
                _bytes(i.used),
                i.finding.action.kind if i.finding.action else "",
                i.finding.message,
            )
            for i in items
        ]
        lines += _block(head, ("resource", "used", "action", "message"), rows, width)
    return lines


def _others(result: ReclaimResult, width: int) -> list[str]:
    lines: list[str] = []
    for title, headers, rows in sections(result):
        lines += _block(title, headers, rows, width)
    return lines


def render(result: ReclaimResult, *, width: int = DEFAULT_WIDTH) -> str:
    """The result as terminal text ``width`` columns wide."""
    lines = _items(result, width) + _others(result, width)
    lines += textwrap.wrap(summary_line(result), width)
    return "\n".join(lines) + "\n"
