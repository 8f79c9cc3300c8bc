"""Retention through the planner on the lab: ``plan make --keep 2``, then ``apply``.

The test makes one image family of its own (``<prefix>-family-<date stamp>``, seven
versions, their creation dates a day apart, set in Glance's database). Of the five older
than the newest two, one is used by a server, one by a volume, one is the parent of a real
RBD clone (made as client.nova in the ``vms`` pool, as Nova's disk of an instance) and two
nothing uses. The lab has no Nova or Cinder API: the server and the volume are added to the
snapshot as a complete Nova and Cinder listing. The plan must retire (hide, then deactivate)
exactly the two unused ones; after ``apply`` those two are hidden and deactivated and the
five others are exactly as they were. The clone and the images are removed at the end.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import rados
import rbd
from apply_support import cleanup, image, make_image, prefix, raw_bytes, run
from conftest import Lab
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from imageyard.model.compute import Server, Volume
from imageyard.model.gap import SourceStatus
from imageyard.model.snapshot import read_inventory, write_inventory

KEEP = 2
VERSIONS = 7  # version 6 is the newest
USED = {"server": 4, "volume": 3, "clone": 2}  # version used by each kind of consumer
UNUSED = {1, 0}
WATCHED = ("status", "os_hidden", "name", "updated_at", "checksum", "stores")


def _stamp(version: int) -> str:
    return f"202501{version + 1:02d}"


def _backdate(lab: Lab, ids: dict[int, str]) -> None:
    """Creation dates a day apart, the newest version newest (Glance has no API for it)."""
    engine = create_engine(make_url(lab.env["GLANCE_LAB_DB_URL"]))
    try:
        with engine.begin() as db:
            for version, image_id in ids.items():
                db.execute(
                    text("UPDATE images SET created_at = now() - make_interval(days => :d) "
                         "WHERE id = :id"), {"d": VERSIONS - version, "id": image_id},
                )  # fmt: skip
    finally:
        engine.dispose()


def _clone(lab: Lab, parent: str, name: str) -> None:
    """``vms/<name>``: a clone of ``images/<parent>@snap`` as client.nova, as Nova makes."""
    cluster = rados.Rados(conffile=lab.ceph_conf, rados_id="nova")
    cluster.connect(timeout=15)
    try:
        with cluster.open_ioctx("images") as src, cluster.open_ioctx("vms") as dst:
            rbd.RBD().clone(src, parent, "snap", dst, name, features=rbd.RBD_FEATURE_LAYERING)
    finally:
        cluster.shutdown()


def _rbd_rm(lab: Lab, spec: str) -> None:
    subprocess.run(["rbd", "-c", lab.ceph_conf, "--id", "admin", "rm", "--no-progress", spec],
                   capture_output=True, check=False, timeout=120)  # fmt: skip


@pytest.fixture
def family(lab: Lab) -> Iterator[tuple[str, dict[int, str], str]]:
    area, disk = prefix("retention"), f"{uuid.uuid4()}_disk"
    ids: dict[int, str] = {}
    try:
        for version in range(VERSIONS):
            store = "ceph" if version == USED["clone"] else "fast"
            name = f"{area}-family-{_stamp(version)}"
            ids[version] = make_image(lab, name, raw_bytes(64 * 1024), store)
        _backdate(lab, ids)
        _clone(lab, ids[USED["clone"]], disk)
        yield area, ids, disk
    finally:
        _rbd_rm(lab, f"vms/{disk}")
        cleanup(lab, area)


def _snapshot(lab: Lab, ids: dict[int, str], path: Path) -> Path:
    """The lab's config, Glance and Ceph, plus one server and one volume using two versions."""
    sources = ["--sources", "config,glance,ceph", "--ceph-user", "ops"]
    run("collect", "-q", "--config-dir", str(lab.etc), "--glance-endpoint", lab.glance_url,
        *sources, "-o", str(path), check=0)  # fmt: skip
    inv = read_inventory(path)
    server = Server(f"srv-{uuid.uuid4()}", project="project-alpha", image_ref=ids[USED["server"]])
    volume = Volume(f"vol-{uuid.uuid4()}", project="project-beta", image_id=ids[USED["volume"]])
    usage = (SourceStatus("nova", True, 1), SourceStatus("cinder", True, 1))
    kept = tuple(s for s in inv.sources if s.source not in ("nova", "cinder"))
    write_inventory(replace(inv, servers=(server,), volumes=(volume,), sources=kept + usage), path)
    return path


def _state(lab: Lab, image_id: str) -> dict[str, Any]:
    doc = image(lab, image_id)
    return {k: doc.get(k) for k in WATCHED}


def test_keep_retires_only_the_unused_older_versions(
    lab: Lab, family: tuple[str, dict[int, str], str], tmp_path: Path
) -> None:
    area, ids, _ = family
    inv = _snapshot(lab, ids, tmp_path / "inv.json")
    plan_file = tmp_path / "plan.json"
    made = run("plan", "make", str(inv), "-o", str(plan_file), "--keep", str(KEEP),
               "--no-place", "--no-convert", "--image", f"{area}-*")  # fmt: skip
    assert made.returncode == 3, made.stderr
    actions = json.loads(plan_file.read_text())["actions"]
    planned = sorted((a["image_id"], a["kind"], dict(a["params"])["policy"]) for a in actions)
    retired = {ids[v] for v in UNUSED}
    assert planned == sorted(
        (i, "retire-image", p) for i in retired for p in ("hide", "deactivate")
    )
    before = {v: _state(lab, i) for v, i in ids.items() if v not in UNUSED}
    done = run("apply", str(plan_file), "--glance-endpoint", lab.glance_url,
               "--lock-file", str(tmp_path / "lock"))  # fmt: skip
    assert done.returncode == 0, (done.stdout, done.stderr)
    for version in UNUSED:
        after = image(lab, ids[version])
        assert after["os_hidden"] is True and after["status"] == "deactivated", version
    assert {v: _state(lab, i) for v, i in ids.items() if v not in UNUSED} == before
