"""Capacity and store balance: what the design puts in each store, against what it holds.

Concepts: a ``Load`` is the planned content of one store (the default and every store the
layout keeps; drained and http stores excepted) as parts, each with its provenance. With an
inventory holding images the parts are measured: what the store holds today (the RBD pool's
usage when Ceph was collected, orphans and trash included, else the sizes of the images
listing the store), the growth of converting its non-raw images (``virtual_size - size``,
section b), the images copied in from drained stores, and for an edge store a raw copy of
every active image it lacks (the upper bound: every image pre-copied to every site).
Without one they are declared: the catalog (only its hot part when the hot/archive split
applies, the cold part in the archive) plus the growth of its qcow2 share. Capacity
(``capacity_gib``, usable GiB after replication) is declared only. ``decide_capacity`` gives
``layout.capacity`` and one warning decision per store that does not fit;
``imbalance_text`` answers the ``store_imbalance`` pain point from the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from imageyard.design.formats import clone_stores, declared_growth_gib
from imageyard.design.holdings import held_bytes, holding
from imageyard.design.layout import CostSplit
from imageyard.design.model import Conversion, Decision, StorePlan
from imageyard.design.provenance import ASSUMED, DECLARED, about, datum, source_of
from imageyard.design.site import MEASURED, Site
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.reclaim.totals import pool_used

GIB = 1024**3
TIGHT = 0.85  # above this share of its capacity a store has no room for uploads in flight
EVEN = 0.2  # stores whose fill levels differ by less than this are balanced


def human(gib: float) -> str:
    """``1.9 TiB``, ``640 GiB`` or ``2.50 GiB``."""
    if gib >= 1024:
        return f"{gib / 1024:.1f} TiB"
    return f"{gib:.0f} GiB" if gib >= 10 else f"{gib:.2f} GiB"


@dataclass(frozen=True)
class Load:
    """What the design puts in one store, part by part (GiB), and its declared capacity."""

    store: StorePlan
    parts: tuple[tuple[str, float], ...]
    capacity_gib: float | None
    unknown: tuple[str, ...] = ()

    @property
    def gib(self) -> float:
        return sum(g for _, g in self.parts)

    @property
    def fill(self) -> float | None:
        """Planned bytes over capacity (None: no capacity declared)."""
        if self.capacity_gib is None:
            return None
        return self.gib / self.capacity_gib if self.capacity_gib else float("inf")

    @property
    def fits(self) -> bool | None:
        fill = self.fill
        return None if fill is None else fill <= 1

    def verdict(self) -> str:
        if self.capacity_gib is None:
            return f"{human(self.gib)} planned, capacity not declared"
        fill = self.fill or 0.0
        word = "fits" if fill <= TIGHT else "fits, tight" if fill <= 1 else "DOES NOT FIT"
        return f"{human(self.gib)} of {human(self.capacity_gib)} ({fill:.0%}), {word}"


def _now(inv: Inventory, plan: StorePlan) -> tuple[str, float]:
    """What the store holds today: the pool's usage when Ceph was read, else image sizes."""
    cluster = inv.ceph_cluster(plan.fsid) if plan.type == "rbd" and plan.fsid else None
    pool = cluster.pool(plan.pool) if cluster and plan.pool else None
    if pool is not None and pool.complete:
        used = pool_used(pool)
        return (
            f"measured: Ceph pool {pool.name} uses {human(used / GIB)} today "
            f"({len(pool.images)} RBD images, {len(pool.trash)} in the trash)",
            used / GIB,
        )
    held = holding(inv, plan.id)
    total = held_bytes(inv, plan.id)
    return (
        f"measured: {len(held)} images list {plan.id} today, {human(total / GIB)} by size",
        total / GIB,
    )


def raw_bytes(image: Image) -> int:
    """The bytes of ``image`` once stored as raw."""
    if image.disk_format in ("raw", "iso") or image.virtual_size is None:
        return image.size or 0
    return max(image.virtual_size, image.size or 0)


