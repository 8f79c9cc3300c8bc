"""Time the reclaim analysis on a generated inventory beside a plain hash-join baseline.

``.venv/bin/python bench/reclaim.py`` (part of ``make bench``): builds, in memory, an
inventory of ``--images`` Glance images (default 100,000; most in the rbd store, the rest in
a file store) and ``--rbd`` RBD images (default 300,000: every rbd-store image in the Glance
pool with its ``snap``, Nova disks and Cinder volumes cloned from them, and 1% orphans of
each kind), then times ``reclaim.analyse`` (index, every class, pins, duplicates, totals)
and a plain baseline: three set lookups per RBD image (Glance ids, server ids, volume ids).
Both are printed with their ratio. Timing belongs here, never in a test.
"""

from __future__ import annotations

import argparse
import sys
import time
import uuid
from collections.abc import Callable
from typing import Any

from imageyard import gcpause
from imageyard.model.ceph import CephCluster, Pool, RbdImage, RbdParentRef, Snapshot
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.store import Store, StoreSource, StoreType
from imageyard.reclaim import analyse

SOURCES = ("glance", "ceph", "nova", "cinder", "keystone")
FSID = "0b5a7e3c-1111-4222-8333-944445555666"
OLD = "2025-01-01T00:00:00Z"
SNAP = (Snapshot("snap", 1, 1 << 30, protected=True),)
RBD_ORPHANS = frozenset(
    {
        "rbd-no-glance-image",
        "rbd-protected-snap-no-image",
        "nova-disk-no-server",
        "cinder-volume-no-volume",
    }
)


def _id(n: int, space: int) -> str:
    return str(uuid.UUID(int=(space << 96) | n))


def _image(n: int, rbd: bool) -> Image:
    image_id = _id(n, 1)
    url = f"rbd://{FSID}/images/{image_id}/snap" if rbd else f"file:///glance/{image_id}"
    store = "ceph" if rbd else "fast"
    return Image(
        image_id,
        name=f"img-{n}",
        size=1 << 30,
        owner="p",
        stores=(store,),
        locations=(Location(url, store),),
        os_hash_algo="sha512",
        os_hash_value=f"h{n % 90_000}",
        created_at=OLD,
        updated_at=OLD,
    )


def _rbd(pool: str, name: str, parent: str | None = None) -> RbdImage:
    ref = RbdParentRef("images", parent, "snap") if parent else None
    return RbdImage(
        pool,
        name,
        name[-12:],
        1 << 30,
        used=1 << 28,
        parent=ref,
        snapshots=() if parent else SNAP,
        watchers=0,
        created=OLD,
        modified=OLD,
    )


def generate(images: int, rbd: int) -> Inventory:
    """The inventory described in the module docstring."""
    in_rbd = int(images * 0.8)
    glance = [_image(n, n < in_rbd) for n in range(images)]
    pool_images = [_rbd("images", _id(n, 1)) for n in range(in_rbd)]
    pool_images += [_rbd("images", _id(n, 9)) for n in range(rbd // 100)]  # orphans
    rest = max(0, rbd - len(pool_images))
    disks, vols = rest * 2 // 3, rest - rest * 2 // 3
    vms = [_rbd("vms", f"{_id(n, 2)}_disk", _id(n % in_rbd, 1)) for n in range(disks)]
    volumes = [_rbd("volumes", f"volume-{_id(n, 3)}", _id(n % in_rbd, 1)) for n in range(vols)]
    servers = [Server(_id(n, 2), image_ref=_id(n % in_rbd, 1)) for n in range(disks * 99 // 100)]
    cinder = [Volume(_id(n, 3), image_id=_id(n % in_rbd, 1)) for n in range(vols * 99 // 100)]
    pools = (
        Pool("images", images=tuple(pool_images)),
        Pool("vms", images=tuple(vms)),
        Pool("volumes", images=tuple(volumes)),
    )
    stores = (
        Store("ceph", StoreType.RBD, StoreSource.API, rbd_pool="images", rbd_fsid=FSID),
        Store("fast", StoreType.FILE, StoreSource.API, file_data_dir="/glance"),
    )
    return Inventory(
        generated_at="2026-06-01T00:00:00Z",
        stores=stores,
        images=tuple(glance),
        ceph_clusters=(CephCluster(FSID, pools=pools),),
        servers=tuple(servers),
        volumes=tuple(cinder),
        projects=(Project("p"),),
        sources=tuple(SourceStatus(s, True) for s in SOURCES),
    )


def baseline(inv: Inventory) -> int:
    """Orphans by plain set lookups: the least any analysis must do."""
    glance = {i.id for i in inv.images}
    servers = {s.id for s in inv.servers}
    volumes = {v.id for v in inv.volumes}
    found = 0
    for pool in inv.ceph_clusters[0].pools:
        for image in pool.images:
            name = image.name
            if name.endswith("_disk"):
                found += name[:36] not in servers
            elif name.startswith("volume-"):
                found += name[7:43] not in volumes
            else:
                found += name not in glance
    return found


def timed(fn: Callable[[], Any]) -> tuple[Any, float, float]:
    """``fn()``, its wall time and its CPU time (seconds)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=100_000)
    parser.add_argument("--rbd", type=int, default=300_000)
    args = parser.parse_args(argv)
    inv, gen, _ = timed(lambda: generate(args.images, args.rbd))
    rbd = sum(len(p.images) for p in inv.ceph_clusters[0].pools)
    print(f"reclaim: {len(inv.images)} Glance images, {rbd} RBD images (generated in {gen:.1f} s)")
    plain, base_wall, base_cpu = timed(lambda: baseline(inv))
    with gcpause.paused():  # NOTE: as every command runs (cli.options.inventory_input)
        result, wall, cpu = timed(lambda: analyse(inv))
    print(f"  hash-join baseline: {base_wall:6.2f} s wall, {base_cpu:6.2f} s CPU, {plain} orphans")
    print(
        f"  reclaim.analyse:    {wall:6.2f} s wall, {cpu:6.2f} s CPU, {len(result.items)} items, "
        f"{len(result.pins)} pins, {len(result.duplicates)} duplicate groups"
    )
    print(
        f"  ratio: {wall / base_wall:.1f}x the baseline's wall time, "
        f"{cpu / max(base_cpu, 1e-3):.1f}x its CPU time"
    )
    orphans = sum(1 for i in result.items if i.class_id in RBD_ORPHANS)
    if orphans != plain:
        print(f"  MISMATCH: reclaim found {orphans} RBD orphans, the baseline {plain}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
