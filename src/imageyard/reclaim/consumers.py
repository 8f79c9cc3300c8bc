"""Consumer leftovers: Nova disks without a server, Cinder volumes without a volume.

Concepts: Nova's RBD image backend names each disk ``<instance uuid>_<disk>`` with
``disk``, ``disk.local``, ``disk.swap``, ``disk.config``, ``disk.rescue`` or
``disk.eph<N>`` (nova/virt/libvirt/imagebackend.py, blockinfo.py). Cinder's RBD driver
names a volume by ``volume_name_template`` (``volume-<id>``) and renames a deleted volume
that still has clones to ``volume-<id>.deleted`` (cinder/volume/drivers/rbd.py). Such data
without its server or volume is a leftover, but only when Nova's (Cinder's) list was read
whole: with a gap in it, the class is unknown. A pool ``nova.conf`` (``images_rbd_pool``) or
``cinder.conf`` (``rbd_pool``) names that Ceph's reading did not list is unknown too, and so
is everything when Ceph was not read or a cluster could not be reached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imageyard.model.ceph import RbdImage
from imageyard.model.finding import Evidence, Resource
from imageyard.reclaim.context import Ctx, Outcome
from imageyard.reclaim.index import PoolRef

NOVA = "nova-disk-no-server"
CINDER = "cinder-volume-no-volume"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_NOVA_NAME = re.compile(rf"({_UUID})_disk(?:\.(?:local|swap|config|rescue|eph\d+))?")
_CINDER_NAME = re.compile(rf"volume-({_UUID})(\.deleted)?")


def consumer_name(name: str) -> tuple[str, str] | None:
    """``(class, owner id)`` for a Nova disk or Cinder volume name, else None."""
    match = _NOVA_NAME.fullmatch(name)
    if match is not None:
        return NOVA, match.group(1)
    match = _CINDER_NAME.fullmatch(name)
    if match is not None:
        return CINDER, match.group(1)
    return None


def leftovers(ctx: Ctx) -> Iterator[Outcome]:
    """Both classes, over every pool read."""
    missing = {
        NOVA: ctx.source_gap("nova", "Nova's server list"),
        CINDER: ctx.source_gap("cinder", "Cinder's volume list"),
    }
    unread = _ceph_unread(ctx)
    if unread is not None:
        yield from (ctx.unknown(c, Resource("ceph", "clusters"), unread) for c in missing)
    yield from _unlisted_pools(ctx)
    for ref in ctx.idx.pools:
        gap = ctx.pool_gap(ref.cluster, ref.pool)
        if gap is not None:
            yield from (ctx.unknown(c, Resource("pool", ref.pool.name), gap) for c in missing)
            continue
        unsure: set[str] = set()
        for image in ref.pool.images:
            found = consumer_name(image.name)
            if found is None:
                continue
            cls, owner = found
            why = missing[cls]
            if why is not None:
                unsure.add(cls)
                continue
            yield from _candidate(ctx, ref, image, cls, owner)
        for cls in sorted(unsure):
            yield ctx.unknown(cls, Resource("pool", ref.pool.name), missing[cls] or "")


def _ceph_unread(ctx: Ctx) -> str | None:
    """Why some cluster's pools were not read at all (Ceph not collected, a cluster down)."""
    status = ctx.inv.source_status("ceph")
    if status is None or status.detail.startswith("not collected"):
        return "ceph was not read"
    for gap in ctx.inv.gaps_for("ceph"):
        if gap.scope == "clusters" or (
            gap.scope.startswith("cluster ") and " " not in gap.scope[len("cluster ") :]
        ):
            return f"ceph: {gap.scope}: {gap.error}"
    return None


def _configured_pools(ctx: Ctx) -> Iterator[tuple[str, str, str]]:
    """(class, pool, where) for each pool nova.conf or cinder.conf puts RBD data in."""
    for nova in ctx.inv.config.nova:
        if nova.uses_rbd and nova.images_rbd_pool is not None:
            yield NOVA, nova.images_rbd_pool.value.strip(), "nova images_rbd_pool"
    for cinder in ctx.inv.config.cinder:
        for backend in cinder.backends:
            if backend.is_rbd and backend.rbd_pool is not None:
                yield CINDER, backend.rbd_pool.value.strip(), f"cinder [{backend.section}] rbd_pool"


def _unlisted_pools(ctx: Ctx) -> Iterator[Outcome]:
    """A consumer pool the configuration names but Ceph's reading did not list: unknown."""
    listed = {ref.pool.name for ref in ctx.idx.pools}
    seen: set[tuple[str, str]] = set()
    for cls, pool, where in _configured_pools(ctx):
        if pool and pool not in listed and (cls, pool) not in seen:
            seen.add((cls, pool))
            yield ctx.unknown(
                cls, Resource("pool", pool), f"ceph: pool {pool} ({where}) was not listed"
            )


def _candidate(ctx: Ctx, ref: PoolRef, image: RbdImage, cls: str, owner: str) -> Iterator[Outcome]:
    known = ctx.idx.server_ids if cls == NOVA else ctx.idx.volume_ids
    if owner in known:
        return
    if image.watchers:
        yield ctx.excluded(cls, "watchers", image.used, pool=ref.pool.name)
        return
    young = ctx.too_young(image.modified or image.created)
    if young is not None:
        yield ctx.excluded(cls, young, image.used, pool=ref.pool.name)
        return
    pool = ref.pool.name
    clones = sorted(f"{p}/{c.name}" for p, c in ctx.idx.clones(ref.cluster.fsid, pool, image))
    what = "server" if cls == NOVA else "volume"
    evidence = [
        Evidence.fact(f"ceph {ref.cluster.fsid}: {pool}/{image.name}, {image.size} bytes"),
        Evidence.fact(f"{'nova' if cls == NOVA else 'cinder'}: no {what} {owner}"),
        Evidence.fact(f"last written {image.modified or image.created}"),
    ]
    if clones:
        evidence.append(Evidence.fact(f"clones: {', '.join(clones)}"))
    params = [("fsid", ref.cluster.fsid), ("pool", pool), ("image", image.name)]
    if clones:
        params.append(("children", ",".join(clones)))
    yield ctx.item(
        cls,
        Resource("rbd", f"{pool}/{image.name}"),
        f"{pool}/{image.name}: no {what} {owner}{', pinned by clones' if clones else ''}",
        tuple(evidence),
        action="flatten" if clones else None,
        params=tuple(params),
        provisioned=image.size,
        used=image.used,
        pool=pool,
        confident=image.watchers is not None,
    )