def _measured(
    inv: Inventory, plan: StorePlan, stores: tuple[StorePlan, ...], items: tuple[Conversion, ...]
) -> tuple[list[tuple[str, float]], list[str]]:
    parts = [_now(inv, plan)]
    unknown: list[str] = []
    mine = [c for c in items if c.store == plan.id]
    known = [c.extra_bytes for c in mine if c.extra_bytes is not None]
    if known:
        parts.append(
            (
                f"measured: +{len(known)} non-raw images converted to raw (virtual_size - size)",
                sum(known) / GIB,
            )
        )
    if len(known) < len(mine):
        unknown.append(
            datum(
                ASSUMED,
                f"{plan.id}: {len(mine) - len(known)} images to convert lack virtual_size "
                "(their growth is not counted)",
            )
        )
    draining = {s.id for s in stores if s.role == "drain"}
    moving = (
        [
            i
            for i in inv.images
            if i.is_active and plan.id not in i.stores and draining & set(i.stores)
        ]
        if plan.is_default and draining
        else []
    )
    if moving:
        parts.append(
            (
                f"measured: +{len(moving)} images copied in from "
                f"{', '.join(sorted(draining))} as raw",
                sum(raw_bytes(i) for i in moving) / GIB,
            )
        )
    if plan.role == "edge":
        missing = [i for i in inv.images if i.is_active and plan.id not in i.stores]
        parts.append(
            (
                f"measured: +{len(missing)} active images it lacks, copied as raw (upper bound: "
                "every image pre-copied to this site)",
                sum(raw_bytes(i) for i in missing) / GIB,
            )
        )
    return parts, unknown


def _declared(
    site: Site, plan: StorePlan, stores: tuple[StorePlan, ...], split: CostSplit | None
) -> tuple[list[tuple[str, float]], list[str]]:
    cat = site.catalog
    src = cat.source
    if split is not None and plan.id == split.archive.id:
        cold = split.total_gib - split.hot_gib
        return [(f"{src}: the cold part of the catalog, qcow2 allowed", cold)], []
    if split is not None and plan.id == split.default.id:
        scale = split.hot_gib / split.total_gib
        parts = [(f"{site.boot.source}: the hot images only (hot/archive split)", split.hot_gib)]
    elif plan.is_default or plan.role == "edge":
        scale = 1.0
        what = (
            "the whole catalog" if plan.is_default else "a copy of the whole catalog (upper bound)"
        )
        parts = [(f"{src}: {cat.images} images, {what}", cat.total_gib)]
    else:
        return [], []
    if plan.id not in clone_stores(stores):
        return parts, []
    growth = declared_growth_gib(cat)
    if growth is None:
        return parts, [
            datum(ASSUMED, f"{plan.id}: qcow2 growth not counted (declare catalog.virtual_gib)")
        ]
    if growth:
        parts.append(
            (
                f"{src}: +{cat.share('qcow2'):.0%} qcow2 converted to raw (virtual - size)",
                growth * scale,
            )
        )
    return parts, []


def plan_loads(
    site: Site,
    inv: Inventory | None,
    stores: tuple[StorePlan, ...],
    items: tuple[Conversion, ...],
    split: CostSplit | None,
) -> tuple[Load, ...]:
    """The planned content of every store the layout keeps (measured data wins)."""
    capacity = {b.id: b.capacity_gib for b in site.backends}
    out = []
    for plan in stores:
        if plan.role in ("drain", "review") or plan.type == "http":
            continue
        if inv is not None and inv.images:
            parts, unknown = _measured(inv, plan, stores, items)
        elif site.catalog.total_gib:
            parts, unknown = _declared(site, plan, stores, split)
        else:
            parts, unknown = [], []
        cap = capacity.get(plan.id)
        if parts or cap is not None:
            out.append(Load(plan, tuple(parts), cap, tuple(unknown)))
    return tuple(out)


# ---------------------------------------------------------------- decisions


def _remedies(load: Load, stores: tuple[StorePlan, ...]) -> str:
    plan = load.store
    out = []
    if (
        any(
            label.startswith(("measured: +", "declared: +")) and "raw" in label
            for label, _ in load.parts
        )
        and plan.type == "rbd"
    ):
        out.append(
            f"set rbd_thin_provisioning = True in [{plan.id}] so converted images stay sparse"
        )
    archive = [s.id for s in stores if s.role == "archive"]
    if plan.is_default and archive:
        out.append(
            f"keep only the most booted images here and the rest in {archive[0]} (copy-image, "
            f"then glance stores-delete --store {plan.id})"
        )
    if plan.role == "edge":
        out.append(
            "copy only what this site boots (Nova's images_rbd_glance_store_name copies on first "
            "boot) instead of pre-copying every image"
        )
    out.append("add capacity before converting, and convert the most booted images first")
    return "; ".join(out)


