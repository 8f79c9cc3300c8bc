"""The pin graph: which clones keep an RBD image (and so its Glance image) alive.

Concepts: glance_store refuses to delete an image whose ``snap`` has v1 clones (the
snapshot cannot be unprotected: ``InUseByStore``, HTTP 409 from Glance); with v2 clones
(``clone-child`` in the clone's op_features) the delete succeeds and the image waits in the
RBD trash, with ``snap`` in the trash namespace, until the clones are flattened. Each
``Pin`` is one image in a Glance pool with clones, and every descendant below it (a clone of
a clone, in any pool) with its depth and bytes and what it is (a Nova disk, a Cinder volume,
another Glance image, other). Before the image can go, each direct clone must be flattened
(``rbd flatten``), which writes the parent's data into it: ``flatten_bytes`` is at most the
parent's used bytes per direct clone, capped by the clone's size. When any pool was not
read whole, more clones may exist and the pin says so (``complete`` False).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator

from imageyard.model.ceph import RbdImage
from imageyard.reclaim.consumers import NOVA, consumer_name
from imageyard.reclaim.context import Ctx
from imageyard.reclaim.index import GLANCE_ID, PoolRef
from imageyard.reclaim.model import Pin, PinNode


def pins(ctx: Ctx) -> tuple[Pin, ...]:
    """Every image in a Glance pool that has clones, deepest chains first."""
    whole = all(ctx.pool_gap(r.cluster, r.pool) is None for r in ctx.idx.pools)
    found: list[Pin] = []
    for ref in ctx.idx.pools:
        stores = ctx.idx.glance_pools.get((ref.cluster.fsid, ref.pool.name))
        if not stores:
            continue
        for image in ref.pool.images:
            if ctx.idx.clones(ref.cluster.fsid, ref.pool.name, image):
                found.append(_pin(ctx, ref, image, stores[0].id, whole))
    return tuple(sorted(found, key=lambda p: (-p.depth, -p.flatten_bytes, p.spec)))


def _kind(ctx: Ctx, fsid: str, pool: str, name: str) -> str:
    found = consumer_name(name)
    if found is not None:
        return "instance-disk" if found[0] == NOVA else "volume"
    if GLANCE_ID.fullmatch(name) and (fsid, pool) in ctx.idx.glance_pools:
        return "image" if name in ctx.idx.images else "other"
    return "other"


def _descendants(ctx: Ctx, fsid: str, pool: str, image: RbdImage) -> Iterator[PinNode]:
    queue = deque([(pool, image, 0)])
    seen = {(pool, image.name)}
    while queue:
        parent_pool, parent, depth = queue.popleft()
        for child_pool, child in ctx.idx.clones(fsid, parent_pool, parent):
            if (child_pool, child.name) in seen:
                continue
            seen.add((child_pool, child.name))
            kind = _kind(ctx, fsid, child_pool, child.name)
            v2 = "clone-child" in child.op_features if child.features_known else None
            yield PinNode(f"{child_pool}/{child.name}", kind, depth + 1, child.size, child.used, v2)
            queue.append((child_pool, child, depth + 1))


def _pin(ctx: Ctx, ref: PoolRef, image: RbdImage, store: str, whole: bool) -> Pin:
    nodes = tuple(_descendants(ctx, ref.cluster.fsid, ref.pool.name, image))
    parent_bytes = image.used if image.used is not None else image.size
    flatten = sum(min(n.provisioned, parent_bytes) for n in nodes if n.depth == 1)
    snaps = sorted(
        {
            c.parent.snapshot
            for _, c in ctx.idx.clones(ref.cluster.fsid, ref.pool.name, image)
            if c.parent is not None
        }
    )
    return Pin(
        image_id=image.name,
        spec=f"{ref.pool.name}/{image.name}@{','.join(snaps)}",
        store=store,
        nodes=nodes,
        flatten_bytes=flatten,
        complete=whole,
    )
