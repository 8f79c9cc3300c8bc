"""Markdown: the reclaim result for tickets and change requests."""

from __future__ import annotations

from collections.abc import Sequence

from imageyard.reclaim.model import Item, ReclaimResult
from imageyard.reclaim.render.document import human_bytes, summary_line
from imageyard.reclaim.render.rows import sections

_ITEM_HEADERS = ("class", "severity", "resource", "used", "action", "message", "status")


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _section(title: str, headers: tuple[str, ...], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    table = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    table += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return ["", f"## {title}", "", *table]


def _item_row(i: Item) -> tuple[str, ...]:
    f = i.finding
    used = "?" if i.used is None else human_bytes(i.used)
    action = f.action.kind if f.action else ""
    return (f"`{i.class_id}`", f.severity.value, str(f.resource), used, action, f.message,
            f.status.value)  # fmt: skip


def render(result: ReclaimResult) -> str:
    """The result as a Markdown document."""
    lines = ["# imageyard reclaim", "", summary_line(result)]
    lines += _section("Items", _ITEM_HEADERS, [_item_row(i) for i in result.items])
    for title, headers, rows in sections(result):
        lines += _section(title, headers, rows)
    return "\n".join(lines) + "\n"
