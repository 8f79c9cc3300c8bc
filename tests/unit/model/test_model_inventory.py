"""Inventory lookups and the small helpers on the model classes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from model_strategies import inventories

from imageyard.model.cache import CachedImage, CacheNode
from imageyard.model.ceph import CephCluster, Pool, RbdImage, RbdParentRef, Snapshot
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.store import Store, StoreSource, StoreType

INV = Inventory(
    stores=(
        Store(id="fast", type=StoreType.RBD, source=StoreSource.API, rbd_pool="images"),
        Store(id="os_glance_staging_store", type=StoreType.FILE, source=StoreSource.CONFIG),
    ),
    images=(
        Image(id="i1", locations=(Location.from_url("rbd://f/images/i1/snap", store="fast"),)),
    ),
    ceph_clusters=(
        CephCluster(
            fsid="f",
            pools=(
                Pool(
                    name="vms",
                    images=(
                        RbdImage(
                            pool="vms",
                            name="s1_disk",
                            id="abc",
                            size=10,
                            parent=RbdParentRef(pool="images", image="i1", snapshot="snap"),
                            snapshots=(Snapshot(name="snap", id=4, size=10, protected=True),),
                        ),
                    ),
                ),
            ),
        ),
    ),
    servers=(Server(id="s1", image_ref="i1"), Server(id="s2")),
    volumes=(Volume(id="v1", image_id="i1", bootable=True),),
    cache_nodes=(CacheNode(url="http://g1:9292", entries=(CachedImage("i1", size=5),)),),
    sources=(
        SourceStatus(source="glance-api", complete=True),
        SourceStatus(source="ceph", complete=True),
        SourceStatus(source="nova", complete=False),
    ),
    gaps=(Gap(source="ceph", scope="pool images", error="EPERM"),),
)


def test_lookups() -> None:
    assert INV.image("i1") is INV.images[0]
    assert INV.image("nope") is None
    assert INV.store("fast") is INV.stores[0]
    assert INV.ceph_cluster("f") is INV.ceph_clusters[0]
    assert [s.id for s in INV.servers_using("i1")] == ["s1"]
    assert [v.id for v in INV.volumes_from("i1")] == ["v1"]


def test_completeness_needs_status_and_no_gaps() -> None:
    assert INV.is_complete("glance-api")
    assert not INV.is_complete("ceph")  # complete status, but a gap
    assert not INV.is_complete("nova")
    assert not INV.is_complete("cinder")  # never ran
    assert INV.gaps_for("ceph") == (INV.gaps[0],)


def test_small_helpers() -> None:
    assert INV.stores[1].is_reserved and not INV.stores[0].is_reserved
    image = INV.images[0]
    assert image.location_in("fast") is image.locations[0]
    assert image.location_in("cheap") is None
    cluster = INV.ceph_clusters[0]
    pool = cluster.pool("vms")
    assert pool is not None
    disk = pool.image("s1_disk")
    assert disk is not None and disk.is_clone
    assert disk.parent is not None and disk.parent.spec == "images/i1@snap"
    assert disk.snapshot("snap") is not None
    assert INV.servers[1].boots_from_volume
    assert INV.cache_nodes[0].holds("i1") and INV.cache_nodes[0].cached_bytes == 5
    assert StoreType.parse(" RBD ") is StoreType.RBD
    assert StoreType.parse("sheepdog") is StoreType.UNKNOWN


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories(), st.data())
def test_indexed_lookups_answer_as_a_scan_would(inv: Inventory, data: st.DataObject) -> None:
    refs = [i.id for i in inv.images] + [s.image_ref or "" for s in inv.servers]
    refs += [v.image_id or "" for v in inv.volumes] + ["not-there"]
    for ref in data.draw(st.lists(st.sampled_from(refs), max_size=5)):
        assert inv.image(ref) == next((i for i in inv.images if i.id == ref), None)
        assert inv.servers_using(ref) == tuple(s for s in inv.servers if s.image_ref == ref)
        assert inv.volumes_from(ref) == tuple(v for v in inv.volumes if v.image_id == ref)


def test_first_image_of_a_repeated_id_wins() -> None:
    first, second = Image(id="a", name="first"), Image(id="a", name="second")
    inv = Inventory(images=(first, second))
    assert inv.image("a") is first and inv.image("b") is None
