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
    for image in ctx.inv.images:
        if image.status not in _CHECKED:
            continue
        if image.id in ctx.idx.location_gaps:
            yield ctx.unknown(MISSING, Resource("image", image.id), "glance: locations not read")
            continue
        for loc in image.locations:
            yield from _location(ctx, image, loc, unsure)
    for scope, why in sorted(unsure.items()):
        yield ctx.unknown(MISSING, Resource("store", scope), why)


def _location(ctx: Ctx, image: Image, loc: Location, unsure: dict[str, str]) -> Iterator[Outcome]:
    parsed = loc.parsed
    if isinstance(parsed, RbdLocation) and not parsed.legacy:
        absent = _rbd_absent(ctx, parsed, loc.store or parsed.pool, unsure)
    else:
        absent = object_absent(ctx, loc, unsure)
    if absent is None:
        return
    if ctx.too_young(image.updated_at) == "young":
        yield ctx.excluded(MISSING, "young", image.size)
        return
    params, action = _proposal(ctx, image, loc)
    yield ctx.item(
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


def _rbd_absent(ctx: Ctx, loc: RbdLocation, scope: str, unsure: dict[str, str]) -> str | None:
    cluster = ctx.inv.ceph_cluster(loc.fsid)
    if cluster is None:
        unsure.setdefault(scope, f"ceph cluster {loc.fsid} was not read")
        return None
    pool = cluster.pool(loc.pool)
    if pool is None:
        if cluster.pool_names is not None and loc.pool not in cluster.pool_names:
            return f"ceph {loc.fsid}: no pool {loc.pool}"
        unsure.setdefault(scope, f"ceph: pool {loc.pool} was not listed")
        return None
    gap = ctx.pool_gap(cluster, pool)
    if gap is not None:
        unsure.setdefault(scope, gap)
        return None
    return _rbd_image_absent(pool, loc)


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
