"""Reclaim actions on the shared lab, with objects of this test only: a broken Glance location
removed, a Glance image's RBD data that was moved to the RBD trash restored (not its only
location dropped), the RBD trash purged only past its deferment, clones flattened only when
asked.

One module fixture makes every object (Glance images named with a unique prefix; RBD images
and trash entries with fresh UUID names, as Glance's own would be, since reclaim spares
other names; one clone with the prefix in ``vms``), collects the lab once, and removes
exactly what it made afterwards.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import (
    cleanup,
    download_sha512,
    image,
    make_image,
    prefix,
    raw_bytes,
    run,
    stores,
)

ADMIN = "admin"


class Ceph:
    """librados/librbd as the lab's admin, for making and removing this test's objects."""

    def __init__(self, conf: str) -> None:
        import rados

        self.cluster = rados.Rados(conffile=conf, rados_id=ADMIN)
        self.cluster.connect(timeout=30)

    def ioctx(self, pool: str) -> Any:
        return self.cluster.open_ioctx(pool)

    def close(self) -> None:
        self.cluster.shutdown()


def _trash_entry(ceph: Ceph, name: str, delay: int) -> str:
    import rbd

    with ceph.ioctx("images") as io:
        rbd.RBD().create(io, name, 4 << 20)
        with rbd.Image(io, name) as im:
            im.write(os.urandom(4096), 0)
            trash_id = str(im.id())
        rbd.RBD().trash_move(io, name, delay)
    return trash_id


def _pinned_orphan(ceph: Ceph, parent: str, clone: str) -> None:
    import rbd

    with ceph.ioctx("images") as io, ceph.ioctx("vms") as vms:
        rbd.RBD().create(io, parent, 4 << 20, old_format=False, features=1)
        with rbd.Image(io, parent) as im:
            im.write(b"p" * 65536, 0)
            im.create_snap("snap")
            im.protect_snap("snap")
        rbd.RBD().clone(io, parent, "snap", vms, clone, features=1)


def _parent_of(ceph: Ceph, pool: str, name: str) -> str | None:
    import rbd

    with ceph.ioctx(pool) as io, rbd.Image(io, name, read_only=True) as im:
        try:
            spec = im.get_parent_image_spec()
        except rbd.ImageNotFound:
            return None
        return f"{spec['pool_name']}/{spec['image_name']}@{spec['snap_name']}"


def _in_trash(ceph: Ceph, trash_id: str) -> bool:
    import rbd

    with ceph.ioctx("images") as io:
        return any(e["id"] == trash_id for e in rbd.RBD().trash_list(io))


def _trash_glance_data(ceph: Ceph, image_id: str) -> str:
    """``rbd trash mv`` of a Glance image's RBD image (as an operator would by mistake)."""
    import rbd

    with ceph.ioctx("images") as io:
        with rbd.Image(io, image_id, read_only=True) as im:
            trash_id = str(im.id())
        rbd.RBD().trash_move(io, image_id, 0)
    return trash_id


def _untrash(ceph: Ceph, made: dict[str, Any]) -> None:
    """Put this test's Glance data back before Glance deletes the image (and its ``snap``)."""
    import rbd

    if made.get("untrash") and _in_trash(ceph, made["untrash"]):
        with ceph.ioctx("images") as io:
            rbd.RBD().trash_restore(io, made["untrash"], made["trashed"])


def _rbd_id(ceph: Ceph, name: str) -> str | None:
    import rbd

    with ceph.ioctx("images") as io:
        try:
            with rbd.Image(io, name, read_only=True) as im:
                return str(im.id())
        except rbd.ImageNotFound:
            return None


def _remove_rbd(ceph: Ceph, made: dict[str, Any]) -> None:
    import rbd

    with ceph.ioctx("images") as io, ceph.ioctx("vms") as vms:
        for trash_id in made["trash"].values():
            if _in_trash(ceph, trash_id):
                rbd.RBD().trash_remove(io, trash_id, force=True)
        with contextlib.suppress(rbd.ImageNotFound):
            rbd.RBD().remove(vms, made["clone"])
        try:
            with rbd.Image(io, made["parent"]) as im:
                im.unprotect_snap("snap")
                im.remove_snap("snap")
            rbd.RBD().remove(io, made["parent"])
        except rbd.ImageNotFound:
            pass


