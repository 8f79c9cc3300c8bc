"""Placement by policy: hot and golden images on every site's Ceph store, cold ones off it.

Concepts: each active image in scope gets a tier from its usage (``plan.usage``) and the
``TierPolicy``: *golden* (public, or tagged ``golden_tag``), *hot* (``uses >= hot_uses`` or
``boots >= hot_boots``), *cold* (no user, no boot in the window, users known) or *warm*
(left as it is). A *site's Ceph store* is the Glance RBD store each RBD consumer clones from
(``generate.ceph_store``); with no RBD consumer in the snapshot, every writable RBD store.
Golden and hot raw images are copied into each site's Ceph store, hottest first, so that
when a store's capacity runs out it is the coldest that are left out (non-raw ones are the
conversion rule's). A cold image is copied to ``cold_store`` and then deleted from each
RBD store, unless an RBD clone in the snapshot still has it as parent or Ceph was not read
completely (a clone pins the data, and Glance's RBD driver refuses the delete); the
ordinary placement and conversion rules leave cold images alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imageyard.audit.cow import consumers
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store
from imageyard.plan.policy import PlanPolicy, TierPolicy
from imageyard.plan.usage import ImageUse, image_usage
from imageyard.simulate.trace import Trace

if TYPE_CHECKING:
    from imageyard.plan.generate import _Builder


def tier_of(image: Image, use: ImageUse, tier: TierPolicy) -> str:
    """``golden``, ``hot``, ``cold`` or ``warm``."""
    if image.visibility == "public" or tier.golden_tag in image.tags:
        return "golden"
    if use.uses >= tier.hot_uses or use.boots >= tier.hot_boots:
        return "hot"
    if use.known and use.uses == 0 and use.boots == 0:
        return "cold"
    return "warm"


def site_stores(inv: Inventory) -> list[Store]:
    """The Ceph store of every site (each RBD consumer's), else every writable RBD store."""
    from imageyard.plan.generate import ceph_store

    found: dict[str, Store] = {}
    for consumer in consumers(inv):
        store = ceph_store(inv, consumer) if consumer.rbd else None
        if store is not None:
            found.setdefault(store.id, store)
    if not found:
        rbd = (s for s in inv.stores if s.type.value == "rbd" and not s.read_only)
        found = {s.id: s for s in rbd if not s.is_reserved}
    return sorted(found.values(), key=lambda s: s.id)


def _pinned(inv: Inventory, image: Image, store: Store) -> bool:
    """True when a clone may still have the image as parent: one is in the snapshot, or
    Ceph was not read completely (a clone could be in what was not read)."""
    if not inv.is_complete("ceph"):
        return True
    pool = store.rbd_pool or ""
    return any(c.children(pool, image.id) for c in inv.ceph_clusters)


def _why(kind: str, use: ImageUse, tier: TierPolicy) -> str:
    counts = f"{use.uses} users, {use.boots} boots in {tier.window_days} days"
    return f"{kind} ({counts})"


def tier_actions(b: _Builder, policy: PlanPolicy, trace: Trace | None) -> None:
    """Add the copies and deletes placement by policy asks for."""
    tier = policy.tier
    assert tier is not None
    usage = image_usage(b.inv, tier.window_days, trace)
    images = [i for i in b.inv.images if i.is_active and policy.selects(i)]
    images.sort(key=lambda i: (-usage[i.id].boots, -usage[i.id].uses, i.name or "", i.id))
    sites = site_stores(b.inv)
    for image in images:
        kind = tier_of(image, usage[image.id], tier)
        why = _why(kind, usage[image.id], tier)
        if kind in ("golden", "hot") and image.disk_format == "raw":
            for store in sites:
                b.copy(image, store.id, f"{why}: on every site's Ceph store")
        elif kind == "cold":
            b.cold.add(image.id)
            _cold(b, image, tier, sites, why)


def _cold(b: _Builder, image: Image, tier: TierPolicy, sites: list[Store], why: str) -> None:
    if tier.cold_store is None or not b.copy(image, tier.cold_store, f"{why}: to cold storage"):
        return
    for store in sites:
        if store.id in b.state(image).stores and not _pinned(b.inv, image, store):
            b.delete(image, store.id, f"{why}: off the Ceph store, kept in {tier.cold_store}")
