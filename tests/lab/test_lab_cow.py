"""Copy-on-write verdicts on the real lab, each confirmed against Ceph and Glance.

The lab inventory is collected with the CLI; every seeded image gets a verdict for the lab's
Nova compute (nova.conf: images_type rbd, pool vms, user nova) and its Cinder RBD backend
(cinder.conf: pool volumes, user cinder). Each verdict is then confirmed for real: a clone
verdict by cloning ``images/<id>@snap`` the way Nova and Cinder do, as their own cephx users,
into their own pools (the clone is removed at once); a non-clone verdict by showing the
condition it names (no RBD source to clone from, a disk_format Nova refuses, an inactive
image). Finally ``imageyard audit`` must name every image that cannot be cloned, with the
expected path.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import Lab

from imageyard.audit.cow import BootPath, Consumer, Verdict, boot_path, consumers
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

CLONE_ROLES = ("raw-in-ceph", "copied-to-ceph")


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imageyard", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def inventory_file(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cow") / "lab-inv.json"
    done = _cli(
        "collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
        "--ceph-user", "ops", "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def inv(inventory_file: Path) -> Inventory:
    return read_inventory(inventory_file)


@pytest.fixture(scope="module")
def lab_consumers(inv: Inventory) -> dict[str, Consumer]:
    found = {c.kind.value: c for c in consumers(inv) if c.rbd}
    assert set(found) == {"nova", "cinder"}
    return found


def expected_path(seeded: dict[str, Any], kind: str) -> BootPath:
    """The path the seed's roles imply for the lab's Nova or Cinder consumer."""
    roles, fmt = seeded["roles"], seeded["disk_format"]
    if seeded["status"] != "active":
        return BootPath.REFUSED
    if fmt == "raw" and any(r in roles for r in CLONE_ROLES):
        return BootPath.CLONE
    if fmt not in ("raw", "iso"):
        return BootPath.DOWNLOAD_CONVERT
    if fmt == "raw" and kind == "nova":
        return BootPath.COPY_TO_STORE  # images_rbd_glance_store_name = ceph (in the cluster)
    return BootPath.DOWNLOAD


def _verdicts(
    lab: Lab, inv: Inventory, consumer: Consumer
) -> Iterator[tuple[dict[str, Any], Verdict]]:
    for seeded in lab.seed["images"]:
        image = inv.image(seeded["id"])
        assert image is not None, f"{seeded['name']} not collected"
        yield seeded, boot_path(image, consumer, inv)


@pytest.mark.parametrize("kind", ["nova", "cinder"])
def test_verdicts_match_the_seed(
    lab: Lab, inv: Inventory, lab_consumers: dict[str, Consumer], kind: str
) -> None:
    wrong = {
        seeded["name"]: (verdict.path.value, expected_path(seeded, kind).value, verdict.reasons)
        for seeded, verdict in _verdicts(lab, inv, lab_consumers[kind])
        if verdict.path is not expected_path(seeded, kind)
    }
    assert not wrong


@pytest.fixture(scope="module")
def rbd_mod() -> Any:
    return pytest.importorskip("rbd")


def _connect(lab: Lab, user: str) -> Any:
    rados = pytest.importorskip("rados")
    cluster = rados.Rados(conffile=lab.ceph_conf, rados_id=user)
    cluster.connect(timeout=15)
    return cluster


def _clone_and_remove(lab: Lab, rbd: Any, user: str, pool: str, image_id: str, name: str) -> None:
    """Clone images/<id>@snap into ``pool`` as ``user`` the way Nova/Cinder do, then remove."""
    cluster = _connect(lab, user)
    try:
        with cluster.open_ioctx("images") as src, cluster.open_ioctx(pool) as dst:
            rbd.RBD().clone(src, image_id, "snap", dst, name, features=rbd.RBD_FEATURE_LAYERING)
            try:
                with rbd.Image(dst, name, read_only=True) as child:
                    assert child.parent_info() == ("images", image_id, "snap")
            finally:
                rbd.RBD().remove(dst, name)
    finally:
        cluster.shutdown()


def _no_rbd_source(lab: Lab, rbd: Any, user: str, image_id: str) -> bool:
    cluster = _connect(lab, user)
    try:
        with cluster.open_ioctx("images") as src:
            try:
                rbd.Image(src, image_id, snapshot="snap", read_only=True).close()
            except rbd.ImageNotFound:
                return True
            return False
    finally:
        cluster.shutdown()


def _confirm(lab: Lab, rbd: Any, kind: str, seeded: dict[str, Any], verdict: Verdict) -> str:
    """Confirm one verdict for real; returns how it was confirmed."""
    user, pool = ("nova", "vms") if kind == "nova" else ("cinder", "volumes")
    image_id = seeded["id"]
    body = lab.glance(f"/v2/images/{image_id}").json()
    if verdict.path is BootPath.CLONE:
        name = f"{uuid.uuid4()}_disk" if kind == "nova" else f"volume-{uuid.uuid4()}"
        _clone_and_remove(lab, rbd, user, pool, image_id, name)
        return "cloned"
    if body["status"] != "active":
        assert verdict.path is BootPath.REFUSED and body["status"] in verdict.first_reason
        return f"status {body['status']}"
    if not any(u.startswith("rbd://") for u in (loc["url"] for loc in body["locations"])):
        assert _no_rbd_source(lab, rbd, user, image_id)
        named = "not stored in rbd" in " ".join(verdict.reasons)
        fmt = body["disk_format"]
        gate = fmt not in ("raw", "iso") and "not raw or iso" in verdict.first_reason
        assert named or gate, verdict.reasons  # Nova's format gate comes before locations
        return "no rbd source"
    # in rbd, but a disk_format the consumer never clones
    assert body["disk_format"] != "raw"
    assert body["disk_format"] in verdict.first_reason
    return f"disk_format {body['disk_format']}"


@pytest.mark.parametrize("kind", ["nova", "cinder"])
def test_each_verdict_is_confirmed_in_ceph(
    lab: Lab, inv: Inventory, lab_consumers: dict[str, Consumer], rbd_mod: Any, kind: str
) -> None:
    confirmed = {
        seeded["name"]: _confirm(lab, rbd_mod, kind, seeded, verdict)
        for seeded, verdict in _verdicts(lab, inv, lab_consumers[kind])
    }
    assert "cloned" in confirmed.values() and "no rbd source" in confirmed.values()
    assert confirmed["netboot-installer-iso"] == "disk_format iso"
    assert confirmed["centos-stream-9-qcow2"] == "disk_format qcow2"


def test_the_clone_user_cannot_write_the_glance_pool(lab: Lab, rbd_mod: Any) -> None:
    # the verdict assumes read access only; nova cannot create in images (EPERM)
    (seeded,) = [i for i in lab.images("raw-in-ceph-with-nova-clone")]
    cluster = _connect(lab, "nova")
    try:
        with cluster.open_ioctx("images") as src, pytest.raises(rbd_mod.PermissionError):
            rbd_mod.RBD().clone(
                src, seeded["id"], "snap", src, f"{uuid.uuid4()}-probe",
                features=rbd_mod.RBD_FEATURE_LAYERING,
            )  # fmt: skip
    finally:
        cluster.shutdown()


def test_audit_names_every_image_that_cannot_be_cloned(
    lab: Lab, inventory_file: Path, lab_consumers: dict[str, Consumer]
) -> None:
    done = _cli("audit", "--inventory", str(inventory_file), "--format", "json", "-q",
                "--fail-on", "none")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    cow = {f["resource"]: f for f in report["findings"] if f["rule_id"] == "cow-not-eligible"}
    for kind, consumer in lab_consumers.items():
        for seeded in lab.seed["images"]:
            path = expected_path(seeded, kind)
            resource = f"image {seeded['id']}@{consumer.name}"
            if path in (BootPath.CLONE, BootPath.REFUSED):  # inactive images are not reported
                assert resource not in cow, seeded["name"]
            else:
                assert resource in cow, (seeded["name"], kind)
                assert f": {path.value};" in cow[resource]["message"]
    mismatch = {f["resource"] for f in report["findings"] if f["rule_id"] == "raw-label-mismatch"}
    assert mismatch == {f"image {i['id']}" for i in lab.images("qcow2-payload-labelled-raw")}
    non_raw = {f["resource"] for f in report["findings"] if f["rule_id"] == "non-raw-in-rbd"}
    assert non_raw == {f"image {i['id']}" for i in lab.images("qcow2-in-ceph")}
