"""plan + apply on the shared lab with this test's own images: copy, move, delete, convert,
dry-run, stale plan, lock and limits."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import (
    cleanup,
    download_sha512,
    image,
    make_image,
    mine,
    plan,
    prefix,
    raw_bytes,
    rbd_images,
    run,
    snapshot,
    stores,
)

from imageyard.apply.lock import default_lock_path, exclusive

ONLY_MOVES = ("--no-place", "--no-convert")


@pytest.fixture
def area(lab: Any) -> Iterator[str]:
    name = prefix("lab")
    yield name
    cleanup(lab, name)


def _apply(lab: Any, plan_file: Path, *flags: str, check: int | None = None) -> Any:
    return run("apply", str(plan_file), "--glance-endpoint", lab.glance_url, *flags, check=check)


def test_move_copies_verifies_then_deletes(lab: Any, area: str, tmp_path: Path) -> None:
    ids = [make_image(lab, f"{area}-m{i}", raw_bytes(256 * 1024), "fast") for i in range(2)]
    hashes = {i: image(lab, i)["os_hash_value"] for i in ids}
    plan_file = plan(
        lab, tmp_path, "--image", f"{area}-*", "--no-place", "--no-convert", "--move", "fast=ceph"
    )
    doc = json.loads(plan_file.read_text())
    assert [a["kind"] for a in doc["actions"]] == ["copy-image", "delete-from-store"] * 2
    done = _apply(lab, plan_file, "--yes-destroy", check=0)
    assert done.stdout.count(": done") == 4
    pool = rbd_images(lab)
    for i in ids:
        assert stores(lab, i) == {"ceph"} and i in pool
        assert not (Path(lab.root) / "glance" / "data" / "fast" / i).exists()
        assert download_sha512(lab, i) == hashes[i]
        assert [loc["metadata"].get("store") for loc in image(lab, i)["locations"]] == ["ceph"]
    again = _apply(lab, plan_file, "--yes-destroy", check=0)  # idempotent: nothing left
    assert ": done" not in again.stdout


def test_dry_run_changes_nothing(lab: Any, area: str, tmp_path: Path) -> None:
    i = make_image(lab, f"{area}-d", raw_bytes(64 * 1024), "fast")
    plan_file = plan(lab, tmp_path, "--image", f"{area}-*", *ONLY_MOVES, "--move", "fast=cheap")
    before = image(lab, i)
    done = _apply(lab, plan_file, "--dry-run", check=0)
    assert done.stdout.splitlines() == [
        f"would copy {area}-d ({i}) to store cheap",
        f"would delete {area}-d ({i}) from store fast",
    ]
    assert (
        image(lab, i)["stores"] == before["stores"]
        and image(lab, i)["updated_at"] == before["updated_at"]
    )
    assert not Path(f"{plan_file}.journal").exists()


def test_stale_plan_is_refused_and_nothing_changes(lab: Any, area: str, tmp_path: Path) -> None:
    a = make_image(lab, f"{area}-s1", raw_bytes(64 * 1024), "fast")
    b = make_image(lab, f"{area}-s2", raw_bytes(64 * 1024), "fast")
    plan_file = plan(lab, tmp_path, "--image", f"{area}-*", *ONLY_MOVES, "--move", "fast=cheap")
    r = lab.http.delete(f"{lab.glance_url}/v2/images/{b}", timeout=30)  # changes under the plan
    assert r.status_code == 204
    done = _apply(lab, plan_file, "--yes-destroy", check=7)
    assert "the plan is stale" in done.stderr and b in done.stderr
    assert stores(lab, a) == {"fast"}


def test_a_second_apply_is_locked_out(lab: Any, area: str, tmp_path: Path) -> None:
    make_image(lab, f"{area}-l", raw_bytes(64 * 1024), "fast")
    plan_file = plan(lab, tmp_path, "--image", f"{area}-*", *ONLY_MOVES, "--move", "fast=cheap")
    with exclusive(default_lock_path(lab.glance_url)):
        done = _apply(lab, plan_file, "--yes-destroy", check=1)
    assert "another apply holds the lock" in done.stderr


def test_limits_and_confirmation_hold_deletes_until_resumed(
    lab: Any, area: str, tmp_path: Path
) -> None:
    ids = [make_image(lab, f"{area}-x{i}", raw_bytes(64 * 1024), "fast") for i in range(2)]
    plan_file = plan(lab, tmp_path, "--image", f"{area}-*", *ONLY_MOVES, "--move", "fast=cheap")
    refused = _apply(lab, plan_file, check=2)
    assert "--yes-destroy" in refused.stderr and all(stores(lab, i) == {"fast"} for i in ids)
    _apply(lab, plan_file, "--yes-destroy", "--max-deletes", "0", check=4)
    assert all(stores(lab, i) == {"fast", "cheap"} for i in ids)
    _apply(lab, plan_file, "--yes-destroy", "--max-bytes", "1K", check=0)
    assert all(stores(lab, i) == {"cheap"} for i in ids)
    journal = [json.loads(x) for x in Path(f"{plan_file}.journal").read_text().splitlines()]
    assert sum(1 for e in journal[1:] if e["event"] == "done") == 4


def _qcow2(tmp: Path) -> bytes:
    raw = tmp / "d.raw"
    with open(raw, "wb") as fh:
        fh.truncate(8 * 1024 * 1024)
        fh.seek(1024 * 1024)
        fh.write(raw_bytes(512 * 1024))
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(tmp / "d.qcow2")],
        check=True,
    )
    return (tmp / "d.qcow2").read_bytes()


def test_convert_to_raw_of_a_qcow2_used_from_ceph_then_paths_says_clone(
    lab: Any, area: str, tmp_path: Path
) -> None:
    old = make_image(lab, f"{area}-q", _qcow2(tmp_path), "ceph", disk_format="qcow2")
    lab.http.patch(
        f"{lab.glance_url}/v2/images/{old}",
        timeout=30,
        headers={"Content-Type": "application/openstack-images-v2.1-json-patch"},
        data=json.dumps(
            [
                {"op": "add", "path": "/hw_disk_bus", "value": "scsi"},
                {"op": "add", "path": "/tags", "value": ["golden"]},
            ]
        ),
    )
    plan_file = plan(lab, tmp_path, "--image", f"{area}-*")
    kinds = [a["kind"] for a in json.loads(plan_file.read_text())["actions"]]
    assert kinds == ["convert-to-raw", "retire-image"]
    _apply(lab, plan_file, check=0)
    new = [d for d in mine(lab, area) if d["id"] != old]
    assert len(new) == 1 and new[0]["disk_format"] == "raw" and new[0]["stores"] == "ceph"
    assert new[0]["hw_disk_bus"] == "scsi" and new[0]["tags"] == ["golden"]
    assert new[0]["size"] == 8 * 1024 * 1024 and new[0]["imageyard_converted_from"] == old
    assert image(lab, old)["os_hidden"] is True and image(lab, old)["status"] == "active"
    inv = snapshot(lab, tmp_path / "after.json")
    rows = json.loads(run("paths", str(inv), "-f", "json", "-q", check=0).stdout)["paths"]
    verdicts = {
        r["path"]
        for r in rows
        if r["image_id"] == new[0]["id"] and r["consumer"].startswith("nova:")
    }
    assert verdicts == {"clone"}
    _apply(lab, plan_file, check=0)  # resumed/re-run: no second raw copy
    assert len([d for d in mine(lab, area) if d["id"] != old]) == 1
