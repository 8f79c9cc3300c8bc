"""CephCollector over a fake RbdClient that fails the way the real clients do."""

from __future__ import annotations

import errno
from dataclasses import dataclass, field

import pytest

from imageyard.collect.base import NullProgress
from imageyard.collect.ceph import CephCollector, CephError, ClusterTarget, Fault
from imageyard.collect.ceph.client import ImageRef, PoolRecord, RbdClient
from imageyard.model.ceph import RbdImage, RbdParentRef, Snapshot, SnapshotNamespace, TrashEntry
from imageyard.model.config import CephConfig, ConfigValue, DeploymentConfig
from imageyard.model.inventory import Inventory

FSID = "f102af85-6b54-45c1-bdd4-07823ea598bb"
GLANCE_IMG = RbdImage(
    pool="images",
    name="img-a",
    id="10aa",
    size=8,
    used=8,
    snapshots=(Snapshot(name="snap", id=4, size=8, protected=True),),
)
NOVA_DISK = RbdImage(
    pool="vms",
    name="inst_disk",
    id="10bb",
    size=16,
    parent=RbdParentRef(pool="images", image="img-a", snapshot="snap"),
)
TRASH_SNAP = Snapshot(
    name="uuid-1", id=5, size=8, namespace=SnapshotNamespace.TRASH, trash_original_name="old"
)


def perm(what: str) -> CephError:
    # what BindingsClient makes of rbd.PermissionError
    return CephError(f"{what}: [errno 1] RBD permission error (error listing images.)", errno=1)


@dataclass
class FakeClient:
    pools_: dict[str, tuple[RbdImage, ...]] = field(
        default_factory=lambda: {"images": (GLANCE_IMG,), "vms": (NOVA_DISK,), "rgw": ()}
    )
    apps: dict[str, tuple[str, ...]] = field(
        default_factory=lambda: {"images": ("rbd",), "vms": ("rbd",), "rgw": ("rgw",)}
    )
    trash_: dict[str, tuple[TrashEntry, ...]] = field(default_factory=dict)
    hidden: dict[str, tuple[Snapshot, ...]] = field(default_factory=dict)
    list_errors: dict[str, CephError] = field(default_factory=dict)
    image_errors: dict[str, CephError] = field(default_factory=dict)
    calls: list[str] = field(default_factory=list)
    closed: bool = False

    def fsid(self) -> str:
        return FSID

    def pools(self) -> tuple[PoolRecord, ...]:
        return tuple(PoolRecord(n, i, self.apps[n]) for i, n in enumerate(self.pools_))

    def images(self, pool: str) -> tuple[ImageRef, ...]:
        self.calls.append(f"images {pool}")
        if pool in self.list_errors:
            raise self.list_errors[pool]
        return tuple(ImageRef(i.name, i.id) for i in self.pools_[pool])

    def image(self, pool: str, ref: ImageRef, *, watchers: bool) -> RbdImage:
        self.calls.append(f"image {pool}/{ref.name}")
        if ref.name in self.image_errors:
            raise self.image_errors[ref.name]
        found = next(i for i in self.pools_[pool] if i.name == ref.name)
        return RbdImage(**{**found.__dict__, "watchers": 0 if watchers else None})

    def snapshots(self, pool: str, name: str) -> tuple[Snapshot, ...]:
        self.calls.append(f"snapshots {pool}/{name}")
        image = next(i for i in self.pools_[pool] if i.name == name)
        return image.snapshots + self.hidden.get(name, ())

    def trash(self, pool: str) -> tuple[TrashEntry, ...]:
        return self.trash_.get(pool, ())

    def close(self) -> None:
        self.closed = True


def run(client: FakeClient | CephError, **kwargs: object) -> Inventory:
    def factory(target: ClusterTarget, timeout: float) -> RbdClient:
        if isinstance(client, CephError):
            raise client
        return client

    collector = CephCollector(
        clusters=(ClusterTarget("/etc/ceph/ceph.conf", "ops"),),
        client_factory=factory,
        **kwargs,  # type: ignore[arg-type]
    )
    return collector.collect(Inventory(), NullProgress())


