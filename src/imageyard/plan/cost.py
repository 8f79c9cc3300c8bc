"""The cost model: a price per store (per GiB-month) and each store's usage before/after.

Concepts: usage counts each image's ``size`` once per store that holds it, before the plan
(the snapshot) and after it (the planned states); a converted image's raw copy adds its
virtual size to the conversion's target store and to every store it is copied to. Stores
without a price are not costed.
"""

from __future__ import annotations

from collections import defaultdict

from imageyard.model.inventory import Inventory
from imageyard.model.plan import Action, StoreCost, StoreUsage

GIB = 1024**3


def _usage(inv: Inventory) -> dict[str, int]:
    used: defaultdict[str, int] = defaultdict(int)
    for image in inv.images:
        for store in image.stores:
            used[store] += image.size or 0
    return used


def store_costs(
    inv: Inventory, actions: tuple[Action, ...], prices: dict[str, float]
) -> tuple[StoreCost, ...]:
    """Each priced store's GiB before and after ``actions``."""
    before = _usage(inv)
    after = dict(before)
    sizes = {i.id: i.size or 0 for i in inv.images}
    for a in actions:
        if a.kind == "copy-image":
            after[a.target] = after.get(a.target, 0) + sizes.get(a.image_id, 0)
        elif a.kind == "delete-from-store":
            after[a.target] = after.get(a.target, 0) - sizes.get(a.image_id, 0)
        elif a.kind in ("convert-to-raw", "copy-converted"):
            after[a.target] = after.get(a.target, 0) + a.bytes
    return tuple(
        StoreCost(store, price, before.get(store, 0) / GIB, after.get(store, 0) / GIB)
        for store, price in sorted(prices.items())
    )


def _moved(a: Action, sizes: dict[str, int]) -> int:
    if a.kind in ("convert-to-raw", "copy-converted"):
        return a.bytes
    return sizes.get(a.image_id, 0)


def store_usage(
    inv: Inventory, actions: tuple[Action, ...], capacities: dict[str, int]
) -> tuple[StoreUsage, ...]:
    """Bytes before, at the peak and after ``actions`` of every store they touch or that
    has a capacity."""
    before = dict(_usage(inv))
    sizes = {i.id: i.size or 0 for i in inv.images}
    added: defaultdict[str, int] = defaultdict(int)
    freed: defaultdict[str, int] = defaultdict(int)
    for a in actions:
        if a.kind in ("copy-image", "convert-to-raw", "copy-converted"):
            added[a.target] += _moved(a, sizes)
        elif a.kind == "delete-from-store":
            freed[a.target] += _moved(a, sizes)
    names = sorted(set(added) | set(freed) | set(capacities))
    return tuple(
        StoreUsage(
            store=s,
            bytes_before=before.get(s, 0),
            bytes_peak=before.get(s, 0) + added[s],
            bytes_after=before.get(s, 0) + added[s] - freed[s],
            capacity=capacities.get(s),
        )
        for s in names
    )
