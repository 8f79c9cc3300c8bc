"""RBD data in Glance's pools that no Glance image owns, and what Glance deleted but Ceph kept.

Concepts: glance_store names the RBD image after the Glance image id and protects a
snapshot ``snap`` on it (``rbd://<fsid>/<pool>/<id>/snap``). In a pool some rbd store uses,
an image that no Glance location names is data Glance lost track of
(``rbd-no-glance-image``): an ``rbd import`` by hand, or a copy-image that died after
creating the RBD image (its name is then a live image's id, but no location of that image
points here); with a protected ``snap`` and no Glance image of that id it is the remains of
an image whose Glance row is gone (``rbd-protected-snap-no-image``). An image whose
locations could not be read is spared (its locations might name the data). Deleting an
image that still had other snapshots moves it to the RBD trash (glance_store 4.6.0 and
later): ``rbd-trash-entry``. A snapshot removed while v2 clones use it lives on in the
trash namespace: ``rbd-trash-snapshot``. Nova's ``<uuid>_disk*`` and Cinder's
``volume-<id>`` names are left to the consumer classes; any other name that is not shaped
like a Glance id belongs to another user of a shared pool and is spared (counted).
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.model.ceph import CephCluster, Pool, RbdImage, SnapshotNamespace, TrashEntry
from imageyard.model.finding import Evidence, Resource
from imageyard.model.store import Store
from imageyard.reclaim.consumers import consumer_name
from imageyard.reclaim.context import Ctx, Outcome
from imageyard.reclaim.index import GLANCE_ID, PoolRef

NO_IMAGE = "rbd-no-glance-image"
SNAP_KEPT = "rbd-protected-snap-no-image"
TRASH = "rbd-trash-entry"
TRASH_SNAP = "rbd-trash-snapshot"
GLANCE_CLASSES = (NO_IMAGE, SNAP_KEPT, TRASH)


def glance_pool_data(ctx: Ctx) -> Iterator[Outcome]:
    """Every class above, pool by pool of the rbd stores."""
    pools = {(r.cluster.fsid, r.pool.name): r for r in ctx.idx.pools}
    for (fsid, name), stores in sorted(ctx.idx.glance_pools.items()):
        ref = pools.get((fsid, name))
        resource = Resource("pool", name)
        if ref is None:
            why = f"ceph: pool {name} of store {stores[0].id} was not listed"
            yield from (ctx.unknown(c, resource, why) for c in (*GLANCE_CLASSES, TRASH_SNAP))
            continue
        yield from _pool(ctx, ref, stores[0])


def _pool(ctx: Ctx, ref: PoolRef, store: Store) -> Iterator[Outcome]:
    resource = Resource("pool", ref.pool.name)
    gap = ctx.pool_gap(ref.cluster, ref.pool)
    if gap is not None:
        yield from (ctx.unknown(c, resource, gap) for c in (*GLANCE_CLASSES, TRASH_SNAP))
        return
    yield from _trash_snapshots(ctx, ref, store)
    glance = ctx.idx.catalog_gap or ctx.idx.locations_hidden
    if glance is not None:
        yield from (ctx.unknown(c, resource, glance) for c in GLANCE_CLASSES)
        return
    for image in ref.pool.images:
        yield from _image(ctx, ref, store, image)
    trash = ctx.trash_gap(ref.pool)
    if trash is not None:
        yield ctx.unknown(TRASH, resource, trash)
        return
    for entry in ref.pool.trash:
        yield from _trash_entry(ctx, ref, store, entry)


def _clone_specs(ctx: Ctx, cluster: CephCluster, pool: Pool, key: RbdImage) -> list[str]:
    return sorted(f"{p}/{c.name}" for p, c in ctx.idx.clones(cluster.fsid, pool.name, key))


def _image(ctx: Ctx, ref: PoolRef, store: Store, image: RbdImage) -> Iterator[Outcome]:
    fsid, pool = ref.cluster.fsid, ref.pool.name
    if ctx.idx.referenced(fsid, pool, image.name) or consumer_name(image.name) is not None:
        return
    snap = image.snapshot("snap")
    row = image.name in ctx.idx.images
    cls = SNAP_KEPT if snap is not None and snap.protected and not row else NO_IMAGE
    if image.name in ctx.idx.location_gaps:
        yield ctx.excluded(cls, "locations-unknown", image.used, store=store.id, pool=pool)
        return
    if not GLANCE_ID.fullmatch(image.name):
        yield ctx.excluded(cls, "foreign-name", image.used, store=store.id, pool=ref.pool.name)
        return
    if image.watchers:
        yield ctx.excluded(cls, "watchers", image.used, store=store.id, pool=ref.pool.name)
        return
    young = ctx.too_young(image.modified or image.created)
    if young is not None:
        yield ctx.excluded(cls, young, image.used, store=store.id, pool=ref.pool.name)
        return
    yield _orphan_item(ctx, ref, store, image, cls)


def _orphan_item(ctx: Ctx, ref: PoolRef, store: Store, image: RbdImage, cls: str) -> Outcome:
    pool = ref.pool.name
    clones = _clone_specs(ctx, ref.cluster, ref.pool, image)
    evidence = [
        Evidence.fact(f"ceph {ref.cluster.fsid}: {pool}/{image.name}, {image.size} bytes"),
        _glance_fact(ctx, pool, image.name),
        Evidence.fact(f"last written {image.modified or image.created}"),
    ]
    if cls == SNAP_KEPT:
        evidence.append(Evidence.fact(f"snapshot {pool}/{image.name}@snap is protected"))
    evidence.append(_watchers(image))
    if clones:
        evidence.append(Evidence.fact(f"clones: {', '.join(clones)}"))
    what = (
        "protected snap, no Glance image"
        if cls == SNAP_KEPT
        else "no Glance location"
        if image.name in ctx.idx.images
        else "no Glance image"
    )
    return ctx.item(
        cls,
        Resource("rbd", f"{pool}/{image.name}"),
        f"{pool}/{image.name} ({what}{', pinned by clones' if clones else ''}) in store {store.id}",
        tuple(evidence),
        action="flatten" if clones else None,
        params=_params(ref, image.name, clones),
        provisioned=image.size,
        used=image.used,
        store=store.id,
        pool=pool,
        confident=image.watchers is not None and not _importing(ctx, image.name),
    )


def _importing(ctx: Ctx, name: str) -> bool:
    """True when the Glance image of that id still says a copy or import is under way (its
    task may still write the RBD image)."""
    row = ctx.idx.images.get(name)
    return row is not None and bool(row.os_glance_importing_to_stores)


def _glance_fact(ctx: Ctx, pool: str, name: str) -> Evidence:
    row = ctx.idx.images.get(name)
    if row is None:
        return Evidence.fact(f"glance: no image {name} and no location names {pool}/{name}")
    stores = ", ".join(row.stores) or "none"
    importing = ", ".join(row.os_glance_importing_to_stores)
    busy = f"; still importing to {importing}" if importing else ""
    return Evidence.fact(
        f"glance: image {name} is {row.status} in stores {stores}, but none of its locations "
        f"names {pool}/{name} (an interrupted copy or upload){busy}"
    )


def _params(ref: PoolRef, name: str, clones: list[str]) -> tuple[tuple[str, str], ...]:
    out = [("fsid", ref.cluster.fsid), ("pool", ref.pool.name), ("image", name)]
    if clones:
        out.append(("children", ",".join(clones)))
    return tuple(out)


def _watchers(image: RbdImage) -> Evidence:
    if image.watchers is None:
        return Evidence.fact("watchers not read (collect with --rbd-watchers to check them)")
    return Evidence.fact(f"{image.watchers} watchers")


def _trash_entry(ctx: Ctx, ref: PoolRef, store: Store, entry: TrashEntry) -> Iterator[Outcome]:
    if entry.name in ctx.idx.images or entry.source != "USER":
        return
    if not GLANCE_ID.fullmatch(entry.name):
        yield ctx.excluded(TRASH, "foreign-name", entry.size, store=store.id, pool=ref.pool.name)
        return
    young = ctx.too_young(entry.deleted_at)
    if young is not None:
        yield ctx.excluded(TRASH, young, entry.size, store=store.id, pool=ref.pool.name)
        return
    pool = ref.pool.name
    clones = sorted(
        f"{p}/{c.name}" for p, c in ctx.idx.children.get((ref.cluster.fsid, pool, entry.id), ())
    )
    evidence = [
        Evidence.fact(f"ceph {ref.cluster.fsid}: {pool} trash {entry.id} ({entry.name})"),
        Evidence.fact(f"moved to the trash {entry.deleted_at}; glance: no image {entry.name}"),
    ]
    held = [x.trash_original_name or x.name for x in entry.snapshots
            if x.namespace is SnapshotNamespace.TRASH]  # fmt: skip
    if held:
        evidence.append(Evidence.fact(f"snapshots in the trash namespace: {', '.join(held)}"))
    if clones:
        evidence.append(Evidence.fact(f"clones: {', '.join(clones)}"))
    yield ctx.item(
        TRASH,
        Resource("rbd-trash", f"{pool}/{entry.id}"),
        f"{pool} trash {entry.id} (was {entry.name}){', pinned by clones' if clones else ''}",
        tuple(evidence),
        action="flatten" if clones else None,
        params=(*_params(ref, entry.name, clones), ("trash_id", entry.id)),
        provisioned=entry.size,
        used=entry.size,
        store=store.id,
        pool=pool,
    )


def _trash_snapshots(ctx: Ctx, ref: PoolRef, store: Store) -> Iterator[Outcome]:
    fsid, pool = ref.cluster.fsid, ref.pool.name
    for image in ref.pool.images:
        for snap in image.snapshots:
            if snap.namespace is not SnapshotNamespace.TRASH:
                continue
            names = {snap.name, snap.trash_original_name}
            clones = sorted(
                f"{p}/{c.name}"
                for p, c in ctx.idx.clones(fsid, pool, image)
                if c.parent is not None and c.parent.snapshot in names
            )
            yield ctx.item(
                TRASH_SNAP,
                Resource("rbd-snapshot", f"{pool}/{image.name}@{snap.name}"),
                f"{pool}/{image.name}: snapshot {snap.trash_original_name or snap.name} was "
                f"removed but {len(clones)} v2 clones keep it",
                (
                    Evidence.fact(
                        f"ceph {fsid}: {pool}/{image.name} snapshot id {snap.id} in the trash "
                        "namespace"
                    ),
                    Evidence.fact(f"clones: {', '.join(clones) or 'none read'}"),
                ),
                params=(*_params(ref, image.name, clones), ("snapshot", snap.name)),
                provisioned=snap.size,
                used=snap.used,
                store=store.id,
                pool=pool,
            )
