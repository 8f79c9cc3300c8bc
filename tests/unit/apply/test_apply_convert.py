"""convert-to-raw and retire-image against an in-memory Glance, with the real qemu-img."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance
from plan_support import QCOW2_IN_CEPH, inventory

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.convert import MARKER
from imageyard.apply.engine import ApplyOptions, Engine
from imageyard.plan import PlanPolicy, make_plan

SIZE = 4 * 1024 * 1024


def _qcow2(tmp_path: Path) -> tuple[bytes, bytes]:
    """A qcow2 image with data at two offsets, and the raw disk it holds."""
    raw = bytearray(SIZE)
    raw[0:4096] = b"a" * 4096
    raw[3 * 1024 * 1024 : 3 * 1024 * 1024 + 512] = b"b" * 512
    (tmp_path / "disk.raw").write_bytes(bytes(raw))
    subprocess.run(
        [
            "qemu-img",
            "convert",
            "-f",
            "raw",
            "-O",
            "qcow2",
            str(tmp_path / "disk.raw"),
            str(tmp_path / "disk.qcow2"),
        ],
        check=True,
    )
    return (tmp_path / "disk.qcow2").read_bytes(), bytes(raw)


@pytest.fixture
def setup(tmp_path: Path) -> tuple[FakeGlance, bytes, object]:
    return make_case(tmp_path)


def make_case(tmp_path: Path) -> tuple[FakeGlance, bytes, object]:
    """A Glance holding the qcow2 image used from Ceph (``tmp_path/disk.qcow2``), the raw
    disk it holds, and the plan converting it."""
    qcow2, raw = _qcow2(tmp_path)
    inv = inventory()
    images = tuple(
        replace(
            i,
            size=len(qcow2),
            virtual_size=SIZE,
            tags=("golden",),
            os_hash_value=hashlib.sha512(qcow2).hexdigest(),
            visibility="shared",
        )
        if i.id == QCOW2_IN_CEPH
        else i
        for i in inv.images
    )
    inv = replace(inv, images=images)
    glance = FakeGlance(inv.images)
    glance.data[QCOW2_IN_CEPH] = qcow2
    glance.images[QCOW2_IN_CEPH]["hw_disk_bus"] = "scsi"
    glance.members_of[QCOW2_IN_CEPH] = [{"member_id": "project-b", "status": "accepted"}]
    plan = make_plan(inv, PlanPolicy(place=False, images=(QCOW2_IN_CEPH,)))
    return glance, raw, plan


def _apply(glance: FakeGlance, plan: object) -> object:
    engine = Engine(plan, StepContext(glance), None, ApplyOptions(), lambda s: None)  # type: ignore[arg-type]
    return engine.run()


def test_convert_makes_a_raw_twin_with_the_same_metadata_and_hides_the_old(setup) -> None:  # type: ignore[no-untyped-def]
    glance, raw, plan = setup
    assert [a.kind for a in plan.actions] == ["convert-to-raw", "retire-image"]
    assert _apply(glance, plan).complete  # type: ignore[attr-defined]
    new = [d for d in glance.images.values() if d.get(MARKER) == QCOW2_IN_CEPH]
    assert len(new) == 1
    doc = new[0]
    assert glance.data[doc["id"]] == raw and doc["disk_format"] == "raw"
    assert doc["stores"] == "ceph" and doc["status"] == "active"
    assert doc["tags"] == ["golden"] and doc["hw_disk_bus"] == "scsi"
    assert doc["visibility"] == "shared" and glance.members_of[doc["id"]][0]["member_id"]
    old = glance.images[QCOW2_IN_CEPH]
    assert old["os_hidden"] is True and old["status"] == "active"  # hidden, never deleted
    assert not [c for c in glance.calls if c[0] == "delete-image"]


def test_convert_again_is_a_no_op_and_a_partial_leftover_is_replaced(setup) -> None:  # type: ignore[no-untyped-def]
    glance, _, plan = setup
    leftover = glance.create_image({"name": "x", MARKER: QCOW2_IN_CEPH})  # a crash mid-upload
    assert _apply(glance, plan).complete  # type: ignore[attr-defined]
    assert leftover["id"] not in glance.images
    calls = len(glance.calls)
    assert _apply(glance, plan).complete  # type: ignore[attr-defined]
    assert len(glance.calls) == calls
    assert len([d for d in glance.images.values() if d.get(MARKER) == QCOW2_IN_CEPH]) == 1


def test_a_source_that_does_not_match_its_hash_is_not_converted(setup) -> None:  # type: ignore[no-untyped-def]
    glance, _, plan = setup
    glance.data[QCOW2_IN_CEPH] = glance.data[QCOW2_IN_CEPH][:-1] + b"\x01"
    outcome = _apply(glance, plan)
    assert outcome.failed and "os_hash_value" in outcome.failed[0][1]  # type: ignore[attr-defined]
    assert glance.images[QCOW2_IN_CEPH]["os_hidden"] is False


def test_the_raw_bytes_stream_without_a_raw_file_and_match_the_file_path(  # type: ignore[no-untyped-def]
    setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os
    import shutil

    from imageyard.apply.actions import convert

    glance, raw, _ = setup
    src = tmp_path / "disk.qcow2"
    seen: list[list[str]] = []
    real_upload = glance.upload

    def upload(image_id: str, store: str, data: object) -> None:
        seen.append(sorted(os.listdir(tmp_path)))  # what is on disk while the bytes go out
        real_upload(image_id, store, data)  # type: ignore[arg-type]

    monkeypatch.setattr(glance, "upload", upload)
    streamed = glance.create_image({"name": "s"})
    digest = hashlib.sha512()
    size = convert.send_raw(
        StepContext(glance), streamed["id"], "ceph", (str(src), "qcow2"), digest
    )
    assert size == SIZE and glance.data[streamed["id"]] == raw
    assert digest.hexdigest() == hashlib.sha512(raw).hexdigest()
    assert "disk.qcow2.raw" not in seen[-1]
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no qemu-nbd: through a file
    filed = glance.create_image({"name": "f"})
    convert.send_raw(
        StepContext(glance), filed["id"], "ceph", (str(src), "qcow2"), hashlib.sha512()
    )
    assert glance.data[filed["id"]] == raw and "disk.qcow2.raw" in seen[-1]
