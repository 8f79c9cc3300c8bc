"""Markdown: the reclaim result for tickets and change requests."""

from __future__ import annotations

from collections.abc import Sequence

from imageyard.reclaim.model import ReclaimResult
from imageyard.reclaim.render.document import human_bytes, summary_line


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(headers: tuple[str, ...], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    return out + ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]


def _section(title: str, headers: tuple[str, ...], rows: Sequence[Sequence[str]]) -> list[str]:
    if not rows:
        return []
    return ["", f"## {title}", "", *_table(headers, rows)]


def render(result: ReclaimResult) -> str:
    """The result as a Markdown document."""
    lines = ["# imageyard reclaim", "", summary_line(result)]
    lines += _section(
        "Items",
        ("class", "severity", "resource", "used", "action", "message", "status"),
        [
            (
                f"`{i.class_id}`",
                i.finding.severity.value,
                str(i.finding.resource),
                "?" if i.used is None else human_bytes(i.used),
                i.finding.action.kind if i.finding.action else "",
                i.finding.message,
                i.finding.status.value,
            )
            for i in result.items
        ],
    )
    lines += _section(
        "Could not decide",
        ("class", "scope", "missing"),
        [(f"`{u.rule_id}`", str(u.resource), u.reason) for u in result.unknowns],
    )
    lines += _section(
        "Spared for safety",
        ("class", "reason", "count", "bytes"),
        [
            (f"`{e.class_id}`", e.reason, str(e.count), human_bytes(e.used))
            for e in result.exclusions
        ],
    )
    lines += _section(
        "Pinned images",
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
    )
    lines += _section(
        "Duplicates",
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
    )
    lines += _section(
        "Conversions (not duplicates)",
        ("raw", "qcow2", "why"),
        [(c.raw.id, c.qcow2.id, c.why) for c in result.conversions],
    )
    lines += _section(
        "Totals",
        ("kind", "name", "items", "used", "reclaimable", "unknown", "undecided"),
        [
            (
                t.kind,
                t.name,
                str(t.items),
                human_bytes(t.used),
                human_bytes(t.reclaimable),
                human_bytes(t.unknown),
                str(t.unknown_scopes),
            )
            for t in result.totals
        ],
    )
    return "\n".join(lines) + "\n"