def _warning(load: Load, stores: tuple[StorePlan, ...]) -> Decision:
    plan = load.store
    cap = load.capacity_gib or 0.0
    where = f"Ceph pool {plan.pool} ({plan.id})" if plan.type == "rbd" else f"{plan.type} {plan.id}"
    grows = any("raw" in label for label, _ in load.parts[1:])
    why = (
        f"The {where} would hold {human(load.gib)}{' after conversion' if grows else ''}; "
        f"declared capacity {human(cap)}, short by {human(load.gib - cap)}. Options: "
        f"{_remedies(load, stores)}."
    )
    return Decision(
        f"layout.capacity.{plan.id}",
        "layout",
        f"Capacity warning: {plan.id}",
        f"does not fit: {human(load.gib)} planned, declared capacity {human(cap)}",
        why,
        _facts(load),
        tuple(f"{label}: {human(g)}" for label, g in load.parts) + load.unknown,
        warning=True,
    )


def _facts(*loads: Load) -> tuple[str, ...]:
    facts = ["default-backend"]
    if any("raw" in label for ld in loads for label, _ in ld.parts[1:]):
        facts += ["raw-grows", "rbd-thin-provisioning"]
    if any(ld.store.role == "edge" for ld in loads):
        facts.append("dcn-edge")
    if any("copied in" in label for ld in loads for label, _ in ld.parts):
        facts.append("store-holding-images")
    return tuple(facts)


def decide_capacity(loads: tuple[Load, ...], stores: tuple[StorePlan, ...]) -> list[Decision]:
    """``layout.capacity`` and a warning per store that does not fit."""
    if not loads:
        return []
    why = (
        "What the design puts in each store against its declared capacity (usable GiB, after "
        "replication). Measured data wins: with an inventory, the RBD pool's usage (orphans and "
        "trash included) or the image sizes, plus the conversions and copies the design adds; "
        "without one, the declared catalog."
    )
    if any((ld.fill or 0.0) > TIGHT for ld in loads):
        why += f" Above {TIGHT:.0%} there is no room for uploads and conversions in flight."
    evidence = [about(ld.store.id, f"{label}: {human(g)}") for ld in loads for label, g in ld.parts]
    evidence += [
        f"declared: {ld.store.id} capacity_gib {ld.capacity_gib:g}"
        for ld in loads
        if ld.capacity_gib is not None
    ]
    evidence += [u for ld in loads for u in ld.unknown]
    out = [
        Decision(
            "layout.capacity",
            "layout",
            "Capacity",
            "; ".join(f"{ld.store.id}: {ld.verdict()}" for ld in loads),
            why,
            _facts(*loads),
            tuple(evidence),
        )
    ]
    out += [_warning(ld, stores) for ld in loads if ld.fits is False]
    return out


# ---------------------------------------------------------------- store imbalance


@dataclass(frozen=True)
class _Row:
    store: str
    images: int | None
    gib: float
    capacity: float | None

    @property
    def fill(self) -> float | None:
        return self.gib / self.capacity if self.capacity else None

    def text(self, total: float) -> str:
        count = f"{self.images} images, " if self.images is not None else ""
        share = f", {self.gib / total:.0%} of all bytes" if total else ""
        fill = f", {self.fill:.0%} of its capacity" if self.fill is not None else ""
        return f"{self.store}: {count}{human(self.gib)}{share}{fill}"


def _rows(site: Site, loads: tuple[Load, ...]) -> tuple[str, list[_Row]]:
    measured = [b for b in site.backends if b.source == MEASURED]
    if measured:
        return MEASURED, [
            _Row(b.id, b.image_count, b.stored_bytes / GIB, b.capacity_gib) for b in measured
        ]
    basis = {source_of(label) for ld in loads for label, _ in ld.parts} - {None}
    source = DECLARED if basis == {DECLARED} else ASSUMED  # planned from declared data alone
    return source, [_Row(ld.store.id, None, ld.gib, ld.capacity_gib) for ld in loads]


