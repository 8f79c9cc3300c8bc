"""The CLI client's parsers on JSON recorded from the lab (Ceph Pacific 16.2.15)."""

from __future__ import annotations

from pathlib import Path

import pytest

from imageyard.collect.ceph.cli import (
    apply_usage,
    ctime_to_iso,
    error_from_stderr,
    parse_du,
    parse_fsid,
    parse_info_size,
    parse_ls_long,
    parse_pools,
    parse_snap_ls_all,
    parse_trash_ls_long,
    parse_watchers,
)
from imageyard.collect.ceph.client import Fault
from imageyard.model.ceph import SnapshotNamespace

DATA = Path(__file__).resolve().parent / "data"


def read(name: str) -> str:
    return (DATA / name).read_text()


def test_fsid() -> None:
    assert parse_fsid(read("fsid.json")) == "c0fdf5f1-9c38-47a5-86ae-5b01e5b3d462"


def test_pools_carry_applications() -> None:
    pools = {p.name: p for p in parse_pools(read("pool_ls_detail.json"))}
    assert {n for n, p in pools.items() if "rbd" in p.applications} == {
        "images",
        "vms",
        "volumes",
    }
    assert pools["device_health_metrics"].applications == ("mgr_devicehealth",)
    assert all(isinstance(p.id, int) for p in pools.values())


def test_ls_long_groups_snapshots_under_their_image() -> None:
    images = parse_ls_long(read("ls_l_images.json"), "images")
    assert len(images) == 12
    first = images[0]
    assert (first.name, first.id, first.size) == (
        "09d2da7b-6c8d-4166-984f-c452879deabb",
        "108e5c0db7a0",
        8388608,
    )
    assert [(s.name, s.id, s.protected) for s in first.snapshots] == [("snap", 8, True)]
    assert all(not i.features_known and i.parent is None for i in images)


def test_ls_long_parent_of_a_clone() -> None:
    (child,) = parse_ls_long(read("ls_l_vms.json"), "vms")
    assert child.parent is not None
    assert child.parent.spec == "images/30af6eb5-d8ab-4c78-9e91-db20a5c0efdb@snap"
    assert child.parent.image_id is None  # rbd ls -l does not say; linked later


def test_du_sums_head_and_snapshots() -> None:
    images = parse_ls_long(read("ls_l_images.json"), "images")
    usage = parse_du(read("du_images.json"))
    used = [apply_usage(i, usage) for i in images]
    assert sum(i.used or 0 for i in used) == 48889856  # total_used_size
    assert used[0].used == 8388608 and used[0].snapshots[0].used == 8388608


def test_du_without_fast_diff_leaves_used_unknown() -> None:
    (child,) = parse_ls_long(read("ls_l_vms.json"), "vms")
    usage = parse_du(read("du_vms.json"), read("du_vms.stderr"))
    assert usage.slow == {child.name}
    assert apply_usage(child, usage).used is None


def test_du_skips_trash_namespace_snapshots() -> None:
    images = {i.name: i for i in parse_ls_long(read("scratch_ls_l.json"), "p")}
    usage = parse_du(read("scratch_du.json"))
    assert apply_usage(images["parent"], usage).used == 4194304
    # the clone names a parent snapshot that the user namespace does not show
    assert images["child"].parent is not None
    assert images["parent"].snapshot(images["child"].parent.snapshot) is None


def test_snap_ls_all_shows_the_trash_namespace() -> None:
    snaps = parse_snap_ls_all(read("scratch_snap_ls_all_parent.json"))
    assert [(s.name, s.namespace, s.trash_original_name) for s in snaps] == [
        ("s1", SnapshotNamespace.USER, None),
        ("2c2d7b01-7cee-41c4-9c50-1860650d8b8d", SnapshotNamespace.TRASH, "gone"),
    ]


def test_trash_ls_long_times() -> None:
    (entry,) = parse_trash_ls_long(read("trash_ls_l_images.json"))
    assert entry.id == "10e879e2ea1e" and entry.source == "USER"
    assert entry.deleted_at == ctime_to_iso("Wed Nov 25 09:22:47 2026")
    assert entry.deferment_end == entry.deleted_at  # "expired at <same time>"
    assert parse_info_size(read("info_trashed.json")) == 2097152
    assert [s.name for s in parse_snap_ls_all(read("snap_ls_all_trashed.json"))] == [
        "backup-2024-01"
    ]


def test_watchers() -> None:
    assert parse_watchers(read("status_image.json")) == 0
    assert parse_watchers('{"watchers":[{"address":"127.0.0.1:0/1"}]}') == 1


@pytest.mark.parametrize(
    ("stderr", "fault", "code"),
    [
        (read("glance_ls_vms.stderr"), Fault.PERMISSION, 1),
        (
            "rbd: couldn't connect to the cluster!\nrbd: listing images failed: (2) No such file",
            Fault.CONNECT,
            2,
        ),
        ("rbd: error opening image x: (2) No such file or directory\n", Fault.NOT_FOUND, 2),
        ("rbd: something odd", Fault.OTHER, None),
    ],
)
def test_errors_from_stderr(stderr: str, fault: Fault, code: int | None) -> None:
    error = error_from_stderr(stderr, "what", 1)
    assert (error.fault, error.errno) == (fault, code)
    assert str(error).startswith("what: ")
