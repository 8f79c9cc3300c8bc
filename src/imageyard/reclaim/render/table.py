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
from imageyard.report import grid

DEFAULT_WIDTH = 160


def _bytes(n: int | None) -> str:
    return "?" if n is None else human_bytes(n)


def _block(
    title: str, headers: Sequence[str], rows: Sequence[Sequence[str]], width: int
) -> list[str]:
    if not rows:
        return []
    return [*textwrap.wrap(title, width), *list(grid.render("", headers, rows, width=width))[1:]]


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
    lines = _block(
        f"Could not decide ({len(result.unknowns)})",
        ("class", "scope", "missing"),
        [(u.rule_id, str(u.resource), u.reason) for u in result.unknowns],
        width,
    )
    lines += _block(
        "Spared for safety",
        ("class", "reason", "count", "bytes", "where"),
        [
            (e.class_id, e.reason, str(e.count), human_bytes(e.used), e.pool or e.store or "")
            for e in result.exclusions
        ],
        width,
    )
    lines += _block(
        f"Pinned images ({len(result.pins)}): deleting them returns 409",
        ("image", "depth", "flatten first", "flatten bytes"),
        [
            (
                p.spec,
                str(p.depth),
                ", ".join(n.spec for n in p.direct),
                human_bytes(p.flatten_bytes),
            )
            for p in result.pins
        ],
        width,
    )
    lines += _block(
        f"Duplicate groups ({len(result.duplicates)})",
        ("keep", "why", "copies", "surplus"),
        [
            (
                g.images[0].id,
                g.reason,
                ", ".join(i.id for i in g.images[1:]),
                human_bytes(g.surplus_bytes),
            )
            for g in result.duplicates
        ],
        width,
    )
    lines += _block(
        f"Conversions, not duplicates ({len(result.conversions)})",
        ("raw", "qcow2", "why"),
        [(c.raw.id, c.qcow2.id, c.why) for c in result.conversions],
        width,
    )
    return lines


def _totals(result: ReclaimResult, width: int) -> list[str]:
    rows = [
        (
            t.kind,
            t.name,
            str(t.items),
            human_bytes(t.used),
            human_bytes(t.reclaimable),
            human_bytes(t.unknown)
            + (f" +{t.unknown_scopes} undecided" if t.unknown_scopes else ""),
        )
        for t in result.totals
        if t.kind != "class" or t.items or t.unknown or t.unknown_scopes
    ]
    return _block(
        "Totals", ("kind", "name", "items", "used", "reclaimable", "unknown"), rows, width
    )


def render(result: ReclaimResult, *, width: int = DEFAULT_WIDTH) -> str:
    """The result as terminal text ``width`` columns wide."""
    lines = _items(result, width) + _others(result, width) + _totals(result, width)
    lines += textwrap.wrap(summary_line(result), width)
    return "\n".join(lines) + "\n"
