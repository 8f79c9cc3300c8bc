"""``plan make --reclaim``: missing-data locations and unused duplicates as plan steps."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reclaim"))
from reclaim_support import DATADIR, FSID, IMG_FILE, IMG_RBD, SNAP, healthy, image, rbd, uid

from imageyard.model.location import Location
from imageyard.plan import PlanPolicy, make_plan

RECLAIM = PlanPolicy(place=False, convert=False, reclaim=True)


def _steps(inv: object) -> list[tuple[str, str, str]]:
    plan = make_plan(inv, RECLAIM)  # type: ignore[arg-type]
    return [(a.kind, a.image_id, a.target) for a in plan.actions]


def test_a_location_without_data_goes_only_when_another_copy_remains() -> None:
    inv = healthy()
    two = uid(30)
    both = image(
        two,
        "ceph",
        f"rbd://{FSID}/images/{two}/snap",
        stores=("ceph", "fast"),
        locations=(
            Location(f"rbd://{FSID}/images/{two}/snap", "ceph"),
            Location(f"file://{DATADIR}/{two}", "fast"),
        ),
    )
    cluster = inv.ceph_clusters[0]
    pools = tuple(
        replace(p, images=(*p.images, rbd("images", two, snapshots=(SNAP,))))
        if p.name == "images"
        else p
        for p in cluster.pools
    )
    inv = replace(inv, images=(*inv.images, both), ceph_clusters=(replace(cluster, pools=pools),))
    inv = replace(inv, store_listings=tuple(replace(x, objects=()) for x in inv.store_listings))
    steps = _steps(inv)
    assert ("delete-location", two, "fast") in steps
    assert not [s for s in steps if s[1] == IMG_FILE]  # its only copy: never removed
    assert make_plan(inv, RECLAIM).actions[0].destructive


def test_unused_duplicates_are_hidden_and_used_ones_left_alone() -> None:
    inv = healthy()
    same = {"os_hash_value": "h-same", "size": 3000}
    a = image(uid(21), "ceph", f"rbd://{FSID}/images/{uid(21)}/snap", **same)
    b = image(uid(22), "fast", f"file://{DATADIR}/{uid(22)}", visibility="public", **same)
    c = image(uid(23), "fast", f"file://{DATADIR}/{uid(23)}", **same)
    twin = image(uid(24), "fast", f"file://{DATADIR}/{uid(24)}", os_hash_value=f"hash-{IMG_RBD}")
    steps = _steps(replace(inv, images=(*inv.images, a, b, c, twin)))
    assert sorted(steps) == [
        ("retire-image", uid(21), "hide"),
        ("retire-image", uid(23), "hide"),
        ("retire-image", uid(24), "hide"),
    ]
    unknown_usage = replace(inv, images=(*inv.images, a, b, c), sources=())
    assert _steps(unknown_usage) == []  # usage not known: nothing retired


def test_an_orphan_rbd_image_is_moved_to_the_trash_with_the_deferment() -> None:
    from reclaim_support import add_rbd

    from imageyard.apply.actions.rbd import rbd_fingerprint

    orphan = uid(9, "d")
    inv = add_rbd(healthy(), "images", rbd("images", orphan, size=5000))
    plan = make_plan(inv, replace(RECLAIM, trash_days=3))
    (action,) = plan.actions
    assert (action.kind, action.image_id, action.target) == (
        "rbd-trash-move",
        f"rbd:images/{orphan}",
        str(3 * 86400),
    )
    assert action.destructive and action.param("pool") == "images"
    assert action.expect == rbd_fingerprint(
        "images", orphan, {"id": f"id-{orphan[-6:]}", "size": 5000}
    )
    assert action.result == rbd_fingerprint("images", orphan, None)
    assert make_plan(inv, replace(RECLAIM, reclaim=False)).actions == ()


def test_trash_entries_are_purged_only_when_their_deferment_ended_by_the_snapshot() -> None:
    from reclaim_support import OLD, set_pool

    from imageyard.model.ceph import TrashEntry

    over = TrashEntry("aa01", uid(41, "e"), deleted_at=OLD, deferment_end=OLD, size=2000)
    later = TrashEntry("aa02", uid(42, "e"), deleted_at=OLD, deferment_end="2026-07-01T00:00:00Z")
    never = TrashEntry("aa03", uid(43, "e"), deleted_at=OLD, deferment_end=None)
    inv = set_pool(healthy(), "images", trash=(over, later, never))
    plan = make_plan(inv, RECLAIM)
    assert [(a.kind, a.image_id, a.bytes) for a in plan.actions] == [
        ("rbd-trash-purge", "rbd-trash:images/aa01", 2000)
    ]
    assert plan.actions[0].destructive and plan.actions[0].target == OLD
    scoped = make_plan(inv, replace(RECLAIM, images=(uid(42, "e"),)))
    assert scoped.actions == ()


def test_pinning_clones_are_flattened_only_when_asked() -> None:
    from reclaim_support import add_rbd, clone_of

    orphan = uid(51, "f")
    inv = add_rbd(healthy(), "images", rbd("images", orphan, snapshots=(SNAP,)))
    inv = add_rbd(inv, "vms", clone_of("vms", "pinned_disk", orphan, size=3000))
    assert [a.kind for a in make_plan(inv, RECLAIM).actions] == []  # pinned: not trashed
    plan = make_plan(inv, replace(RECLAIM, flatten=True))
    (action,) = plan.actions
    assert (action.kind, action.image_id, action.target, action.bytes) == (
        "rbd-flatten",
        "rbd:vms/pinned_disk",
        f"images/{orphan}@snap",
        3000,
    )
    assert action.destructive and ("flatten", "true") in plan.policy


def test_grace_spares_a_fresh_orphan_until_it_is_shorter() -> None:
    from reclaim_support import NOW, add_rbd

    orphan = uid(8, "e")
    inv = add_rbd(healthy(), "images", rbd("images", orphan, size=5000, created=NOW, modified=NOW))
    assert make_plan(inv, RECLAIM).actions == ()  # written just now: within the 24 h default
    plan = make_plan(inv, replace(RECLAIM, grace_hours=0))
    assert [a.kind for a in plan.actions] == ["rbd-trash-move"]
    assert ("grace_hours", "0") in plan.policy


def test_a_bad_grace_is_a_usage_error(tmp_path: Path) -> None:
    from imageyard.cli import run
    from imageyard.model.snapshot import write_inventory

    write_inventory(healthy(), tmp_path / "inv.json")
    out = tmp_path / "plan.json"
    code = run(["plan", "make", str(tmp_path / "inv.json"), "--grace", "soon", "-o", str(out)])
    assert code == 2 and not out.exists()


def test_an_image_whose_rbd_data_is_in_the_trash_gets_it_restored() -> None:
    from reclaim_support import OLD, set_pool

    from imageyard.apply.actions.restore import restore_fingerprint
    from imageyard.model.ceph import TrashEntry

    inv = healthy()
    gone = image(uid(12), "ceph", f"rbd://{FSID}/images/{uid(12)}/snap", status="deactivated")
    entry = TrashEntry("7rash", uid(12), deleted_at=OLD, size=4000, snapshots=(SNAP,))
    inv = set_pool(replace(inv, images=(*inv.images, gone)), "images", trash=(entry,))
    plan = make_plan(inv, RECLAIM)
    (action,) = plan.actions  # its only location: restored, never dropped
    assert (action.kind, action.image_id, action.target) == (
        "rbd-trash-restore",
        "rbd-trash:images/7rash",
        uid(12),
    )
    assert not action.destructive and action.bytes == 0
    assert action.expect == restore_fingerprint("images", "7rash", uid(12), "trash")
    assert action.result == restore_fingerprint("images", "7rash", uid(12), "pool")
    assert action.param("url") == f"rbd://{FSID}/images/{uid(12)}/snap"
    assert make_plan(inv, replace(RECLAIM, images=("other-*",))).actions == ()


def _held_by_v2_clone() -> object:
    from reclaim_support import OLD, add_rbd, set_pool

    from imageyard.model.ceph import RbdParentRef, Snapshot, SnapshotNamespace, TrashEntry

    held = Snapshot(
        "c0ffee", 3, 4000, namespace=SnapshotNamespace.TRASH, trash_original_name="snap"
    )
    entry = TrashEntry("5ca1ab1e", uid(61, "f"), deleted_at=OLD, deferment_end=OLD, size=4000,
                       snapshots=(held,))  # fmt: skip
    ref = RbdParentRef("images", uid(61, "f"), "c0ffee", image_id="5ca1ab1e", in_trash=True)
    orphan_disk = rbd("vms", f"{uid(62, 'f')}_disk", parent=ref, size=3000)  # no server
    return add_rbd(set_pool(healthy(), "images", trash=(entry,)), "vms", orphan_disk)


def test_a_trash_entry_held_by_a_v2_clone_is_purged_after_the_flatten_in_one_plan() -> None:
    inv = _held_by_v2_clone()
    disk = f"rbd:vms/{uid(62, 'f')}_disk"
    plan = make_plan(inv, replace(RECLAIM, flatten=True))  # type: ignore[arg-type]
    steps = {a.kind: a for a in plan.actions}
    assert [(a.kind, a.image_id) for a in plan.actions] == [
        ("rbd-flatten", disk),
        ("rbd-trash-purge", "rbd-trash:images/5ca1ab1e"),
        ("rbd-trash-move", disk),
    ]
    flatten = steps["rbd-flatten"].id
    assert steps["rbd-trash-move"].depends_on == (flatten,)  # flattened, then trashed
    assert steps["rbd-trash-purge"].depends_on == (flatten,)  # another resource's step
    unflattened = make_plan(inv, RECLAIM)  # type: ignore[arg-type]
    assert [a.kind for a in unflattened.actions] == ["rbd-trash-move"]  # the entry stays
    scoped = make_plan(inv, replace(RECLAIM, flatten=True, images=(uid(61, "f"),)))  # type: ignore[arg-type]
    assert scoped.actions == ()  # its clone is out of scope: not flattened, so not purged


def test_a_plan_file_may_depend_on_an_earlier_action_of_another_resource(tmp_path: Path) -> None:
    import pytest

    from imageyard.errors import InputError
    from imageyard.plan import dump_plan, read_plan

    plan = make_plan(_held_by_v2_clone(), replace(RECLAIM, flatten=True))  # type: ignore[arg-type]
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(plan))
    assert read_plan(path) == plan
    first, *rest = plan.actions
    later = replace(first, depends_on=(rest[-1].id,))  # a dependency on a later action
    path.write_text(dump_plan(replace(plan, actions=(later, *rest))))
    with pytest.raises(InputError, match="not an earlier action"):
        read_plan(path)


def test_the_remains_of_an_image_whose_glance_row_is_gone_go_to_the_trash() -> None:
    from reclaim_support import add_rbd

    remains = uid(63, "d")
    inv = add_rbd(healthy(), "images", rbd("images", remains, snapshots=(SNAP,)))
    (action,) = make_plan(inv, RECLAIM).actions
    assert (action.kind, action.image_id) == ("rbd-trash-move", f"rbd:images/{remains}")