def _copy_to(lab: Any, image_id: str, store: str) -> None:
    body = {"method": {"name": "copy-image"}, "stores": [store], "all_stores_must_succeed": True}
    r = lab.http.post(f"{lab.glance_url}/v2/images/{image_id}/import", json=body, timeout=30)
    r.raise_for_status()
    for _ in range(240):
        doc = image(lab, image_id)
        if store in stores(lab, image_id) and not doc.get("os_glance_import_task"):
            return
        time.sleep(0.5)
    raise AssertionError(f"copy of {image_id} to {store} did not finish")


@pytest.fixture(scope="module")
def made(lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    area = prefix("reclaim")
    ceph = Ceph(lab.ceph_conf)
    names = {"over": str(uuid.uuid4()), "deferred": str(uuid.uuid4())}
    objects: dict[str, Any] = {
        "area": area,
        "names": names,
        "trash": {},
        "parent": str(uuid.uuid4()),
        "clone": f"{area}-disk",
    }
    try:
        broken = make_image(lab, f"{area}-broken", raw_bytes(128 * 1024), "fast")
        _copy_to(lab, broken, "cheap")
        (lab.root / "glance" / "data" / "cheap" / broken).unlink()
        objects["broken"] = broken
        trashed = make_image(lab, f"{area}-trashed", raw_bytes(128 * 1024), "ceph")
        objects["trashed"] = trashed
        objects["untrash"] = _trash_glance_data(ceph, trashed)
        objects["trash"]["over"] = _trash_entry(ceph, names["over"], 0)
        objects["trash"]["deferred"] = _trash_entry(ceph, names["deferred"], 86400)
        _pinned_orphan(ceph, objects["parent"], objects["clone"])
        inv = tmp_path_factory.mktemp("reclaim-actions") / "inv.json"
        run(
            "collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
            "--sources", "config,glance,ceph,backends", "--ceph-user", "ops", "--rbd-watchers",
            "-o", str(inv), check=0,
        )  # fmt: skip
        objects["inventory"] = inv
        objects["ceph"] = ceph
        yield objects
    finally:
        _untrash(ceph, objects)
        cleanup(lab, area)
        _remove_rbd(ceph, objects)
        ceph.close()


def _plan(lab: Any, made: dict[str, Any], tmp: Path, *flags: str) -> dict[str, Any]:
    out = tmp / "plan.json"
    done = run(
        "plan", "make", str(made["inventory"]), "-o", str(out), "--no-place", "--no-convert",
        "--reclaim", "--grace", "0", *flags,
    )  # fmt: skip
    assert done.returncode in (0, 3), done.stderr
    doc: dict[str, Any] = json.loads(out.read_text())
    doc["path"] = str(out)
    return doc


def _apply(lab: Any, plan: dict[str, Any], *flags: str, check: int) -> Any:
    return run(
        "apply", plan["path"], "--glance-endpoint", lab.glance_url, "--ceph-conf",
        lab.ceph_conf, "--ceph-user", ADMIN, *flags, check=check,
    )  # fmt: skip


def test_broken_location_is_removed_and_the_good_copy_kept(
    lab: Any, made: dict[str, Any], tmp_path: Path
) -> None:
    broken = made["broken"]
    want = image(lab, broken)["os_hash_value"]
    plan = _plan(lab, made, tmp_path, "--image", f"{made['area']}-broken")
    assert [(a["kind"], a["image_id"], a["target"]) for a in plan["actions"]] == [
        ("delete-location", broken, "cheap")
    ]
    _apply(lab, plan, check=2)  # destructive: refused without --yes-destroy
    assert stores(lab, broken) == {"fast", "cheap"}
    done = _apply(lab, plan, "--yes-destroy", check=0)
    assert "remove the location" in done.stdout and ": done" in done.stdout
    doc = image(lab, broken)
    assert stores(lab, broken) == {"fast"} and len(doc["locations"]) == 1
    assert download_sha512(lab, broken) == want
    again = _apply(lab, plan, "--yes-destroy", check=0)  # resumed from the journal: no step
    assert ": done" not in again.stdout and stores(lab, broken) == {"fast"}


def test_glance_data_in_the_rbd_trash_is_restored_not_its_location_dropped(
    lab: Any, made: dict[str, Any], tmp_path: Path
) -> None:
    image_id, trash_id = made["trashed"], made["untrash"]
    want = image(lab, image_id)["os_hash_value"]
    plan = _plan(lab, made, tmp_path, "--image", f"{made['area']}-trashed")
    assert [(a["kind"], a["image_id"], a["destructive"]) for a in plan["actions"]] == [
        ("rbd-trash-restore", f"rbd-trash:images/{trash_id}", False)
    ]  # its only location: restored, never removed
    assert _rbd_id(made["ceph"], image_id) is None
    done = _apply(lab, plan, check=0)  # not destructive: no --yes-destroy needed
    assert "restore RBD" in done.stdout and ": done" in done.stdout
    assert not _in_trash(made["ceph"], trash_id)
    assert _rbd_id(made["ceph"], image_id) == trash_id  # the same RBD image, back in the pool
    assert stores(lab, image_id) == {"ceph"} and len(image(lab, image_id)["locations"]) == 1
    assert download_sha512(lab, image_id) == want  # Glance reads the data again
    again = _apply(lab, plan, check=0)  # resumed from the journal: no step
    assert ": done" not in again.stdout


def test_trash_is_purged_only_past_its_deferment(
    lab: Any, made: dict[str, Any], tmp_path: Path
) -> None:
    names, trash = made["names"], made["trash"]
    plan = _plan(lab, made, tmp_path, "--image", names["over"], "--image", names["deferred"])
    assert [(a["kind"], a["image_id"]) for a in plan["actions"]] == [
        ("rbd-trash-purge", f"rbd-trash:images/{trash['over']}")
    ]  # the entry still deferred for a day is not planned
    _apply(lab, plan, "--yes-destroy", "--max-deletes", "0", check=4)
    assert _in_trash(made["ceph"], trash["over"])  # held by the limit
    _apply(lab, plan, "--yes-destroy", check=0)
    assert not _in_trash(made["ceph"], trash["over"])
    assert _in_trash(made["ceph"], trash["deferred"])
    forced = dict(plan["actions"][0])
    forced.update(
        id="a9999",
        image_id=f"rbd-trash:images/{trash['deferred']}",
        params=[["pool", "images"], ["trash_id", trash["deferred"]]],
    )
    from imageyard.apply.actions.trash import trash_fingerprint

    forced["expect"] = trash_fingerprint("images", trash["deferred"], {"name": names["deferred"]})
    early = {**plan, "actions": [forced]}
    early_path = tmp_path / "early.json"
    early_path.write_text(json.dumps({k: v for k, v in early.items() if k != "path"}))
    done = _apply(lab, {"path": str(early_path)}, "--yes-destroy", check=4)
    assert "deferment" in done.stdout
    assert _in_trash(made["ceph"], trash["deferred"])  # never purged before its time


def test_clones_are_flattened_only_when_asked(
    lab: Any, made: dict[str, Any], tmp_path: Path
) -> None:
    parent, clone = made["parent"], made["clone"]
    scope = ("--image", clone, "--image", parent)
    plain = _plan(lab, made, tmp_path, *scope)
    assert plain["actions"] == []
    plan = _plan(lab, made, tmp_path, *scope, "--flatten")
    assert [(a["kind"], a["image_id"]) for a in plan["actions"]] == [
        ("rbd-flatten", f"rbd:vms/{clone}")
    ]
    assert _parent_of(made["ceph"], "vms", clone) == f"images/{parent}@snap"
    _apply(lab, plan, "--yes-destroy", check=0)
    assert _parent_of(made["ceph"], "vms", clone) is None
    _apply(lab, plan, "--yes-destroy", check=0)  # done already: nothing to do
