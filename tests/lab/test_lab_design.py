"""The design rendered for the lab, applied to a second, throw-away Glance, starts cleanly.

The lab's own Glance (port 9292) is only read: ``imageyard collect`` makes the inventory,
``imageyard design`` renders glance-api.conf (+ glance-image-import.conf), ``lab/glance-try``
starts a temporary Glance from a copy of the lab's config directory with those files on a
free loopback port, and ``/v2/info/stores/detail`` must then show the design's stores. Every
location of every image the lab's Glance lists must still map, under the rendered files, to
an enabled store with the driver settings it has now.
Also checks the frozen Glance option table against the lab's Glance venv.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import requests

from imageyard.audit.releases import parse_release
from imageyard.cli import run
from imageyard.collect.ini import parse_ini
from imageyard.design import DesignRun, design_from
from imageyard.model.snapshot import read_inventory

if TYPE_CHECKING:
    from conftest import Lab

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "unit" / "design"))
from design_support import check_locations_kept, glance_text  # noqa: E402

TRY = ROOT / "lab" / "glance-try"


def _free_port() -> int:
    for port in range(9393, 9420):
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port in 9393-9419")


@pytest.fixture(scope="module")
def lab_inventory(lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Path:
    inv = tmp_path_factory.mktemp("inv") / "lab-inv.json"
    rc = run(
        [
            "collect",
            "-q",
            "--config-dir",
            str(lab.etc),
            "--glance-endpoint",
            lab.glance_url,
            "--ceph-user",
            "ops",
            "-o",
            str(inv),
        ]
    )
    assert rc == 0
    return inv


@pytest.fixture(scope="module")
def lab_design(lab_inventory: Path) -> DesignRun:
    return design_from(lab_inventory, None, str(parse_release("33").major), with_audit=False)


@pytest.fixture(scope="module")
def try_glance(
    lab: Lab, lab_design: DesignRun, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    etc = tmp_path_factory.mktemp("etc")
    for f in lab.etc.iterdir():
        if f.is_file():
            shutil.copy(f, etc / f.name)
    for d in lab_design.diffs:
        if d.file in ("glance-api.conf", "glance-image-import.conf"):
            (etc / d.file).write_text(d.after)
    proc = subprocess.run(
        ["bash", str(TRY), "start", str(etc), str(_free_port())],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    info = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    try:
        assert proc.returncode == 0, proc.stderr[-3000:]
        yield info["url"]
    finally:
        if "pid" in info:
            subprocess.run(
                ["bash", str(TRY), "stop", info["pid"], info["dir"]], check=False, timeout=60
            )


def test_design_changes_the_lab_config(lab_design: DesignRun) -> None:
    api = next(d for d in lab_design.diffs if d.file == "glance-api.conf")
    assert "default_backend = ceph" in api.after
    assert lab_design.design.default_store is not None


def test_every_lab_image_location_keeps_its_store(
    lab_inventory: Path, lab_design: DesignRun
) -> None:
    inv = read_inventory(lab_inventory)
    before = parse_ini(glance_text(lab_design, inv, after=False), "before")
    after = parse_ini(glance_text(lab_design, inv, after=True), "after")
    stores = {loc.store for i in inv.images for loc in i.locations}
    assert len(stores) >= 3  # the seeded catalog has images in several stores
    assert check_locations_kept(before, after, inv) == sum(len(i.locations) for i in inv.images)


def test_rendered_config_starts_and_matches(
    try_glance: str, lab: Lab, lab_design: DesignRun
) -> None:
    http = requests.Session()
    http.trust_env = False
    body = http.get(f"{try_glance}/v2/info/stores/detail", timeout=30).json()
    live = {s["id"]: s for s in body["stores"]}
    want = {s.id: s for s in lab_design.design.stores}
    assert set(live) == set(want)
    for sid, plan in want.items():
        got = live[sid]
        assert got["type"] == plan.type, sid
        assert got.get("weight", 0) == plan.weight, sid
        assert (got.get("default") == "true") == plan.is_default, sid
        assert got.get("description") == plan.description, sid
        if plan.type == "rbd":
            assert got["properties"]["pool"] == plan.pool
            assert got["properties"]["fsid"] == plan.fsid == lab.fsid
