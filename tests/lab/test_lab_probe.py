"""``imageyard probe`` on the lab: the path it performs is the one ``paths`` predicts.

For every seeded image on the lab's Cinder (pool volumes as client.cinder; Nova's pool vms
as client.nova is test_lab_probe_observed.py's, with the outcome read from Ceph) the
probe performs the predicted path for real (clone, or
download, convert and rbd import; copy-to-store is reported, not run, without
--allow-copy-image) and must report the path ``imageyard paths`` gives. Timings are printed,
never asserted. A probe interrupted (SIGTERM, SIGINT) while its scratch disk exists removes
it and exits 130. Nothing named ``iyprobe-`` is left in the consumers' pools.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import Lab

from imageyard import cli

CONSUMERS = {
    "nova": ("boot", "--nova-conf", "nova.conf"),
    "cinder": ("volume", "--cinder-conf", "cinder.conf"),
}
POOLS = {"nova": "vms", "cinder": "volumes"}


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "imageyard", *args], capture_output=True, text=True, check=False
    )


@pytest.fixture(scope="module")
def inventory_file(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("probe") / "lab-inv.json"
    done = _cli(
        "collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
        "--ceph-user", "ops", "-o", str(out),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def predicted(inventory_file: Path) -> dict[tuple[str, str], str]:
    done = _cli("paths", str(inventory_file), "-f", "json", "-q")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)["paths"]
    return {(r["consumer"].split(":")[0], r["image_id"]): r["path"] for r in rows}


def _args(lab: Lab, kind: str, image: str, inventory: Path) -> list[str]:
    command, flag, conf = CONSUMERS[kind]
    return [
        "probe", command, image, "--inventory", str(inventory), flag, str(lab.etc / conf),
        "--glance-endpoint", lab.glance_url,
    ]  # fmt: skip


def _scratch_left(lab: Lab) -> list[str]:
    import rados
    import rbd

    cluster = rados.Rados(conffile=lab.ceph_conf, rados_id="admin")
    cluster.connect(timeout=15)
    try:
        left = []
        for pool in POOLS.values():
            with cluster.open_ioctx(pool) as io:
                left += [f"{pool}/{n}" for n in rbd.RBD().list(io) if n.startswith("iyprobe-")]
        return left
    finally:
        cluster.shutdown()


@pytest.mark.lab
@pytest.mark.parametrize("kind", ["cinder"])
def test_probe_performs_the_predicted_path(
    lab: Lab,
    inventory_file: Path,
    predicted: dict[tuple[str, str], str],
    kind: str,
    tmp_path: Path,
) -> None:
    timings: list[str] = []
    mismatches: list[str] = []
    for seeded in lab.seed["images"]:
        out = tmp_path / f"{seeded['id']}.json"
        rc = cli.run(
            [*_args(lab, kind, seeded["id"], inventory_file), "-f", "json", "-o", str(out)]
        )
        assert rc == 0, seeded["name"]
        doc = json.loads(out.read_text())
        want = predicted[(kind, seeded["id"])]
        if doc["path"] != want:
            mismatches.append(f"{seeded['name']}: probe {doc['path']}, paths {want}")
        runs = want in ("clone", "download", "download-convert-import")
        assert doc["performed"] is runs, (seeded["name"], doc["note"])
        if runs:
            assert doc["steps"] and doc["scratch"].startswith("iyprobe-")
        steps = " ".join(f"{s['name']}={s['seconds']:.3f}s" for s in doc["steps"])
        timings.append(f"{kind} {seeded['name']:<34} {doc['path']:<26} {steps}")
    print("\n" + "\n".join(timings))
    assert not mismatches, "\n".join(mismatches)
    assert _scratch_left(lab) == []


def _held(args: list[str], step: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "imageyard", *args, "--hold-after", step],
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert "holding after" in line, line + proc.stderr.read()
    return proc, line.rsplit("scratch ", 1)[1].rstrip(")\n")


def _temp_dirs() -> set[Path]:
    return set(Path(os.environ.get("TMPDIR", "/tmp")).glob("iyprobe-*"))


@pytest.mark.lab
@pytest.mark.parametrize(
    ("image_role", "step", "sig"),
    [
        ("raw-in-ceph", "clone", signal.SIGTERM),
        ("qcow2-in-ceph", "rbd-import", signal.SIGINT),
    ],
)
def test_interrupted_probe_removes_its_scratch_disk(
    lab: Lab, inventory_file: Path, image_role: str, step: str, sig: signal.Signals
) -> None:
    image = next(i for i in lab.seed["images"] if image_role in i["roles"])
    before = _temp_dirs()
    proc, scratch = _held(_args(lab, "nova", image["id"], inventory_file), step)
    try:
        assert scratch in _scratch_left(lab)
        assert _temp_dirs() - before, "the probe's temporary directory"
        os.kill(proc.pid, sig)
        assert proc.wait(timeout=60) == 130
    finally:
        proc.kill()
        proc.wait()
    assert scratch not in _scratch_left(lab)
    assert _temp_dirs() <= before