def test_reads_rbd_pools_and_derives_children() -> None:
    client = FakeClient()
    inv = run(client)
    (cluster,) = inv.ceph_clusters
    assert cluster.fsid == FSID and cluster.name == "ceph"
    assert [p.name for p in cluster.pools] == ["images", "vms"]  # rgw pool skipped
    assert all(p.complete for p in cluster.pools)
    disk = cluster.pools[1].images[0]
    assert disk.parent is not None and disk.parent.image_id == "10aa"  # linked by name
    assert cluster.children("images", "img-a", "snap") == (disk,)
    assert inv.is_complete("ceph") and client.closed
    assert not any(c.startswith("snapshots") for c in client.calls)


def test_watchers_only_when_asked() -> None:
    assert run(FakeClient()).ceph_clusters[0].pools[0].images[0].watchers is None
    inv = run(FakeClient(), watchers=True)
    assert inv.ceph_clusters[0].pools[0].images[0].watchers == 0


def test_named_pools_and_missing_pool() -> None:
    inv = run(FakeClient(), pools=("vms", "nope"))
    assert [p.name for p in inv.ceph_clusters[0].pools] == ["vms"]
    assert [g.scope for g in inv.gaps] == ["pool nope"]
    assert not inv.is_complete("ceph")


def test_forbidden_pool_is_a_gap_and_an_incomplete_pool() -> None:
    inv = run(FakeClient(list_errors={"vms": perm("list images of pool vms")}))
    (gap,) = inv.gaps
    assert (gap.source, gap.scope) == ("ceph", "pool vms")
    assert "permission" in gap.error
    vms = inv.ceph_clusters[0].pool("vms")
    assert vms is not None and not vms.complete and vms.images == () and vms.error
    assert inv.ceph_clusters[0].pool("images").complete  # type: ignore[union-attr]
    status = inv.source_status("ceph")
    assert status is not None and not status.complete


@pytest.mark.parametrize(
    "error",
    [
        # BindingsClient.connect on rados.TimedOut / rados.ObjectNotFound (no keyring, no conf)
        CephError(
            "cannot connect with c: [errno 110] RADOS timed out", errno=110, fault=Fault.CONNECT
        ),
        CephError(
            "cannot connect with c: [errno 2] RADOS object not found (error connecting "
            "to the cluster)",
            errno=2,
            fault=Fault.CONNECT,
        ),
    ],
)
def test_unreachable_cluster_is_a_gap_and_absent(error: CephError) -> None:
    inv = run(error)
    assert inv.ceph_clusters == ()
    assert [(g.source, g.scope) for g in inv.gaps] == [("ceph", "cluster /etc/ceph/ceph.conf")]
    assert not inv.is_complete("ceph")


def test_vanished_image_is_a_note_not_a_gap() -> None:
    gone = CephError("image vms/inst_disk: [errno 2] RBD image not found", errno=errno.ENOENT)
    inv = run(FakeClient(image_errors={"inst_disk": gone}))
    assert inv.gaps == ()
    assert inv.ceph_clusters[0].pool("vms").images == ()  # type: ignore[union-attr]
    status = inv.source_status("ceph")
    assert status is not None and status.complete and "vanished" in status.detail


def test_other_image_error_is_an_image_gap_and_pool_incomplete() -> None:
    broken = CephError("image vms/inst_disk: [errno 5] RBD I/O error", errno=errno.EIO)
    inv = run(FakeClient(image_errors={"inst_disk": broken}))
    assert [g.scope for g in inv.gaps] == ["image vms/inst_disk"]
    vms = inv.ceph_clusters[0].pool("vms")
    assert vms is not None and not vms.complete