@dataclass(frozen=True)
class Imbalance:
    """The ``store_imbalance`` answer: for the default-store and the weights decisions."""

    default_text: str
    weights_text: str
    evidence: tuple[str, ...]


def imbalance(
    site: Site, stores: tuple[StorePlan, ...], loads: tuple[Load, ...], split: CostSplit | None
) -> Imbalance:
    """Which store is overloaded, what the default and the weights do about it."""
    source, rows = _rows(site, loads)
    total = sum(r.gib for r in rows)
    planned = "" if source == MEASURED else "planned: "
    evidence = tuple(datum(source, f"{planned}{r.text(total)}") for r in rows)
    default = next((s for s in stores if s.is_default), None)
    if len(rows) < 2 or default is None:
        text = (
            "Store imbalance (declared) is contradicted by the data: there is only one store, so "
            "Glance has nothing to balance; an uneven Ceph pool is a matter of its OSDs "
            "(ceph osd df), not of Glance."
        )
        return Imbalance(text, "", evidence)
    filled = [r for r in rows if r.fill is not None]
    if len(filled) >= 2:
        top = max(filled, key=lambda r: r.fill or 0.0)
        spread = (top.fill or 0.0) - min(r.fill or 0.0 for r in filled)
        even = spread < EVEN and (top.fill or 0.0) <= TIGHT
        measure = "fill level"
    else:
        top = max(rows, key=lambda r: (r.gib, r.images or 0))
        even = False
        measure = "bytes"
    listed = "; ".join(r.text(total) for r in rows)
    if source == MEASURED and even:
        head = (
            "Store imbalance (declared) is contradicted by the data: measured fill levels are "
            f"within {EVEN * 100:.0f} points of each other and below {TIGHT:.0%} ({listed})."
        )
    elif source == MEASURED:
        head = f"Store imbalance (declared): by {measure}, {top.store} carries the most ({listed})."
    else:
        head = (
            "Store imbalance (declared): nothing is measured; as this design places the "
            f"catalog ({listed}), "
            + ("the stores are evenly filled." if even else f"{top.store} carries the most.")
        )
    overloaded = not even and (source == MEASURED or (top.fill or 0.0) > TIGHT)
    archive = next((s.id for s in stores if s.role == "archive"), None)
    act = _relieve(top.store, default.id, archive) if overloaded else ""
    if split is not None:
        growth = declared_growth_gib(site.catalog)
        cap = next((ld.capacity_gib for ld in loads if ld.store.id == split.default.id), None)
        whole = split.total_gib + (growth or 0.0)
        act += (
            f" Kept whole in {split.default.id} the catalog would take "
            f"{'at least ' if growth is None else ''}{human(whole)}"
            + (f" ({whole / cap:.0%} of its capacity)" if cap else "")
            + f"; the hot/archive split leaves {human(split.hot_gib)} there and the rest in "
            f"{split.archive.id}."
        )
    weights = ", ".join(f"{s.id}={s.weight}" for s in stores if s.weight is not None)
    wtext = (
        f"Store imbalance: weights ({weights or 'not available before Glance 27'}) only order "
        "the copies an image already has (which is read first and which is direct_url); they "
        "move no data and do not choose where uploads land (default_backend does). "
        + (
            f"{top.store} is read first for the images it holds."
            if top.store == stores[0].id
            else f"{top.store} is read only for images no higher-weighted store holds."
        )
    )
    return Imbalance(head + act, wtext, evidence)


def _relieve(top: str, default: str, archive: str | None) -> str:
    """What relieves the most loaded store."""
    if top == default:
        how = (
            f"moving rarely booted images to {archive} (copy-image, then stores-delete)"
            if archive
            else "adding capacity or removing unused images (section e)"
        )
        return (
            f" {default} stays the default because it is where images are cloned, and every "
            f"upload or import without a store lands there: relieve it by {how}, not by "
            "changing the default."
        )
    return (
        f" The default is {default}, so new images stop adding to {top}; images already there "
        f"move only by copy-image into {default}, then stores-delete."
    )
