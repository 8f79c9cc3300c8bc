"""``imageyard probe boot`` on the lab, its outcome observed from Ceph itself.

For every seeded image the probe (on the lab's Nova: pool vms as client.nova) must report
the path ``imageyard paths`` predicts. Where it performs that path, it is held after the
step that made the scratch disk (``--hold-after``, resumed with SIGUSR1) while this test
reads the disk with its own admin connection: a clone has the predicted location's
``pool/image@snap`` as RBD parent, a downloaded and imported disk has none; the probe must
report the same parent. Seeded images are never changed, so the copy-to-store path
(copy-image, then a clone) is carried out on twins made here: one small raw image per store
that holds a seeded image predicted to take that path, named ``iy-probe-copy-*`` and
deleted afterwards. Nothing named ``iyprobe-`` is left in the pool.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import apply_support as support
import pytest
from conftest import Lab

from imageyard import cli

POOL = "vms"
COPY, CLONE = "copy-to-store-then-clone", "clone"
HOLD = {CLONE: "clone", COPY: "clone", "download": "rbd-import",
        "download-convert-import": "rbd-import"}  # fmt: skip


def _paths(snapshot: Path) -> dict[str, dict[str, Any]]:
    done = support.run("paths", str(snapshot), "-f", "json", "-q", check=0)
    rows = json.loads(done.stdout)["paths"]
    return {r["image_id"]: r for r in rows if r["consumer"].startswith("nova:")}


def _content() -> bytes:
    """1 MiB whose first 4 KiB are zeros: random bytes there can look like an MBR (0x55AA
    at 510) that Glance's format inspector then refuses as a raw image (HTTP 415)."""
    return bytes(4096) + os.urandom((1 << 20) - 4096)


@pytest.fixture(scope="module")
def twins(lab: Lab) -> Iterator[dict[str, str]]:
    """Twin id -> store, for each store of a seeded image predicted copy-to-store."""
    name = f"iy-probe-copy-{uuid.uuid4().hex[:8]}"
    try:
        made: dict[str, str] = {}
        for seeded in lab.seed["images"]:
            if seeded.get("disk_format") == "raw" and seeded.get("stores") in (
                ["fast"], ["cheap"], ["s3"],
            ) and seeded["stores"][0] not in made.values():  # fmt: skip
                store = seeded["stores"][0]
                made[support.make_image(lab, f"{name}-{store}", _content(), store)] = store
        yield made
    finally:
        support.cleanup(lab, name)


@pytest.fixture(scope="module")
def predicted(
    lab: Lab, twins: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, dict[str, dict[str, Any]]]:
    snapshot = tmp_path_factory.mktemp("observed") / "inv.json"
    support.run("collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint",
                lab.glance_url, "--ceph-user", "ops", "-o", str(snapshot), check=0)  # fmt: skip
    return snapshot, _paths(snapshot)


def _disk_parent(lab: Lab, name: str) -> str | None:
    import rados
    import rbd

    cluster = rados.Rados(conffile=lab.ceph_conf, rados_id="admin")
    cluster.connect(timeout=15)
    try:
        with cluster.open_ioctx(POOL) as io, rbd.Image(io, name, read_only=True) as disk:
            try:
                pool, image, snap = disk.parent_info()
            except rbd.ImageNotFound:
                return None
            return f"{pool}/{image}@{snap}"
    finally:
        cluster.shutdown()


def _scratch_left(lab: Lab) -> list[str]:
    import rados
    import rbd

    cluster = rados.Rados(conffile=lab.ceph_conf, rados_id="admin")
    cluster.connect(timeout=15)
    try:
        with cluster.open_ioctx(POOL) as io:
            return [n for n in rbd.RBD().list(io) if n.startswith("iyprobe-")]
    finally:
        cluster.shutdown()


def _observed_probe(
    lab: Lab, snapshot: Path, image_id: str, step: str, *extra: str
) -> tuple[dict[str, Any], str | None]:
    """Run the probe held after ``step``; the JSON it writes and the parent seen meanwhile."""
    args = [sys.executable, "-m", "imageyard", "probe", "boot", image_id, "--inventory",
            str(snapshot), "--nova-conf", str(lab.etc / "nova.conf"), "--glance-endpoint",
            lab.glance_url, "-f", "json", "--hold-after", step, *extra]  # fmt: skip
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert "holding after" in line, line + proc.stderr.read()
        scratch = line.rsplit("scratch ", 1)[1].rstrip(")\n").split("/", 1)[1]
        seen = _disk_parent(lab, scratch)
        proc.send_signal(signal.SIGUSR1)
        out, err = proc.communicate(timeout=120)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 0, err
    doc: dict[str, Any] = json.loads(out)
    assert doc["scratch"] == scratch
    return doc, seen


def _expected_parent(row: dict[str, Any], image_id: str) -> str | None:
    if row["path"] == CLONE:
        _, pool, image, snap = row["location"].removeprefix("rbd://").split("/")
        return f"{pool}/{image}@{snap}"
    if row["path"] == COPY:  # the copy lands in the ceph store's pool under the image's id
        return f"images/{image_id}@snap"
    return None


@pytest.mark.lab
def test_probe_outcome_is_the_predicted_path_seen_from_ceph(
    lab: Lab,
    twins: dict[str, str],
    predicted: tuple[Path, dict[str, dict[str, Any]]],
    tmp_path: Path,
) -> None:
    snapshot, rows = predicted
    report, wrong = [], []
    seeded = [(s["id"], s["name"], ()) for s in lab.seed["images"]]
    mine = [(i, f"twin in {store}", ("--allow-copy-image",)) for i, store in twins.items()]
    for image_id, name, extra in seeded + mine:
        row = rows[image_id]
        if row["path"] not in HOLD or (row["path"] == COPY and not extra):
            out = tmp_path / f"{image_id}.json"
            assert cli.run(["probe", "boot", image_id, "--inventory", str(snapshot),
                            "--nova-conf", str(lab.etc / "nova.conf"), "--glance-endpoint",
                            lab.glance_url, "-f", "json", "-o", str(out)]) == 0  # fmt: skip
            doc = json.loads(out.read_text())
            assert doc["performed"] is False and not doc["steps"], name
            seen: str | None = "not performed"
        else:
            doc, seen = _observed_probe(lab, snapshot, image_id, HOLD[row["path"]], *extra)
            want = _expected_parent(row, image_id)
            assert doc["performed"] is True, name
            if seen != want or doc["scratch_parent"] != seen:
                wrong.append(f"{name}: parent seen {seen}, probe {doc['scratch_parent']}, "
                             f"expected {want}")  # fmt: skip
        if doc["path"] != row["path"]:
            wrong.append(f"{name}: probe {doc['path']}, paths {row['path']}")
        steps = " ".join(f"{s['name']}={s['seconds']:.3f}s" for s in doc["steps"])
        report.append(f"{name:<34} {doc['path']:<26} parent={seen} {steps}")
    print("\n" + "\n".join(report))
    assert not wrong, "\n".join(wrong)
    assert len(twins) >= 1 and all(rows[i]["path"] == COPY for i in twins)
    for image_id in twins:  # the copy stays, as after a real boot
        assert "ceph" in support.stores(lab, image_id)
    assert _scratch_left(lab) == []
