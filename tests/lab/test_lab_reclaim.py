"""``imageyard reclaim`` on the lab: the seeded orphans are found exactly, nothing healthy is.

The lab's seed leaves two things no Glance image owns, made by real operations: an RBD image
laid out like glance_store's (``snap`` protected) without a Glance row, and an image Glance
deleted that glance_store moved to the RBD trash because it had another snapshot. The test
collects the lab (config, Glance, Ceph with watchers) and runs ``reclaim`` with no grace
period (the seed is minutes old). Other lab tests add and remove their own objects at the
same time, so every assertion is about what ``seed.json`` describes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from imageyard.cli import run

if TYPE_CHECKING:
    from conftest import Lab

pytestmark = pytest.mark.lab

# Seeded images whose role makes an item right (duplicates, a deleted owner, no data yet)
EXPECTED_ROLES = {
    "duplicate-image": "duplicate-of:",
    "image-deleted-owner": "owner-deleted-project",
    "image-stuck": "queued-no-data",
}


@pytest.fixture(scope="module")
def inventory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("reclaim") / "lab-inv.json"
    argv = ["collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
            "--ceph-user", "ops", "--rbd-watchers", "-o", str(path)]  # fmt: skip
    assert run(argv) == 0
    return path


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
    for obj in lab.seed["rbd"]:
        if obj["kind"] in ("nova-instance-disk", "cinder-volume"):
            assert f"rbd {obj['pool']}/{obj['name']}" not in items, obj["name"]


def test_pins_duplicates_and_undecided_classes(
    lab: Lab, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reclaim(inventory, capsys)
    (disk,) = lab.rbd_objects("nova-clone")
    parent = disk["parent"]["image"]
    (pin,) = [p for p in doc["pins"] if p["image_id"] == parent]
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
    # Nova and Cinder are not collected here: their leftovers are unknown, never orphans
    assert states["nova-disk-no-server"] == states["cinder-volume-no-volume"] == "unknown"


def test_design_lists_what_reclaim_lists(
    lab: Lab, inventory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _reclaim(inventory, capsys)
    assert run(["design", str(inventory), "-f", "json", "--no-audit"]) == 0
    design = json.loads(capsys.readouterr().out)["reclaim"]
    assert design["pins"] == [p["spec"] for p in doc["pins"]]
    assert design["duplicates"] == [[g["keep"], *g["copies"]] for g in doc["duplicates"]]
