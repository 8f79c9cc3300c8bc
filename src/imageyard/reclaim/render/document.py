"""A reclaim result as JSON-ready data, in a fixed order (the canonical form).

Concepts: ``result_document`` gives the schema name, the settings, a summary, one entry
per class (state and totals), the items (each an audit-style finding plus its bytes and
store or pool), the unknowns, the exclusions, the pins, the duplicate groups, the
conversions and the totals per store and pool. ``summary_line`` is the one sentence every
format ends or starts with.
"""

from __future__ import annotations

from typing import Any

from imageyard.reclaim.classes import CLASSES
from imageyard.reclaim.model import DupGroup, Item, Pin, ReclaimResult, Total
from imageyard.report.view import finding_doc, unknown_doc

RECLAIM_SCHEMA = "imageyard-reclaim/1"


def item_doc(item: Item) -> dict[str, Any]:
    """One item: its finding plus bytes and place."""
    doc = finding_doc(item.finding)
    doc.update(
        {
            "class": item.class_id,
            "provisioned": item.provisioned,
            "used": item.used,
            "reclaimable": item.reclaimable,
            "store": item.store,
            "pool": item.pool,
        }
    )
    return doc


def pin_doc(pin: Pin) -> dict[str, Any]:
    """One pinned image and its clone chain."""
    return {
        "image_id": pin.image_id,
        "spec": pin.spec,
        "store": pin.store,
        "depth": pin.depth,
        "delete_returns_409": pin.delete_returns_409,
        "flatten_first": [n.spec for n in pin.direct],
        "flatten_bytes": pin.flatten_bytes,
        "complete": pin.complete,
        "nodes": [
            {
                "spec": n.spec,
                "kind": n.kind,
                "depth": n.depth,
                "provisioned": n.provisioned,
                "used": n.used,
                "clone_v2": n.clone_v2,
            }
            for n in pin.nodes
        ],
    }


def group_doc(group: DupGroup) -> dict[str, Any]:
    """One duplicate group: the kept image first."""
    return {
        "algo": group.algo,
        "value": group.value,
        "keep": group.images[0].id,
        "keep_reason": group.reason,
        "copies": [i.id for i in group.images[1:]],
        "surplus_bytes": group.surplus_bytes,
    }


def _total_doc(t: Total) -> dict[str, Any]:
    return {
        "kind": t.kind,
        "name": t.name,
        "items": t.items,
        "used": t.used,
        "reclaimable": t.reclaimable,
        "unknown": t.unknown,
        "unknown_scopes": t.unknown_scopes,
    }


def shared_scopes(result: ReclaimResult) -> list[str]:
    """Pools and stores that also hold data not named like Glance's (another user's)."""
    found = {
        f"pool {e.pool}" if e.pool else f"store {e.store}"
        for e in result.exclusions
        if e.reason == "foreign-name" and (e.pool or e.store)
    }
    return sorted(found)


def summary_doc(result: ReclaimResult) -> dict[str, int]:
    """Counts and bytes for the whole result."""
    states = dict(result.classes)
    return {
        "items": sum(1 for i in result.items if i.finding.status.value == "fail"),
        "items_muted": sum(1 for i in result.items if i.finding.status.value == "muted"),
        "reclaimable": sum(t.reclaimable for t in result.totals if t.kind == "class"),
        "classes_unknown": sum(1 for s in states.values() if s == "unknown"),
        "unknowns": len(result.unknowns),
        "excluded": sum(e.count for e in result.exclusions),
        "pins": len(result.pins),
        "duplicate_groups": len(result.duplicates),
        "conversions": len(result.conversions),
    }


def result_document(result: ReclaimResult) -> dict[str, Any]:
    """The whole result as JSON-ready data."""
    states = dict(result.classes)
    return {
        "schema": RECLAIM_SCHEMA,
        "inventory_generated_at": result.inventory_generated_at,
        "settings": dict(result.settings),
        "summary": summary_doc(result),
        "classes": [
            {"id": c.id, "family": c.family, "title": c.title, "state": states[c.id]}
            for c in CLASSES
        ],
        "items": [item_doc(i) for i in result.items],
        "unknowns": [unknown_doc(u) for u in result.unknowns],
        "excluded": [
            {
                "class": e.class_id,
                "reason": e.reason,
                "count": e.count,
                "used": e.used,
                "store": e.store,
                "pool": e.pool,
            }
            for e in result.exclusions
        ],
        "shared_with_others": shared_scopes(result),
        "pins": [pin_doc(p) for p in result.pins],
        "duplicates": [group_doc(g) for g in result.duplicates],
        "conversions": [
            {"raw": c.raw.id, "qcow2": c.qcow2.id, "why": c.why} for c in result.conversions
        ],
        "totals": [_total_doc(t) for t in result.totals],
    }


def human_bytes(n: int) -> str:
    """``n`` bytes as B, KiB, MiB, GiB or TiB (one decimal above bytes)."""
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


def summary_line(result: ReclaimResult) -> str:
    """One sentence: items, bytes, unknown classes, exclusions; nothing deleted."""
    s = summary_doc(result)
    return (
        f"reclaim: {s['items']} items ({s['items_muted']} muted), "
        f"{human_bytes(s['reclaimable'])} reclaimable; {s['classes_unknown']} classes unknown "
        f"({s['unknowns']} scopes); {s['excluded']} candidates spared; {s['pins']} pinned "
        f"images, {s['duplicate_groups']} duplicate groups; nothing was deleted"
    )
