"""The lab is what lab/up and lab/seed.py say it is: checked against Glance and Ceph."""

from __future__ import annotations

import configparser
import json
import subprocess
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # tests/ is not a package: conftest is not importable at run time
    from conftest import Lab

STORES = {"fast", "cheap", "ceph", "s3", "swift"}


def rbd_cli(lab: Lab, *args: str) -> Any:
    out = subprocess.run(
        ["rbd", "-c", lab.ceph_conf, "--id", "ops", "--format", "json", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def test_glance_lists_exactly_the_five_stores(lab: Lab) -> None:
    resp = lab.glance("/v2/info/stores")
    assert resp.status_code == 200
    stores = resp.json()["stores"]
    assert {s["id"] for s in stores} == STORES
    assert [s["id"] for s in stores if s.get("default") == "true"] == ["fast"]


def test_rbd_store_fsid_is_the_running_cluster(lab: Lab) -> None:
    detail = lab.glance("/v2/info/stores/detail").json()["stores"]
    ceph = next(s for s in detail if s["id"] == "ceph")
    assert ceph["type"] == "rbd"
    fsid = subprocess.run(
        ["ceph", "-c", lab.ceph_conf, "--connect-timeout", "15", "fsid"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert ceph["properties"]["fsid"] == fsid == lab.fsid == lab.seed["fsid"]
    assert ceph["properties"]["pool"] == "images"


def test_weights_order_the_stores(lab: Lab) -> None:
    detail = {s["id"]: s for s in lab.glance("/v2/info/stores/detail").json()["stores"]}
    weights = {k: int(v["weight"]) for k, v in detail.items()}
    assert sorted(weights, key=weights.__getitem__, reverse=True) == [
        "fast",
        "ceph",
        "cheap",
        "swift",
        "s3",
    ]


def test_every_seeded_image_exists_as_recorded(lab: Lab) -> None:
    assert len(lab.seed["images"]) >= 15
    for rec in lab.seed["images"]:
        img = lab.glance(f"/v2/images/{rec['id']}").json()
        assert img["status"] == rec["status"], rec["name"]
        assert img["owner"] == rec["owner"], rec["name"]
        assert img["disk_format"] == rec["disk_format"], rec["name"]
        assert set(filter(None, img.get("stores", "").split(","))) == set(rec["stores"])


@pytest.mark.parametrize(
    ("role", "pool", "user"),
    [("nova-clone", "vms", "nova"), ("cinder-clone", "volumes", "cinder")],
)
def test_clones_hang_off_the_glance_snapshot(
    lab: Lab, ceph_ops: Any, role: str, pool: str, user: str
) -> None:
    import rbd

    (clone,) = lab.rbd_objects(role)
    parent = clone["parent"]["image"]
    assert clone["made_as"] == f"client.{user}"
    with ceph_ops.open_ioctx(pool) as ioctx, rbd.Image(ioctx, clone["name"], read_only=True) as im:
        assert im.parent_info() == ("images", parent, "snap")
    # the parent is a live raw Glance image in ceph whose direct_url names that snapshot
    img = lab.glance(f"/v2/images/{parent}").json()
    assert img["disk_format"] == "raw"
    assert img["direct_url"] == f"rbd://{lab.fsid}/images/{parent}/snap"
    assert parent in {i["id"] for i in lab.images(f"raw-in-ceph-with-{role}")}
    children = rbd_cli(lab, "children", f"images/{parent}@snap")
    assert {"pool": pool, "pool_namespace": "", "image": clone["name"]} in children


def test_trashed_image_is_in_rbd_trash_and_gone_from_glance(lab: Lab) -> None:
    (obj,) = lab.rbd_objects("in-rbd-trash")
    trash = rbd_cli(lab, "trash", "ls", "images")
    assert {"id": obj["trash_id"], "name": obj["name"]} in trash
    assert lab.glance(f"/v2/images/{obj['glance_id']}").status_code == 404


def test_orphan_rbd_image_has_no_glance_row(lab: Lab) -> None:
    (obj,) = lab.rbd_objects("orphan-rbd-no-glance-row")
    assert obj["name"] in rbd_cli(lab, "ls", "images")
    snaps = rbd_cli(lab, "snap", "ls", f"images/{obj['name']}")
    assert [(s["name"], s["protected"]) for s in snaps] == [("snap", "true")]
    assert lab.glance(f"/v2/images/{obj['name']}").status_code == 404


def test_deactivated_image(lab: Lab) -> None:
    (rec,) = lab.images("deactivated")
    assert lab.glance(f"/v2/images/{rec['id']}").json()["status"] == "deactivated"


def test_duplicates_have_the_same_content_and_other_owners(lab: Lab) -> None:
    dups = [(i, r) for i in lab.seed["images"] for r in i["roles"] if r.startswith("duplicate-of:")]
    assert len(dups) >= 3
    for img, role in dups:
        original = lab.glance(f"/v2/images/{role.split(':', 1)[1]}").json()
        copy = lab.glance(f"/v2/images/{img['id']}").json()
        assert copy["os_hash_value"] == original["os_hash_value"]
        assert copy["owner"] != original["owner"]


def test_owner_of_a_deleted_project(lab: Lab) -> None:
    recs = lab.images("owner-deleted-project")
    assert recs
    assert {r["owner"] for r in recs} <= set(lab.seed["projects"]["deleted"])
    assert not set(lab.seed["projects"]["deleted"]) & set(lab.seed["projects"]["live"])


def test_glance_direct_import_converted_qcow2_to_raw(lab: Lab) -> None:
    recs = lab.images("converted-qcow2-to-raw")
    assert recs
    for rec in recs:
        img = lab.glance(f"/v2/images/{rec['id']}").json()
        assert img["disk_format"] == "raw"
        assert img["size"] == img["virtual_size"]


def test_multi_store_images_are_in_every_store(lab: Lab) -> None:
    (win,) = [i for i in lab.images("multi-store") if "raw-in-ceph" in i["roles"]]
    img = lab.glance(f"/v2/images/{win['id']}").json()
    assert set(img["stores"].split(",")) == {"ceph", "s3", "swift", "cheap"}
    locations = lab.glance(f"/v2/images/{win['id']}/locations").json()
    schemes = sorted(loc["url"].split(":", 1)[0] for loc in locations)
    assert schemes == ["file", "rbd", "s3", "swift+config"]


def test_config_dir_is_complete(lab: Lab) -> None:
    for name in (
        "glance-api.conf",
        "glance-image-import.conf",
        "glance-api-paste.ini",
        "glance-swift.conf",
        "policy.yaml",
        "uwsgi.ini",
        "nova.conf",
        "cinder.conf",
        "ceph.conf",
    ):
        assert (lab.etc / name).is_file(), name
    api = configparser.ConfigParser(interpolation=None)
    api.read(lab.etc / "glance-api.conf")
    backends = {b.split(":")[0].strip() for b in api["DEFAULT"]["enabled_backends"].split(",")}
    assert backends == STORES
    imp = configparser.ConfigParser(interpolation=None)
    imp.read(lab.etc / "glance-image-import.conf")
    assert imp["image_import_opts"]["image_import_plugins"] == "[image_conversion]"
    ceph = configparser.ConfigParser(interpolation=None)
    ceph.read(lab.etc / "ceph.conf")
    assert ceph["global"]["fsid"] == lab.fsid
    nova = configparser.ConfigParser(interpolation=None)
    nova.read(lab.etc / "nova.conf")
    assert nova["libvirt"]["images_type"] == "rbd"
    assert nova["libvirt"]["images_rbd_pool"] == "vms"
