"""A healthy crafted inventory (every store, pool and consumer consistent) and ways to break
it, for the reclaim tests."""

from __future__ import annotations

import datetime
from dataclasses import replace

from imageyard.model.ceph import (
    CephCluster,
    Pool,
    RbdImage,
    RbdParentRef,
    Snapshot,
)
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.objects import StoredObject, StoreListing
from imageyard.model.store import Store, StoreSource, StoreType
from imageyard.reclaim import ReclaimResult, ReclaimSettings, analyse

FSID = "0b5a7e3c-1111-4222-8333-944445555666"
NOW = "2026-06-01T00:00:00Z"
OLD = "2026-01-01T00:00:00Z"
RECENT = "2026-05-31T20:00:00Z"  # four hours before NOW: inside the default grace
MONTH_AGO = "2026-05-01T00:00:00Z"  # younger than the default never-used threshold
PROJECT = "p-alive"
DATADIR = "/var/lib/glance/images"


def uid(n: int, prefix: str = "a") -> str:
    """A Glance-shaped id: ``prefix`` repeated, then ``n``."""
    return f"{prefix * 8}-0000-4000-8000-{n:012d}"


IMG_RBD, IMG_FILE, IMG_SWIFT, IMG_S3 = uid(1), uid(2), uid(3), uid(4)
SERVER, VOLUME = uid(1, "b"), uid(1, "c")


def image(image_id: str, store: str, url: str, **kw: object) -> Image:
    """An active image with one location, owned by the live project."""
    fields: dict[str, object] = {
        "id": image_id,
        "name": f"img-{image_id[-4:]}",
        "disk_format": "raw",
        "size": 1000,
        "virtual_size": 1000,
        "owner": PROJECT,
        "stores": (store,),
        "locations": (Location(url, store),),
        "created_at": MONTH_AGO,
        "updated_at": MONTH_AGO,
        "os_hash_algo": "sha512",
        "os_hash_value": f"hash-{image_id}",
    }
    fields.update(kw)
    return Image(**fields)  # type: ignore[arg-type]


def rbd(pool: str, name: str, **kw: object) -> RbdImage:
    """An old RBD image without watchers."""
    fields: dict[str, object] = {
        "pool": pool,
        "name": name,
        "id": f"id-{name[-6:]}",
        "size": 4000,
        "used": 1000,
        "watchers": 0,
        "created": OLD,
        "modified": OLD,
    }
    fields.update(kw)
    return RbdImage(**fields)  # type: ignore[arg-type]


def clone_of(pool: str, name: str, parent: str, **kw: object) -> RbdImage:
    """A clone of ``images/<parent>@snap``."""
    return rbd(pool, name, parent=RbdParentRef("images", parent, "snap"), **kw)


SNAP = Snapshot("snap", 1, 4000, protected=True)


def healthy() -> Inventory:
    """Four images (one per store), a server and a volume cloned from the RBD one."""
    stores = (
        Store("ceph", StoreType.RBD, StoreSource.API, rbd_pool="images", rbd_fsid=FSID),
        Store("fast", StoreType.FILE, StoreSource.API, file_data_dir=DATADIR),
        Store("swift", StoreType.SWIFT, StoreSource.API, swift_container="glance"),
        Store("s3", StoreType.S3, StoreSource.API, s3_bucket="glance-s3"),
    )
    images = (
        image(IMG_RBD, "ceph", f"rbd://{FSID}/images/{IMG_RBD}/snap"),
        image(IMG_FILE, "fast", f"file://{DATADIR}/{IMG_FILE}"),
        image(IMG_SWIFT, "swift", f"swift+config://ref1/glance/{IMG_SWIFT}"),
        image(IMG_S3, "s3", f"s3://rgw.example/glance-s3/{IMG_S3}"),
    )
    pools = (
        Pool("images", images=(rbd("images", IMG_RBD, snapshots=(SNAP,)),)),
        Pool("vms", images=(clone_of("vms", f"{SERVER}_disk", IMG_RBD),)),
        Pool("volumes", images=(clone_of("volumes", f"volume-{VOLUME}", IMG_RBD),)),
    )
    listings = (
        StoreListing("fast", "file", DATADIR, (StoredObject(IMG_FILE, 1000, OLD),)),
        StoreListing("swift", "swift", "glance", (StoredObject(IMG_SWIFT, 1000, OLD),)),
        StoreListing("s3", "s3", "glance-s3", (StoredObject(IMG_S3, 1000, OLD),)),
    )
    return Inventory(
        generated_at=NOW,
        stores=stores,
        images=images,
        ceph_clusters=(CephCluster(FSID, pools=pools, pool_names=("images", "vms", "volumes")),),
        servers=(Server(SERVER, image_ref=IMG_RBD),),
        volumes=(Volume(VOLUME, image_id=IMG_RBD),),
        projects=(Project(PROJECT),),
        store_listings=listings,
        sources=tuple(
            SourceStatus(s, True) for s in ("glance", "ceph", "nova", "cinder", "keystone")
        ),
    )


def add_rbd(inv: Inventory, pool: str, *images: RbdImage) -> Inventory:
    """``inv`` with more RBD images in ``pool``."""
    cluster = inv.ceph_clusters[0]
    pools = tuple(
        replace(p, images=p.images + images) if p.name == pool else p for p in cluster.pools
    )
    return replace(inv, ceph_clusters=(replace(cluster, pools=pools),))


def set_pool(inv: Inventory, pool: str, **kw: object) -> Inventory:
    """``inv`` with fields of one pool replaced."""
    cluster = inv.ceph_clusters[0]
    pools = tuple(replace(p, **kw) if p.name == pool else p for p in cluster.pools)  # type: ignore[arg-type]
    return replace(inv, ceph_clusters=(replace(cluster, pools=pools),))


def add_objects(inv: Inventory, store: str, *objects: StoredObject) -> Inventory:
    """``inv`` with more objects in the listing of ``store``."""
    listings = tuple(
        replace(x, objects=x.objects + objects) if x.store == store else x
        for x in inv.store_listings
    )
    return replace(inv, store_listings=listings)


def set_listing(inv: Inventory, store: str, **kw: object) -> Inventory:
    """``inv`` with fields of one store listing replaced."""
    listings = tuple(
        replace(x, **kw) if x.store == store else x  # type: ignore[arg-type]
        for x in inv.store_listings
    )
    return replace(inv, store_listings=listings)


def with_gap(inv: Inventory, source: str, scope: str, error: str) -> Inventory:
    """``inv`` with one more gap (and ``source`` marked incomplete)."""
    sources = tuple(replace(s, complete=False) if s.source == source else s for s in inv.sources)
    return replace(inv, sources=sources, gaps=(*inv.gaps, Gap(source, scope, error)))


def run(inv: Inventory, **kw: object) -> ReclaimResult:
    """The analysis with the default settings (``kw`` overrides them)."""
    return analyse(inv, ReclaimSettings(**kw), today=datetime.date(2026, 6, 1))  # type: ignore[arg-type]


def resources(result: ReclaimResult, class_id: str) -> set[str]:
    """The resources of one class's items."""
    return {str(i.finding.resource) for i in result.of_class(class_id)}


def unknown_classes(result: ReclaimResult) -> set[str]:
    """The classes with at least one undecided scope."""
    return {c for c, state in result.classes if state == "unknown"}


def spared(result: ReclaimResult, class_id: str, reason: str) -> int:
    """How many candidates of ``class_id`` were spared for ``reason``."""
    return sum(e.count for e in result.exclusions if e.class_id == class_id and e.reason == reason)
