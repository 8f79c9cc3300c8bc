"""The cost model: a price per store (per GiB-month) and each store's usage before/after.

Concepts: usage counts each image's ``size`` once per store that holds it, before the plan
(the snapshot) and after it (the planned states); a converted image's raw copy adds its
virtual size to the conversion's target store and to every store it is copied to. Stores
without a price are not costed.
"""

from __future__ import annotations

from collections import defaultdict

from imageyard.model.inventory import Inventory
from imageyard.model.plan import Action, StoreCost

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
