"""The acceptance of plan/apply on the SEEDED lab: one plan over the whole seeded catalog.

``lab/seed.py`` and ``lab/seed_orphans.py`` leave a mixed catalog (qcow2 images in Ceph,
raw images in file, S3 and Swift stores, public and golden images, duplicates) beside
orphans of every reclaim class. With the lab's edge variant (``edge_support``: a private
glance-api with a sixth store ``edge`` in its own pool and an edge compute group), ONE
``plan make --site ... --tier --reclaim --grace 0 --flatten`` over the whole catalog, ONE
``apply``; then a new snapshot: ``imageyard paths`` says ``clone`` for every active disk
image in the ``ceph`` store on the central Ceph consumers (the compute group and Cinder's
backend) and for every image the edge boots (public and golden ones) on the edge compute
group, every image the policy keeps in Ceph (public, golden or used) is there, every
qcow2 image that was in Ceph has a raw replacement and is retired (ISO installers are not
disk images: no consumer clones them, and they are not converted), and ``imageyard reclaim
--grace 0`` names no seeded orphan in its class at high confidence: the RBD orphans are in
the RBD trash (deferred, restorable: only those trash entries are reported), the Glance
image whose RBD data was in the trash reads it again, the trash entries (one with a user
snapshot, one held by a v2 clone, whose clone is flattened first) are purged, the file is
beside its datadir and the S3 and Swift objects are gone; the duplicates are hidden (never
deleted: reclaim still counts them as duplicates). The interrupted copy's partial
RBD image and staging file stay: Glance still holds that image's import lock (it expires
after an hour), so reclaim reports them at medium confidence only and no plan touches them.

Why it runs last and marks the lab consumed: it changes the seeded catalog for good
(purges, conversions, retirements), and the other lab tests read that catalog. Restoring it
is not possible (a purge cannot be undone) and a second seeded copy would double the seed
time. So the test is marked ``consumes_seed``: ``tests/lab/conftest.py`` moves it to the end
of the session, it runs only with ``IMAGEYARD_LAB_CONSUME_SEED=1`` (``make test``, which
starts and seeds a fresh lab first), and before it changes anything it writes
``$IMAGEYARD_LAB/seed-consumed``, after which the ``lab`` fixture treats the lab as not
seeded until ``lab/up`` and ``lab/seed.py`` run again. The lab suite is thus
order-independent: every other test sees the seed as made, whatever order they run in.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
from apply_support import run
from conftest import CONSUMED
from edge_support import STORE, EdgeGlance, edge_glance, rbd, site_file

from imageyard.model.compute import Server, Volume
from imageyard.model.gap import SourceStatus
from imageyard.model.snapshot import read_inventory, write_inventory

pytestmark = [pytest.mark.lab, pytest.mark.consumes_seed]

ORPHAN_CLASSES = {
    "rbd-no-glance-image",
    "rbd-protected-snap-no-image",
    "rbd-trash-snapshot",
    "location-data-missing",
    "nova-disk-no-server",
    "cinder-volume-no-volume",
    "file-no-glance-image",
    "s3-no-glance-image",
    "swift-no-glance-image",
    "import-staging-leftover",
}
CEPH_STORES = {"ceph", STORE}


def _http() -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    return http


def _usage(lab: Any) -> tuple[list[Server], list[Volume]]:
    """The servers and volumes ``seed.json`` says exist (the lab has no Nova or Cinder API)."""
    seed = lab.seed["rbd"]
    servers = [Server(o["instance_uuid"], image_ref=o["parent"]["image"], availability_zone="nova")
               for o in seed if o["kind"] == "nova-instance-disk"]  # fmt: skip
    volumes = [Volume(o["volume_id"], image_id=o["parent"]["image"])
               for o in seed if o["kind"] == "cinder-volume"]  # fmt: skip
    return servers, volumes


def _snapshot(lab: Any, eg: EdgeGlance, path: Path) -> Path:
    argv = ["collect", "-q", "--config-dir", str(eg.configs), "--glance-endpoint", eg.url,
            "--sources", "config,glance,ceph,backends", "--ceph-user", "ops", "--rbd-watchers",
            "-o", str(path)]  # fmt: skip
    run(*argv, check=0)
    inv = read_inventory(path)
    servers, volumes = _usage(lab)
    usage = (SourceStatus("nova", True, len(servers)), SourceStatus("cinder", True, len(volumes)))
    kept = tuple(s for s in inv.sources if s.source not in ("nova", "cinder"))
    inv = replace(inv, servers=tuple(servers), volumes=tuple(volumes), sources=kept + usage)
    write_inventory(inv, path)
    return path


def _images(eg: EdgeGlance) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for hidden in ("false", "true"):
        params = {"limit": 1000, "os_hidden": hidden, "visibility": "all"}
        r = _http().get(eg.url + "/v2/images", params=params, timeout=60)
        r.raise_for_status()
        found.update({d["id"]: d for d in r.json()["images"]})
    return found


def _stores(doc: dict[str, Any]) -> set[str]:
    return {s for s in (doc.get("stores") or "").split(",") if s}


def _trash(lab: Any, pool: str) -> dict[str, str]:
    """Trash entries of ``pool``: id -> name."""
    rows = json.loads(rbd(lab, "trash", "ls", "-p", pool, "--format", "json").stdout)
    return {r["id"]: r["name"] for r in rows}


def _pool(lab: Any, pool: str) -> set[str]:
    return set(json.loads(rbd(lab, "ls", "-p", pool, "--format", "json").stdout))


def _check_plan(lab: Any, plan: dict[str, Any]) -> None:
    kinds = {(a["kind"], a["image_id"]) for a in plan["actions"]}
    for image in lab.images("qcow2-in-ceph"):
        assert ("convert-to-raw", image["id"]) in kinds, image["name"]
        assert ("retire-image", image["id"]) in kinds, image["name"]
    assert any(a["target"] == STORE for a in plan["actions"])  # edge pre-placement
    by_id = {a["id"]: a for a in plan["actions"]}
    purges = [a for a in plan["actions"] if a["kind"] == "rbd-trash-purge"]
    held = [a for a in purges if a["depends_on"]]  # the entry a v2 clone held
    assert held and all(by_id[d]["kind"] == "rbd-flatten" for a in held for d in a["depends_on"])


def _kept_in_ceph(lab: Any, docs: dict[str, dict[str, Any]]) -> set[str]:
    """Active visible disk images (not ISO installers, which no consumer clones) the policy
    keeps in Ceph: public, golden or used by a server or volume."""
    servers, volumes = _usage(lab)
    used = {s.image_ref for s in servers} | {v.image_id for v in volumes}
    return {i for i in _bootable(docs) if _edge_boots(docs[i]) or i in used}


def _bootable(docs: dict[str, dict[str, Any]]) -> set[str]:
    return {
        i
        for i, d in docs.items()
        if d["status"] == "active" and not d.get("os_hidden") and d["disk_format"] != "iso"
    }


def _edge_boots(doc: dict[str, Any]) -> bool:
    """What the edge site boots (no server of the seed is in its zone): public and golden."""
    return bool(doc["visibility"] == "public" or "golden" in doc.get("tags", []))


def _check_paths(lab: Any, eg: EdgeGlance, inv: Path) -> None:
    docs = _images(eg)
    in_ceph = {i for i in _bootable(docs) if "ceph" in _stores(docs[i])}
    kept = _kept_in_ceph(lab, docs)
    assert kept and kept <= in_ceph, sorted(docs[i]["name"] for i in kept - in_ceph)
    edge = {i for i in _bootable(docs) if _edge_boots(docs[i])}
    assert edge and all(STORE in _stores(docs[i]) for i in edge)
    rows = json.loads(run("paths", str(inv), "-f", "json", "-q", check=0).stdout)["paths"]
    paths = {(r["image_id"], r["consumer"]): r["path"] for r in rows}
    consumers = {c for _, c in paths}
    central = {c for c in consumers if "nova-edge" not in c}
    assert len(consumers) == 3 and len(central) == 2  # two compute groups, Cinder's backend
    want = {(i, c) for i in in_ceph for c in central}
    want |= {(i, c) for i in edge for c in consumers - central}
    bad = sorted((docs[i]["name"], c, paths.get((i, c))) for i, c in want)
    assert not [b for b in bad if b[2] != "clone"], [b for b in bad if b[2] != "clone"]
    for image in lab.images("qcow2-in-ceph"):
        assert docs[image["id"]]["os_hidden"] is True  # retired, never deleted
        (new,) = [d for d in docs.values() if d.get("imageyard_converted_from") == image["id"]]
        assert new["disk_format"] == "raw" and new["id"] in in_ceph


def _check_reclaimed(
    lab: Any, eg: EdgeGlance, orphans: dict[str, Any], plan: dict[str, Any], inv: Path
) -> None:
    done = run("reclaim", str(inv), "-f", "json", "--fail-on", "none", "-q", "--grace", "0")
    items = json.loads(done.stdout)["items"]
    moved = {a["image_name"] for a in plan["actions"] if a["kind"] == "rbd-trash-move"}
    left = [i for i in items if i["class"] in ORPHAN_CLASSES and i["confidence"] == "high"]
    assert not left, [(i["class"], i["resource"]) for i in left]
    trash = _trash(lab, "images")
    for item in (i for i in items if i["class"] == "rbd-trash-entry"):
        trash_id = str(item["resource"]).split("/", 1)[1]
        assert f"images/{trash[trash_id]}" in moved, item  # only this plan's, still deferred
    for orphan in orphans["orphans"]:
        _check_orphan(lab, orphan, moved, trash)
    docs = _images(eg)
    duplicates = [str(i["resource"]).split()[1] for i in items if i["class"] == "duplicate-image"]
    assert duplicates and all(docs[d]["os_hidden"] for d in duplicates)  # retired, not deleted
    for obj in lab.rbd_objects("in-rbd-trash"):  # lab/seed.py's trash entry: purged
        assert obj["trash_id"] not in trash


def _check_orphan(lab: Any, orphan: dict[str, Any], moved: set[str], trash: dict[str, str]) -> None:
    cls, name = orphan["class"], orphan.get("name", "")
    if cls in ("rbd-no-glance-image", "nova-disk-no-instance", "cinder-volume-no-volume"):
        assert f"{orphan['pool']}/{name}" in moved and name not in _pool(lab, orphan["pool"])
        assert name in _trash(lab, orphan["pool"]).values()  # restorable
    elif cls == "rbd-trashed-under-glance":
        assert orphan["trash_id"] not in trash and name in _pool(lab, "images")  # restored
    elif cls == "deleted-image-held-by-v2-clone":
        assert orphan["trash_id"] not in trash  # flattened, then purged
    elif cls in ("rbd-foreign-name", "rbd-copy-interrupted"):
        assert name in _pool(lab, orphan["pool"])  # another user's, or Glance still copying
    elif cls in ("file-no-glance-image", "staging-leftover", "file-foreign"):
        gone = cls == "file-no-glance-image"
        assert Path(orphan["path"]).exists() is not gone, orphan


def _drop_edge_copies(eg: EdgeGlance) -> None:
    """Take the edge copies out of Glance before the edge store and its pool go."""
    for image_id, doc in _images(eg).items():
        if STORE in _stores(doc) and len(_stores(doc)) > 1:
            _http().delete(f"{eg.url}/v2/stores/{STORE}/{image_id}", timeout=60)


def test_one_plan_over_the_seeded_catalog_converts_places_preplaces_and_reclaims(
    lab: Any, orphans: dict[str, Any], tmp_path: Path
) -> None:
    if os.environ.get("IMAGEYARD_LAB_CONSUME_SEED") != "1":
        pytest.skip("changes the seeded catalog for good: IMAGEYARD_LAB_CONSUME_SEED=1 (make test)")
    (lab.root / CONSUMED).write_text("the whole-catalog plan of test_lab_seed_acceptance ran\n")
    with edge_glance(lab, "seed") as eg:
        try:
            inv = _snapshot(lab, eg, tmp_path / "inv.json")
            plan_file = tmp_path / "plan.json"
            flags = ["--site", str(site_file(lab, eg, tmp_path / "site.yaml")), "--tier",
                     "--reclaim", "--grace", "0", "--flatten"]  # fmt: skip
            run("plan", "make", str(inv), *flags, "-o", str(plan_file), check=3)
            plan = json.loads(plan_file.read_text())
            _check_plan(lab, plan)
            ceph = ["--ceph-conf", lab.ceph_conf, "--ceph-user", "admin"]
            conf = ["--glance-config", str(eg.etc / "glance-api.conf")]
            applied = run("apply", str(plan_file), "--glance-endpoint", eg.url, *ceph, *conf,
                          "--yes-destroy", timeout=900)  # fmt: skip
            assert applied.returncode == 0, (applied.stdout[-3000:], applied.stderr[-3000:])
            after = _snapshot(lab, eg, tmp_path / "after.json")
            _check_paths(lab, eg, after)
            _check_reclaimed(lab, eg, orphans, plan, after)
        finally:
            _drop_edge_copies(eg)
