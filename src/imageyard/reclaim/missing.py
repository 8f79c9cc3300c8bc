"""Glance locations whose data is missing: the RBD image or its snapshot, a file, an object.

Concepts: only ``active`` and ``deactivated`` images are checked (an image being uploaded
or imported has no data yet by design), and only where the backend was read whole: a pool
not listed, a pool with a gap, or a listing cut short makes the location unknown, never
missing. A pool the cluster does not have at all (its pool list was read) is missing data.
An RBD image moved to the trash is missing too: Glance cannot read it there; when the entry
is a user's (``rbd trash mv``, source ``USER``) the proposed action is ``rbd-trash-restore``
of that entry (restorable, nothing lost), not the removal of the location.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from imageyard.model.ceph import Pool, TrashEntry
from imageyard.model.finding import Evidence, Resource
from imageyard.model.image import Image
from imageyard.model.location import Location, RbdLocation
from imageyard.reclaim.context import Ctx, Outcome
from imageyard.reclaim.objects import object_absent

MISSING = "location-data-missing"
_CHECKED = ("active", "deactivated")


def missing_data(ctx: Ctx) -> Iterator[Outcome]:
    """One item per location whose data is gone; unknowns where it cannot be told."""
    if ctx.idx.locations_hidden is not None:
        yield ctx.unknown(MISSING, Resource("glance", "locations"), ctx.idx.locations_hidden)
        return
    unsure: dict[str, str] = {}
    pools: dict[tuple[str, str], Pool | _Undecided] = {}
    gaps = ctx.idx.location_gaps
    for image in ctx.inv.images:
        if image.status not in _CHECKED:
            continue
        if image.id in gaps:
            yield ctx.unknown(MISSING, Resource("image", image.id), "glance: locations not read")
            continue
        for loc in image.locations:
            absent = _absent(ctx, loc, unsure, pools)
            if absent is not None:
                yield _missing(ctx, image, loc, absent)
    for scope, why in sorted(unsure.items()):
        yield ctx.unknown(MISSING, Resource("store", scope), why)


def _absent(
    ctx: Ctx, loc: Location, unsure: dict[str, str], pools: dict[tuple[str, str], Pool | _Undecided]
) -> str | None:
    """Why ``loc`` has no data; None when it has, or when that cannot be told (``unsure``)."""
    if not loc.rbd_scheme:
        return object_absent(ctx, loc, unsure)
    parsed = loc.parsed
    if not isinstance(parsed, RbdLocation) or parsed.legacy:
        return object_absent(ctx, loc, unsure)
    where = (parsed.fsid, parsed.pool)
    pool = pools.get(where)
    if pool is None:
        pool = pools[where] = _rbd_pool(ctx, parsed)
    if isinstance(pool, Pool):
        return _rbd_image_absent(pool, parsed)
    if pool.missing:
        return pool.why
    unsure.setdefault(loc.store or parsed.pool, pool.why)
    return None


def _missing(ctx: Ctx, image: Image, loc: Location, absent: str) -> Outcome:
    """The item for a location without data (an exclusion while the image is young)."""
    parsed = loc.parsed
    if ctx.too_young(image.updated_at) == "young":
        return ctx.excluded(MISSING, "young", image.size)
    params, action = _proposal(ctx, image, loc)
    return ctx.item(
        MISSING,
        Resource("image", image.id),
        f"image {image.id} ({image.name or ''}): its location in {loc.store or '?'} has no data "
        f"({absent})",
        (Evidence.fact(f"glance: location {loc.url} (store {loc.store})"), Evidence.fact(absent)),
        params=params,
        action=action,
        provisioned=0,
        used=0,
        store=loc.store,
        pool=parsed.pool if isinstance(parsed, RbdLocation) else None,
    )


def _proposal(
    ctx: Ctx, image: Image, loc: Location
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """The action's parameters, and ``rbd-trash-restore`` when a user trashed the data."""
    params = (("image", image.id), ("store", loc.store or ""), ("url", loc.url))
    parsed = loc.parsed
    entry = _restorable(ctx, parsed) if isinstance(parsed, RbdLocation) else None
    if entry is None or not isinstance(parsed, RbdLocation):
        return params, None
    where = (("fsid", parsed.fsid), ("pool", parsed.pool), ("name", parsed.image))
    return (*params, *where, ("trash_id", entry.id)), "rbd-trash-restore"


@dataclass(frozen=True)
class _Undecided:
    """A pool whose images cannot be looked up: ``missing`` (the cluster has no such pool,
    every location in it is missing data) or not read whole (undecided), and why."""

    why: str
    missing: bool = False


def _rbd_pool(ctx: Ctx, loc: RbdLocation) -> Pool | _Undecided:
    """The wholly listed pool ``loc`` names, else why its images cannot be looked up (asked
    once per cluster and pool)."""
    cluster = ctx.inv.ceph_cluster(loc.fsid)
    if cluster is None:
        return _Undecided(f"ceph cluster {loc.fsid} was not read")
    pool = cluster.pool(loc.pool)
    if pool is None:
        if cluster.pool_names is not None and loc.pool not in cluster.pool_names:
            return _Undecided(f"ceph {loc.fsid}: no pool {loc.pool}", missing=True)
        return _Undecided(f"ceph: pool {loc.pool} was not listed")
    gap = ctx.pool_gap(cluster, pool)
    return pool if gap is None else _Undecided(gap)


def _restorable(ctx: Ctx, loc: RbdLocation) -> TrashEntry | None:
    """The user's trash entry holding the location's RBD image, if any."""
    cluster = ctx.inv.ceph_cluster(loc.fsid)
    pool = cluster.pool(loc.pool) if cluster else None
    if pool is None or pool.image(loc.image) is not None:
        return None
    found = [t for t in pool.trash if t.name == loc.image and t.source == "USER"]
    return found[0] if len(found) == 1 else None


def _rbd_image_absent(pool: Pool, loc: RbdLocation) -> str | None:
    image = pool.image(loc.image)
    if image is None:
        trashed = next((t for t in pool.trash if t.name == loc.image), None)
        where = f" (it is in the RBD trash as {trashed.id})" if trashed else ""
        return f"ceph: no RBD image {loc.pool}/{loc.image}{where}"
    if loc.snapshot and image.snapshot(loc.snapshot) is None:
        return f"ceph: {loc.pool}/{loc.image} has no snapshot {loc.snapshot}"
    return None
