"""The sections every text format shows, as (title, headers, rows) of plain strings.

Concepts: table and Markdown print the same sections in the same order; only the
framing differs. ``sections`` gives them after the items (which each format groups its own
way): what could not be decided, what was spared, the pins, the duplicate groups, the
conversions and the totals. A section without rows is left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from imageyard.reclaim.model import ReclaimResult
from imageyard.reclaim.render.document import human_bytes

Section = tuple[str, tuple[str, ...], Sequence[Sequence[str]]]
_DELETE = {True: "409", False: "204, then RBD trash (v2 clones)", None: "409 if a clone is v1"}


def _unknowns(r: ReclaimResult) -> Section:
    rows = [(u.rule_id, str(u.resource), u.reason) for u in r.unknowns]
    return (f"Could not decide ({len(rows)})", ("class", "scope", "missing"), rows)


def _spared(r: ReclaimResult) -> Section:
    rows = [
        (e.class_id, e.reason, str(e.count), human_bytes(e.used), e.pool or e.store or "")
        for e in r.exclusions
    ]
    return ("Spared for safety", ("class", "reason", "count", "bytes", "where"), rows)


def _pins(r: ReclaimResult) -> Section:
    rows = [
        (p.spec, str(p.depth), _DELETE[p.delete_returns_409],
         ", ".join(n.spec for n in p.direct), human_bytes(p.flatten_bytes))
        for p in r.pins
    ]  # fmt: skip
    headers = ("image", "depth", "delete", "flatten first", "flatten bytes")
    return (f"Pinned images ({len(rows)})", headers, rows)


def _duplicates(r: ReclaimResult) -> Section:
    rows = [
        (g.images[0].id, g.reason, ", ".join(i.id for i in g.images[1:]),
         human_bytes(g.surplus_bytes))
        for g in r.duplicates
    ]  # fmt: skip
    return (f"Duplicate groups ({len(rows)})", ("keep", "why", "copies", "surplus"), rows)


def _conversions(r: ReclaimResult) -> Section:
    rows = [(c.raw.id, c.qcow2.id, c.why) for c in r.conversions]
    return (f"Conversions, not duplicates ({len(rows)})", ("raw", "qcow2", "why"), rows)


def _totals(r: ReclaimResult) -> Section:
    rows = [
        (t.kind, t.name, str(t.items), human_bytes(t.used), human_bytes(t.reclaimable),
         human_bytes(t.unknown) + (f" +{t.unknown_scopes} undecided" if t.unknown_scopes else ""))
        for t in r.totals
        if t.kind != "class" or t.items or t.unknown or t.unknown_scopes
    ]  # fmt: skip
    return ("Totals", ("kind", "name", "items", "used", "reclaimable", "unknown"), rows)


SECTIONS: tuple[Callable[[ReclaimResult], Section], ...] = (
    _unknowns,
    _spared,
    _pins,
    _duplicates,
    _conversions,
    _totals,
)


def sections(result: ReclaimResult) -> list[Section]:
    """The non-empty sections after the items, in order."""
    return [s for s in (build(result) for build in SECTIONS) if s[2]]
