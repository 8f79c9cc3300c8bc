"""``imageyard reclaim`` on the lab: the seeded orphans are found exactly, nothing healthy is.

``lab/seed.py`` leaves two things no Glance image owns, made by real operations: an RBD
image laid out like glance_store's (``snap`` protected) without a Glance row, and an image
Glance deleted that glance_store moved to the RBD trash because it had another snapshot.
``lab/seed_orphans.py`` adds an orphan of every other class beside healthy images in all
five stores (``$IMAGEYARD_LAB/orphans.json``; on a lab seeded without them this module makes
a small set itself and removes it afterwards). The tests collect the lab (config, Glance,
Ceph with watchers, the file/S3/Swift backends) and run ``reclaim`` with no grace period
(the seed is minutes old). The lab has no Nova or Cinder API: the usage that reclaim needs
for the consumer classes is the seed's own (the instances and volumes ``seed.json`` says
exist), added to the snapshot as a complete Nova and Cinder listing. Other lab tests add and
remove their own objects at the same time, so every assertion is about what the two
manifests describe.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from imageyard.cli import run
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import SourceStatus
from imageyard.model.snapshot import read_inventory, write_inventory

if TYPE_CHECKING:
    from conftest import Lab

pytestmark = pytest.mark.lab

# Seeded images whose role makes an item right (duplicates, a deleted owner, no data yet)
EXPECTED_ROLES = {
    "duplicate-image": "duplicate-of:",
    "image-deleted-owner": "owner-deleted-project",
    "image-stuck": "queued-no-data",
}


def _with_seed_usage(path: Path, lab: Lab) -> None:
    """The snapshot plus the Nova servers and Cinder volumes ``seed.json`` says exist."""
    inv = read_inventory(path)
    rbd = lab.seed["rbd"]
    servers = tuple(
        Server(o["instance_uuid"], image_ref=o["parent"]["image"])
        for o in rbd
        if o["kind"] == "nova-instance-disk"
    )
    volumes = tuple(
        Volume(o["volume_id"], image_id=o["parent"]["image"])
        for o in rbd
        if o["kind"] == "cinder-volume"
    )
    usage = (SourceStatus("nova", True, len(servers)), SourceStatus("cinder", True, len(volumes)))
    kept = tuple(s for s in inv.sources if s.source not in ("nova", "cinder"))
    write_inventory(replace(inv, servers=servers, volumes=volumes, sources=kept + usage), path)


def _watchers(lab: Lab, spec: str) -> list[Any]:
    argv = ["rbd", "-c", lab.ceph_conf, "--id", "ops", "status", spec, "--format", "json"]
    done = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=60)
    return list(json.loads(done.stdout)["watchers"])


def _settled(lab: Lab, orphans: dict[str, Any]) -> None:
    """Wait (at most 90 s) until the killed copy's RBD image has lost its dead client's watch:
    Ceph drops it only after osd_client_watch_timeout (30 s), and reclaim rightly spares an
    image with watchers. Only a test run right after the seed waits."""
    specs = [f"{o['pool']}/{o['name']}" for o in orphans["orphans"]
             if o["class"] == "rbd-copy-interrupted"]  # fmt: skip
    deadline = time.monotonic() + 90
    while any(_watchers(lab, spec) for spec in specs):
        assert time.monotonic() < deadline, f"{specs}: still watched after 90 s"
        time.sleep(2)


@pytest.fixture(scope="module")
def inventory(lab: Lab, orphans: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    _settled(lab, orphans)
    path = tmp_path_factory.mktemp("reclaim") / "lab-inv.json"
    argv = ["collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
            "--sources", "config,glance,ceph,backends", "--ceph-user", "ops", "--rbd-watchers",
            "-o", str(path)]  # fmt: skip
    assert run(argv) == 0
    _with_seed_usage(path, lab)
    return path


def _expected(orphan: dict[str, Any]) -> tuple[str, str] | None:
    """The reclaim class and resource a seeded orphan must be reported as (None: spared)."""
    cls, name, pool = orphan["class"], orphan.get("name", ""), orphan.get("pool", "")
    if cls == "deleted-image-held-by-v2-clone":
        trash = orphan.get("trash_id")
        return ("rbd-trash-entry", f"rbd-trash {pool}/{trash}") if trash else None
    by_class = {
        "rbd-no-glance-image": ("rbd-no-glance-image", f"rbd {pool}/{name}"),
        "rbd-copy-interrupted": ("rbd-no-glance-image", f"rbd {pool}/{name}"),
        "location-data-missing": ("location-data-missing", f"image {orphan.get('glance_id')}"),
        "nova-disk-no-instance": ("nova-disk-no-server", f"rbd {pool}/{name}"),
        "cinder-volume-no-volume": ("cinder-volume-no-volume", f"rbd {pool}/{name}"),
        "file-no-glance-image": ("file-no-glance-image", f"file {orphan.get('path')}"),
        "staging-leftover": ("import-staging-leftover", f"file {orphan.get('path')}"),
        "s3-no-glance-image": ("s3-no-glance-image", f"s3 {orphan.get('bucket')}/{name}"),
        "swift-no-glance-image": (
            "swift-no-glance-image",
            f"swift {orphan.get('container')}/{name}",
        ),
    }
    return by_class.get(cls)


def _reclaim(path: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    code = run(["reclaim", str(path), "-f", "json", "--fail-on", "none", "-q", *args])
    assert code == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def _by_resource(doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for item in doc["items"]:
        out.setdefault(item["resource"], []).append(item)
    return out


def test_seeded_orphans_are_found_exactly(
    lab: Lab, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = _by_resource(_reclaim(inventory, capsys, "--grace", "0"))
    (orphan,) = lab.rbd_objects("orphan-rbd-no-glance-row")
    (found,) = items[f"rbd images/{orphan['name']}"]
    assert found["class"] == "rbd-protected-snap-no-image"
    assert found["action"]["kind"] == "rbd-trash-move"
    assert found["provisioned"] == orphan["size"]
    (trashed,) = lab.rbd_objects("in-rbd-trash")
    (entry,) = items[f"rbd-trash images/{trashed['trash_id']}"]
    assert entry["class"] == "rbd-trash-entry"
    assert entry["action"]["params"]["image"] == trashed["name"]


def test_no_seeded_healthy_image_or_clone_is_reported(
    lab: Lab, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = _by_resource(_reclaim(inventory, capsys, "--grace", "0"))
    for image in lab.seed["images"]:
        for item in items.get(f"image {image['id']}", []):
            role = EXPECTED_ROLES.get(item["class"])
            assert role is not None and any(r.startswith(role) for r in image["roles"]), (
                image["name"],
                item["class"],
                item["message"],
            )
    for obj in lab.seed["rbd"]:  # the seed's clones have their server and volume
        if obj["kind"] in ("nova-instance-disk", "cinder-volume"):
            assert f"rbd {obj['pool']}/{obj['name']}" not in items, obj["name"]


def test_every_seeded_orphan_is_found_exactly_once_in_its_class(
    orphans: dict[str, Any], inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reclaim(inventory, capsys, "--grace", "0")
    items = _by_resource(doc)
    expected = [e for e in map(_expected, orphans["orphans"]) if e is not None]
    assert len(expected) >= 9
    for cls, resource in expected:
        assert [i["class"] for i in items.get(resource, [])] == [cls], resource
    trashed = [o for o in orphans["orphans"] if o["class"] == "rbd-trashed-under-glance"]
    for orphan in trashed:
        (item,) = items[f"image {orphan['glance_id']}"]
        assert f"in the RBD trash as {orphan['trash_id']}" in item["message"]
    held = [o for o in orphans["orphans"] if o["class"] == "deleted-image-held-by-v2-clone"]
    for orphan in (o for o in held if "trash_id" in o):
        (item,) = items[f"rbd-trash images/{orphan['trash_id']}"]
        assert item["action"]["kind"] == "flatten"
        assert orphan["child"] in item["action"]["params"]["children"].split(",")


def test_other_users_data_is_spared_and_counted(
    orphans: dict[str, Any], inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reclaim(inventory, capsys, "--grace", "0")
    items = _by_resource(doc)
    foreign = [o for o in orphans["orphans"] if o["class"] in ("rbd-foreign-name", "file-foreign")]
    assert foreign
    for orphan in foreign:
        assert not [r for r in items if r.endswith(orphan["name"])], orphan
    shared = set(doc["shared_with_others"])
    assert {"pool images", "store cheap"} <= shared


def test_no_healthy_image_of_either_seed_is_reported(
    orphans: dict[str, Any], inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    items = _by_resource(_reclaim(inventory, capsys, "--grace", "0"))
    healthy = orphans["healthy"]
    assert len(healthy) >= 20 and {h["store"] for h in healthy} == {
        "fast",
        "cheap",
        "ceph",
        "s3",
        "swift",
    }
    reported = " ".join(items)
    for image in healthy:
        assert image["id"] not in reported, image


def test_pins_duplicates_and_undecided_classes(
    lab: Lab, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reclaim(inventory, capsys)
    (disk,) = lab.rbd_objects("nova-clone")
    parent = disk["parent"]["image"]
    (pin,) = [p for p in doc["pins"] if p["image_id"] == parent]
    # a fresh Pacific cluster makes v1 clones: Glance's DELETE of the parent returns 409
    assert pin["delete_returns_409"] is True
    assert {n["clone_v2"] for n in pin["nodes"]} == {False}
    assert {n["spec"] for n in pin["nodes"]} >= {
        f"{o['pool']}/{o['name']}"
        for o in lab.seed["rbd"]
        if o.get("parent", {}).get("image") == parent
    }
    dup_ids = {
        i["id"]
        for i in lab.seed["images"]
        if any(r.startswith("duplicate-of:") for r in i["roles"])
    }
    copies = {c for g in doc["duplicates"] for c in g["copies"]}
    assert dup_ids <= copies
    states = {c["id"]: c["state"] for c in doc["classes"]}
    # every input these classes read was collected whole
    for cls in (
        "rbd-no-glance-image",
        "file-no-glance-image",
        "s3-no-glance-image",
        "swift-no-glance-image",
        "nova-disk-no-server",
        "cinder-volume-no-volume",
    ):
        assert states[cls] == "checked", cls
    # Keystone is not read here: images of deleted projects are unknown, never reported
    assert states["image-deleted-owner"] == "unknown"


def test_design_lists_what_reclaim_lists(
    lab: Lab, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reclaim(inventory, capsys)
    assert run(["design", str(inventory), "-f", "json", "--no-audit"]) == 0
    design = json.loads(capsys.readouterr().out)["reclaim"]
    assert design["pins"] == [p["spec"] for p in doc["pins"]]
    assert design["duplicates"] == [[g["keep"], *g["copies"]] for g in doc["duplicates"]]
