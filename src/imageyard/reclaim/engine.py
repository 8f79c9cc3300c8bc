"""The reclaim analysis: run every class once over one index of the inventory.

Concepts: ``analyse`` indexes the inventory once (``index.Index``), runs the class
functions in ``STEPS`` (each yields items, unknowns and exclusions), computes the pin
graph, the duplicate groups and the conversions, applies the mute entries exactly as
``audit`` does, and adds everything up (``totals``). A class is ``unknown`` when any of its
scopes could not be decided, else ``checked``. The result is a value; nothing is deleted
and nothing is written.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace

from imageyard.audit.mute import Mute, apply_mutes
from imageyard.model.finding import Unknown
from imageyard.model.inventory import Inventory
from imageyard.reclaim.classes import CLASSES
from imageyard.reclaim.consumers import leftovers
from imageyard.reclaim.context import Ctx, Outcome, ReclaimSettings
from imageyard.reclaim.duplicates import conversions, duplicate_groups, duplicate_items
from imageyard.reclaim.index import Index
from imageyard.reclaim.missing import missing_data
from imageyard.reclaim.model import Exclusion, Item, ReclaimResult
from imageyard.reclaim.objects import store_objects
from imageyard.reclaim.pins import pins
from imageyard.reclaim.rbd import glance_pool_data
from imageyard.reclaim.stale import deleted_owners, never_used, stuck
from imageyard.reclaim.totals import totals

Step = Callable[[Ctx], Iterable[Outcome]]

STEPS: tuple[Step, ...] = (
    glance_pool_data,
    store_objects,
    missing_data,
    leftovers,
    deleted_owners,
    never_used,
    stuck,
)


def _split(outcomes: Iterable[Outcome]) -> tuple[list[Item], list[Unknown], list[Exclusion]]:
    items: list[Item] = []
    unknowns: list[Unknown] = []
    spared: list[Exclusion] = []
    for o in outcomes:
        if isinstance(o, Item):
            items.append(o)
        elif isinstance(o, Unknown):
            unknowns.append(o)
        else:
            spared.append(o)
    return items, unknowns, spared


def _sum_exclusions(spared: list[Exclusion]) -> tuple[Exclusion, ...]:
    counts: defaultdict[tuple[str, str, str | None, str | None], list[int]] = defaultdict(
        lambda: [0, 0]
    )
    for e in spared:
        cell = counts[(e.class_id, e.reason, e.store, e.pool)]
        cell[0] += e.count
        cell[1] += e.used
    return tuple(
        Exclusion(c, r, n, b, s, p)
        for (c, r, s, p), (n, b) in sorted(counts.items(), key=lambda kv: str(kv[0]))
    )


def _muted(items: list[Item], mutes: tuple[Mute, ...], today: datetime.date) -> list[Item]:
    if not mutes:
        return items
    findings = apply_mutes((i.finding for i in items), mutes, today)
    return [replace(i, finding=f) for i, f in zip(items, findings, strict=True)]


def analyse(
    inv: Inventory,
    settings: ReclaimSettings | None = None,
    *,
    mutes: tuple[Mute, ...] = (),
    today: datetime.date | None = None,
) -> ReclaimResult:
    """The whole reclaim analysis of ``inv``."""
    ctx = Ctx(inv, Index.of(inv), settings or ReclaimSettings())
    groups = duplicate_groups(ctx)
    outcomes: list[Outcome] = [o for step in STEPS for o in step(ctx)]
    outcomes += duplicate_items(ctx, groups)
    items, unknowns, spared = _split(outcomes)
    items = _muted(items, mutes, today or datetime.date.today())
    order = {c.id: n for n, c in enumerate(CLASSES)}
    items.sort(key=lambda i: (order[i.class_id], str(i.finding.resource), i.finding.message))
    unknowns.sort(key=lambda u: (order[u.rule_id], str(u.resource), u.reason))
    exclusions = _sum_exclusions(spared)
    undecided = {u.rule_id for u in unknowns}
    return ReclaimResult(
        items=tuple(items),
        unknowns=tuple(unknowns),
        exclusions=exclusions,
        pins=pins(ctx),
        duplicates=groups,
        conversions=conversions(ctx),
        totals=totals(inv, tuple(items), tuple(unknowns), exclusions),
        classes=tuple((c.id, "unknown" if c.id in undecided else "checked") for c in CLASSES),
        inventory_generated_at=inv.generated_at,
        settings=ctx.settings.described(),
    )
