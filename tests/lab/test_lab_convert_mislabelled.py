"""convert-to-raw on the lab of an image labelled raw whose data is qcow2: found by the Ceph
collector's header read, planned with the detected format, read as qcow2 by apply; the
replacement is real raw and the original is hidden."""

from __future__ import annotations

import hashlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from apply_support import cleanup, download_sha512, image, make_image, mine, prefix, raw_bytes, run


@pytest.fixture
def area(lab: Any) -> Iterator[str]:
    name = prefix("mislabel")
    yield name
    cleanup(lab, name)


def _qcow2(tmp: Path) -> tuple[bytes, bytes]:
    """A 16 MiB disk with 1 MiB of random data, as qcow2 bytes and as raw bytes."""
    raw = tmp / "disk.raw"
    with open(raw, "wb") as fh:
        fh.truncate(16 * 1024 * 1024)
        fh.seek(5 * 1024 * 1024)
        fh.write(raw_bytes(1024 * 1024))
    out = tmp / "disk.qcow2"
    subprocess.run(
        ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(out)], check=True
    )
    return out.read_bytes(), raw.read_bytes()


def _collect(lab: Any, out: Path) -> Path:
    """A snapshot with the Ceph source (librbd reads each image's header)."""
    run(
        "collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
        "--ceph-user", "ops", "-o", str(out), check=0,
    )  # fmt: skip
    return out


def test_a_qcow2_labelled_raw_is_converted_to_real_raw_and_retired(
    lab: Any, area: str, tmp_path: Path
) -> None:
    qcow2, raw = _qcow2(tmp_path)
    old = make_image(lab, f"{area}-disk", qcow2, "ceph", "raw")
    inv = _collect(lab, tmp_path / "inv.json")
    plan_file = tmp_path / "plan.json"
    done = run("plan", "make", str(inv), "-o", str(plan_file), "--image", f"{area}-*")
    assert done.returncode == 3, done.stderr
    actions = json.loads(plan_file.read_text())["actions"]
    assert [(a["kind"], a["image_id"]) for a in actions] == [
        ("convert-to-raw", old),
        ("retire-image", old),
    ]
    assert ["source_format", "qcow2"] in actions[0]["params"]
    ceph = ("--ceph-conf", lab.ceph_conf, "--ceph-user", "glance")
    done = run("apply", str(plan_file), "--glance-endpoint", lab.glance_url, *ceph)
    assert done.returncode == 0, done.stderr
    assert "read as qcow2, not as its label raw" in done.stdout
    (new,) = [d for d in mine(lab, area) if d.get("imageyard_converted_from") == old]
    want = hashlib.sha512(raw).hexdigest()
    assert new["disk_format"] == "raw" and new["stores"] == "ceph"
    assert new["size"] == len(raw) and new["os_hash_value"] == want
    assert download_sha512(lab, new["id"]) == want
    assert image(lab, old)["os_hidden"] is True and image(lab, old)["status"] == "active"
    after = _collect(lab, tmp_path / "after.json")
    report = json.loads(
        run(
            "audit",
            "--inventory",
            str(after),
            "--format",
            "json",
            "-q",
            "--fail-on",
            "none",
            check=0,
        ).stdout
    )
    flagged = {f["resource"] for f in report["findings"] if f["rule_id"] == "raw-label-mismatch"}
    assert f"image {new['id']}" not in flagged and f"image {old}" in flagged
