"""Totals per class, store and pool: bytes used, reclaimable, and undecided.

Concepts: ``used`` for a store or pool is what it holds today as read (RBD images' used
bytes with their snapshots', else their size, plus the trash: ``pool_used``, which design's
capacity figures use too; a listing's object sizes; for other stores the
sizes of the images listing them); for a class it is the items' bytes. ``reclaimable`` is
what the unmuted items would free, each resource counted once even when two classes name
it (an image both duplicated and of a deleted project). ``unknown`` is the bytes of
candidates spared for safety; ``unknown_scopes`` counts the classes that could not be
decided there (incomplete inputs), whose bytes cannot be known.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable

from imageyard.model.ceph import Pool, RbdImage
from imageyard.model.finding import Unknown
from imageyard.model.inventory import Inventory
from imageyard.reclaim.classes import CLASSES
from imageyard.reclaim.model import Exclusion, Item, Total


def _unique(items: Iterable[Item]) -> dict[str, Item]:
    out: dict[str, Item] = {}
    for item in items:
        out.setdefault(str(item.finding.resource), item)
    return out


def _class_rows(
    items: tuple[Item, ...], unknowns: tuple[Unknown, ...], excl: tuple[Exclusion, ...]
) -> list[Total]:
    mine: defaultdict[str, list[Item]] = defaultdict(list)
    for item in items:
        mine[item.class_id].append(item)
    spared: defaultdict[str, int] = defaultdict(int)
    for e in excl:
        spared[e.class_id] += e.used
    undecided = Counter(u.rule_id for u in unknowns)
    rows = []
    for meta in CLASSES:
        group = mine.get(meta.id, [])
        rows.append(
            Total(
                "class",
                meta.id,
                len(group),
                sum(i.used or 0 for i in group),
                sum(i.reclaimable for i in group),
                spared[meta.id],
                undecided[meta.id],
            )
        )
    return rows


def rbd_used(image: RbdImage) -> int:
    """Bytes an RBD image takes: its used bytes plus its snapshots' (else its size)."""
    if image.used is None:
        return image.size
    return image.used + sum(s.used or 0 for s in image.snapshots)


def pool_used(pool: Pool) -> int:
    """Bytes a pool's RBD images and trash entries take."""
    return sum(rbd_used(i) for i in pool.images) + sum(t.size or 0 for t in pool.trash)


def _pool_used(inv: Inventory) -> dict[str, int]:
    used: defaultdict[str, int] = defaultdict(int)
    for cluster in inv.ceph_clusters:
        for pool in cluster.pools:
            used[pool.name] += pool_used(pool)
    return dict(used)


def _store_used(inv: Inventory, pools: dict[str, int]) -> dict[str, int]:
    used: dict[str, int] = {}
    listed: defaultdict[str, int] = defaultdict(int)
    for listing in inv.store_listings:
        listed[listing.store] += sum(o.size or 0 for o in listing.objects)
    by_store: defaultdict[str, int] = defaultdict(int)
    for image in inv.images:
        for held in image.stores:
            by_store[held] += image.size or 0
    for store in inv.stores:
        if store.id in used or store.is_reserved:
            continue
        if store.rbd_pool and store.rbd_pool in pools:
            used[store.id] = pools[store.rbd_pool]
        elif store.id in listed:
            used[store.id] = listed[store.id]
        else:
            used[store.id] = by_store[store.id]
    return used


def _scoped(
    kind: str,
    used: dict[str, int],
    items: tuple[Item, ...],
    unknowns: tuple[Unknown, ...],
    excl: tuple[Exclusion, ...],
) -> list[Total]:
    # NOTE: items, exclusions and unknowns grouped by store (pool) once, not scanned per name
    mine: defaultdict[str | None, list[Item]] = defaultdict(list)
    for item in _unique(items).values():
        mine[item.store if kind == "store" else item.pool].append(item)
    spared: defaultdict[str | None, int] = defaultdict(int)
    for e in excl:
        spared[e.store if kind == "store" else e.pool] += e.used
    undecided = Counter(u.resource.id.split(" ")[0] for u in unknowns if u.resource.kind == kind)
    rows = []
    for name in sorted(used):
        group = mine.get(name, [])
        rows.append(
            Total(
                kind,
                name,
                len(group),
                used[name],
                sum(i.reclaimable for i in group),
                spared[name],
                undecided[name],
            )
        )
    return rows


def totals(
    inv: Inventory,
    items: tuple[Item, ...],
    unknowns: tuple[Unknown, ...],
    excl: tuple[Exclusion, ...],
) -> tuple[Total, ...]:
    """Rows per class (registry order), then per store and per pool (by name)."""
    pools = _pool_used(inv)
    rows = _class_rows(items, unknowns, excl)
    rows += _scoped("store", _store_used(inv, pools), items, unknowns, excl)
    rows += _scoped("pool", pools, items, unknowns, excl)
    return tuple(rows)
