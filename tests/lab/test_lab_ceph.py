"""The Ceph collector on the real lab, checked field by field against ``rbd --format json``.

Reads run as ``client.ops`` (read-only on every pool) through both clients; one run as
``client.glance`` shows forbidden pools as gaps. The only write is a throw-away pool that an
admin fixture creates (v2 clone, snapshot moved to the trash namespace, parent trashed) and
deletes again.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from imageyard.collect.base import NullProgress
from imageyard.collect.ceph import CephCollector, CliClient, ClusterTarget, RbdClient
from imageyard.model.ceph import CephCluster, SnapshotNamespace
from imageyard.model.inventory import Inventory

Factory = Callable[[ClusterTarget, float], RbdClient]
RBD_POOLS = ("images", "vms", "volumes")


def _bindings() -> Factory:
    pytest.importorskip("rbd")
    from imageyard.collect.ceph.bindings import BindingsClient

    return BindingsClient.connect


@pytest.fixture(params=["bindings", "cli"])
def factory(request: pytest.FixtureRequest) -> Factory:
    return _bindings() if request.param == "bindings" else CliClient.connect


def rbd(lab: Any, *args: str, user: str = "ops") -> Any:
    argv = ["rbd", "-c", lab.ceph_conf, "--id", user, *args, "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
    return json.loads(done.stdout)


def collect(lab: Any, factory: Factory, user: str = "ops", **kw: Any) -> Inventory:
    collector = CephCollector(
        clusters=(ClusterTarget(lab.ceph_conf, user),), client_factory=factory, **kw
    )
    return collector.collect(Inventory(), NullProgress())


def cluster_of(inv: Inventory) -> CephCluster:
    (cluster,) = inv.ceph_clusters
    return cluster


def test_images_sizes_parents_and_used_match_rbd(lab: Any, factory: Factory) -> None:
    inv = collect(lab, factory)
    cluster = cluster_of(inv)
    assert inv.is_complete("ceph") and cluster.fsid == lab.fsid
    assert {p.name for p in cluster.pools} >= set(RBD_POOLS)
    for name in RBD_POOLS:
        pool = cluster.pool(name)
        assert pool is not None and pool.complete
        heads = {r["image"]: r for r in rbd(lab, "ls", "-l", "-p", name) if "snapshot" not in r}
        assert {i.name for i in pool.images} == set(heads)
        du = rbd(lab, "du", "-p", name)["images"]
        for image in pool.images:
            row = heads[image.name]
            assert (image.id, image.size) == (row["id"], row["size"])
            assert (image.parent.spec if image.parent else None) == (
                "{pool}/{image}@{snapshot}".format(**row["parent"]) if "parent" in row else None
            )
            if image.used is not None:
                assert image.used == sum(r["used_size"] for r in du if r["name"] == image.name)
            elif image.features_known:
                assert "fast-diff" not in image.features


def test_snapshots_match_snap_ls_all(lab: Any, factory: Factory) -> None:
    images = cluster_of(collect(lab, factory)).pool("images")
    assert images is not None
    for image in images.images:
        truth = rbd(lab, "snap", "ls", "--all", f"images/{image.name}")
        assert [(s.name, s.id, s.protected) for s in image.snapshots] == [
            (t["name"], t["id"], t["protected"] == "true") for t in truth
        ]


def test_features_match_rbd_info(lab: Any) -> None:
    cluster = cluster_of(collect(lab, _bindings()))
    for pool in (cluster.pool(n) for n in RBD_POOLS):
        assert pool is not None
        for image in pool.images[:5]:
            info = rbd(lab, "info", f"{pool.name}/{image.name}")
            assert image.features == tuple(info["features"])
            assert image.op_features == tuple(info["op_features"])


def test_nova_and_cinder_clones_point_at_the_glance_image(lab: Any, factory: Factory) -> None:
    cluster = cluster_of(collect(lab, factory))
    for obj in lab.rbd_objects("nova-clone") + lab.rbd_objects("cinder-clone"):
        pool = cluster.pool(obj["pool"])
        assert pool is not None
        child = pool.image(obj["name"])
        assert child is not None and child.parent is not None
        parent = obj["parent"]
        assert (child.parent.pool, child.parent.image, child.parent.snapshot) == (
            parent["pool"],
            parent["image"],
            parent["snapshot"],
        )
        info = rbd(lab, "info", f"{obj['pool']}/{obj['name']}")["parent"]
        assert (child.parent.image_id, child.parent.in_trash) == (info["id"], info["trash"])
        assert child in cluster.children(parent["pool"], parent["image"], "snap")


def test_trash_matches_trash_ls(lab: Any, factory: Factory) -> None:
    cluster = cluster_of(collect(lab, factory))
    for name in RBD_POOLS:
        pool = cluster.pool(name)
        assert pool is not None
        truth = rbd(lab, "trash", "ls", "-l", "-p", name)
        assert sorted((t.id, t.name, t.source) for t in pool.trash) == sorted(
            (t["id"], t["name"], t["source"]) for t in truth
        )
    trashed = lab.rbd_objects("in-rbd-trash")
    images = cluster.pool("images")
    assert images is not None
    for obj in trashed:
        entry = next(t for t in images.trash if t.name == obj["name"])
        assert entry.size == obj["size"] and entry.deleted_at
        assert [s.name for s in entry.snapshots] == obj["snapshots"]


def test_glance_user_gets_gaps_not_empty_pools(lab: Any, factory: Factory) -> None:
    inv = collect(lab, factory, user="glance")
    cluster = cluster_of(inv)
    scopes = {g.scope for g in inv.gaps_for("ceph")}
    assert {"pool vms", "pool volumes"} <= scopes
    for name in ("vms", "volumes"):
        pool = cluster.pool(name)
        assert pool is not None and not pool.complete and pool.images == ()
    images = cluster.pool("images")
    assert images is not None and images.complete and images.images
    assert not inv.is_complete("ceph")


def test_unreachable_cluster_is_a_gap(lab: Any, factory: Factory) -> None:
    inv = collect(lab, factory, user="no-such-user", timeout=5)
    assert inv.ceph_clusters == ()
    assert [g.scope for g in inv.gaps] == [f"cluster {lab.ceph_conf}"]


# ------------------------------------------------------------ throw-away pool (admin writes)


@pytest.fixture
def scratch_pool(lab: Any) -> Iterator[str]:
    """A pool with a v2 clone whose parent snapshot is in the trash namespace and whose
    parent image is in the rbd trash; deleted afterwards."""
    pool = f"iy-test-{uuid.uuid4().hex[:8]}"

    def admin(tool: str, *args: str) -> None:
        argv = [tool, "-c", lab.ceph_conf, "--id", "admin", *args]
        subprocess.run(argv, capture_output=True, check=True, timeout=60)

    admin("ceph", "osd", "pool", "create", pool, "8", "8")
    try:
        admin("ceph", "osd", "pool", "application", "enable", pool, "rbd")
        admin(
            "rbd",
            "create",
            "--size",
            "8M",
            "--image-feature",
            "layering,exclusive-lock,object-map,fast-diff",
            f"{pool}/parent",
        )
        admin(
            "rbd",
            "bench",
            "--io-type",
            "write",
            "--io-size",
            "1M",
            "--io-total",
            "2M",
            f"{pool}/parent",
        )
        admin("rbd", "snap", "create", f"{pool}/parent@keep")
        admin("rbd", "snap", "create", f"{pool}/parent@gone")
        admin(
            "rbd",
            "clone",
            "--rbd-default-clone-format",
            "2",
            f"{pool}/parent@gone",
            f"{pool}/child",
        )
        admin("rbd", "snap", "rm", f"{pool}/parent@gone")
        yield pool
    finally:
        admin("ceph", "osd", "pool", "rm", pool, pool, "--yes-i-really-really-mean-it")


def test_trash_namespace_snapshot_and_trashed_parent(
    lab: Any, factory: Factory, scratch_pool: str
) -> None:
    inv = collect(lab, factory, pools=(scratch_pool,))
    pool = cluster_of(inv).pool(scratch_pool)
    assert pool is not None and pool.complete
    parent, child = pool.image("parent"), pool.image("child")
    assert parent is not None and child is not None and child.parent is not None
    truth = rbd(lab, "snap", "ls", "--all", f"{scratch_pool}/parent")
    assert [(s.name, s.namespace.value, s.trash_original_name) for s in parent.snapshots] == [
        (t["name"], t["namespace"]["type"], t["namespace"].get("original_name")) for t in truth
    ]
    trash_snap = parent.snapshot(child.parent.snapshot)
    assert trash_snap is not None and trash_snap.namespace is SnapshotNamespace.TRASH
    assert trash_snap.trash_original_name == "gone"
    du = rbd(lab, "du", "-p", scratch_pool)["images"]
    assert parent.used == sum(r["used_size"] for r in du if r["name"] == "parent")
    subprocess.run(
        ["rbd", "-c", lab.ceph_conf, "--id", "admin", "trash", "mv", f"{scratch_pool}/parent"],
        capture_output=True,
        check=True,
        timeout=60,
    )
    after = cluster_of(collect(lab, factory, pools=(scratch_pool,))).pool(scratch_pool)
    assert after is not None
    moved = after.image("child")
    assert moved is not None and moved.parent is not None
    assert moved.parent.in_trash and moved.parent.image_id == parent.id
    (entry,) = after.trash
    assert entry.id == parent.id and entry.size == parent.size
