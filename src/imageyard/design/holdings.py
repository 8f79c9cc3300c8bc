"""What each Glance store holds, indexed once per inventory for every design stage.

Concepts: the layout's measured backends (``situation``), the capacity of each store
(``capacity``) and the drain step (``reclaim``) each ask, per store, which images list it
in ``stores``, and how many bytes those are (``held_bytes``). ``holding`` answers from one
pass over the catalog, kept with the inventory (``Inventory.derived``), instead of a scan of
every image per store and per stage; ``held_bytes`` sums each store's images once.
"""

from __future__ import annotations

from collections import defaultdict

from imageyard.model.image import Image
from imageyard.model.inventory import Inventory


def holding(inv: Inventory, store: str) -> tuple[Image, ...]:
    """The images whose ``stores`` list ``store``, in catalog order."""
    return inv.derived("design.holdings", lambda: _by_store(inv)).get(store, ())


def held_bytes(inv: Inventory, store: str) -> int:
    """The sum of the sizes of the images ``holding`` lists for ``store``."""
    return inv.derived("design.held-bytes", lambda: _bytes_by_store(inv)).get(store, 0)


def _bytes_by_store(inv: Inventory) -> dict[str, int]:
    held = inv.derived("design.holdings", lambda: _by_store(inv))
    return {store: sum(i.size or 0 for i in images) for store, images in held.items()}


def _by_store(inv: Inventory) -> dict[str, tuple[Image, ...]]:
    out: defaultdict[str, list[Image]] = defaultdict(list)
    for image in inv.images:
        for store in dict.fromkeys(image.stores):  # NOTE: a store listed twice holds it once
            out[store].append(image)
    return {store: tuple(images) for store, images in out.items()}