def test_hidden_parent_snapshot_is_read_with_all_namespaces() -> None:
    disk = RbdImage(
        pool="vms",
        name="inst_disk",
        id="10bb",
        size=16,
        parent=RbdParentRef(pool="images", image="img-a", snapshot="uuid-1", image_id="10aa"),
    )
    client = FakeClient(
        pools_={"images": (GLANCE_IMG,), "vms": (disk,), "rgw": ()}, hidden={"img-a": (TRASH_SNAP,)}
    )
    inv = run(client)
    parent = inv.ceph_clusters[0].pool("images").image("img-a")  # type: ignore[union-attr]
    assert parent is not None
    assert [s.namespace for s in parent.snapshots] == [
        SnapshotNamespace.USER,
        SnapshotNamespace.TRASH,
    ]
    assert parent.snapshots[0].used is None or parent.snapshots[0] == GLANCE_IMG.snapshots[0]
    assert client.calls.count("snapshots images/img-a") == 1


def test_parent_in_trash_is_flagged() -> None:
    entry = TrashEntry(id="10aa", name="img-a")
    client = FakeClient(
        pools_={"images": (), "vms": (NOVA_DISK,), "rgw": ()}, trash_={"images": (entry,)}
    )
    disk = run(client).ceph_clusters[0].pool("vms").images[0]  # type: ignore[union-attr]
    assert disk.parent is not None and disk.parent.in_trash and disk.parent.image_id == "10aa"


def test_trash_listing_failure_marks_pool_incomplete() -> None:
    @dataclass
    class NoTrash(FakeClient):
        def trash(self, pool: str) -> tuple[TrashEntry, ...]:
            raise perm(f"list trash of pool {pool}")

    inv = run(NoTrash())
    assert {g.scope for g in inv.gaps} == {"pool images trash", "pool vms trash"}
    assert not any(p.complete for p in inv.ceph_clusters[0].pools)


def test_targets_from_config_dedupe_by_path_and_fsid(tmp_path: object) -> None:
    def conf(path: str, fsid: str) -> CephConfig:
        return CephConfig(path=path, fsid=ConfigValue("global", "fsid", fsid, path, 2))

    config = DeploymentConfig(
        ceph=(
            conf("/a/ceph.conf", FSID),
            conf("/b/ceph.conf", FSID.upper()),
            conf("/c/other.conf", "0000"),
        )
    )
    inv = Inventory(config=config)
    targets = CephCollector(user=None).targets(inv)
    assert targets == (ClusterTarget("/a/ceph.conf"), ClusterTarget("/c/other.conf"))


def test_same_fsid_read_twice_is_kept_once() -> None:
    client = FakeClient()
    collector = CephCollector(
        clusters=(ClusterTarget("/a/ceph.conf"), ClusterTarget("/b/ceph.conf")),
        client_factory=lambda target, timeout: client,
    )
    inv = collector.collect(Inventory(), NullProgress())
    assert len(inv.ceph_clusters) == 1 and inv.gaps == ()


def test_bindings_errors_translate_to_faults() -> None:
    rados = pytest.importorskip("rados")
    rbd = pytest.importorskip("rbd")
    from imageyard.collect.ceph.bindings import BindingsClient, translate

    assert translate(rbd.PermissionError("x", errno=1), "w").fault is Fault.PERMISSION
    assert translate(rbd.ImageNotFound("x", errno=2), "w").fault is Fault.NOT_FOUND
    assert translate(rados.TimedOut("x", errno=110), "w").fault is Fault.TIMEOUT
    with pytest.raises(CephError) as caught:
        BindingsClient.connect(ClusterTarget("/nonexistent/ceph.conf", "ops"), 1)
    assert caught.value.fault is Fault.CONNECT


def test_collected_clusters_round_trip_through_the_snapshot_codec() -> None:
    import json

    from imageyard.model.codec import decode, dumps

    inv = run(FakeClient(list_errors={"vms": perm("list images of pool vms")}))
    again = decode(Inventory, json.loads(dumps(inv)))
    assert again.ceph_clusters == inv.ceph_clusters and again.gaps == inv.gaps
