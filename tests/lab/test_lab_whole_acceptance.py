"""The whole-lab acceptance of plan/apply: ONE plan converts, places, pre-places and reclaims.

On the shared lab, with the edge variant (``edge_support``: a private glance-api on the
lab's database and cluster with a sixth store ``edge`` in its own pool, and an edge compute
group whose local store it is), this test makes its own objects (names prefixed, so the
seeded catalog and ``orphans.json`` that other tests read stay untouched):

* images: a public raw image in ``ceph`` and one in ``fast``, a private raw image in
  ``cheap`` that a server in the edge zone boots, a golden qcow2 in ``ceph``, and a private
  raw image in ``ceph`` that only the central site uses;
* orphans of the classes the planner reclaims: an RBD image without a Glance image
  (``rbd import`` as client.glance), clones of the last image made as client.nova and
  client.cinder without a server or volume, and an image-id-named file in ``fast``'s
  datadir, object in the S3 bucket and object in the Swift container, and an import
  staging leftover: an image-id-named file in the staging directory
  (``os_glance_staging_store``) of an id Glance does not know, as ``lab/seed_orphans.py``'s
  killed copy-image leaves one.

One ``plan make --site ... --reclaim --grace 0`` scoped to these objects, one ``apply``; then
a new snapshot: ``imageyard paths`` says ``clone`` for every one of the active images on
every Ceph consumer, every image the edge boots is in ``edge`` (its data in the edge pool),
the central-only image is not, and ``imageyard reclaim --grace 0`` names none of the orphans
(the RBD ones are in the RBD trash and the files beside their directories, restorable; the
S3 and Swift objects are deleted). Everything is removed afterwards; the pool too.
Missing-data locations, trash entries held by clones (``--flatten``) and ``--tier`` are
exercised on the seeded catalog itself by ``test_lab_seed_acceptance``.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import requests
from apply_support import ROOT, prefix, raw_bytes, run
from edge_support import EDGE_ZONE, STORE, EdgeGlance, edge_glance, rbd, site_file

from imageyard.apply.objects import quarantine_dir
from imageyard.model.compute import Server, Volume
from imageyard.model.gap import SourceStatus
from imageyard.model.snapshot import read_inventory, write_inventory

sys.path.insert(0, str(ROOT / "lab"))
from seed_orphans import _s3, _swift

pytestmark = pytest.mark.lab

MIB = 1024 * 1024
STAGING = "os_glance_staging_store"
FILES = ("fast", STAGING)  # file objects: moved beside their directory, not deleted


@dataclass
class Made:
    """What this test made: image ids by role, orphan specs (pool, name), usage records."""

    images: dict[str, str] = field(default_factory=dict)
    orphans: list[tuple[str, str]] = field(default_factory=list)
    objects: list[tuple[str, str]] = field(default_factory=list)  # (store, name)
    servers: list[Server] = field(default_factory=list)
    volumes: list[Volume] = field(default_factory=list)


def _http() -> requests.Session:
    http = requests.Session()
    http.trust_env = False
    return http


def _upload(eg: EdgeGlance, name: str, data: bytes, store: str, **fields: Any) -> str:
    http = _http()
    body = {"name": name, "disk_format": "raw", "container_format": "bare", **fields}
    r = http.post(eg.url + "/v2/images", json=body, timeout=30)
    r.raise_for_status()
    image_id = str(r.json()["id"])
    headers = {"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store}
    r = http.put(f"{eg.url}/v2/images/{image_id}/file", data=data, headers=headers, timeout=120)
    r.raise_for_status()
    return image_id


def _qcow2(tmp: Path) -> bytes:
    raw = tmp / "d.raw"
    with open(raw, "wb") as fh:
        fh.truncate(8 * MIB)
        fh.seek(MIB)
        fh.write(raw_bytes(512 * 1024))
    qcow2 = tmp / "d.qcow2"
    subprocess.run(["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(raw), str(qcow2)],
                   check=True)  # fmt: skip
    return qcow2.read_bytes()


def _images(eg: EdgeGlance, area: str, tmp: Path, made: Made) -> None:
    up = made.images
    up["pub-ceph"] = _upload(eg, f"{area}-pub-ceph", raw_bytes(MIB), "ceph", visibility="public")
    up["pub-fast"] = _upload(eg, f"{area}-pub-fast", raw_bytes(MIB), "fast", visibility="public")
    up["edge-used"] = _upload(eg, f"{area}-edge-used", raw_bytes(MIB), "cheap")
    up["golden-qcow2"] = _upload(
        eg, f"{area}-golden-qcow2", _qcow2(tmp), "ceph", disk_format="qcow2", tags=["golden"]
    )
    up["central-only"] = _upload(eg, f"{area}-central-only", raw_bytes(MIB), "ceph")
    made.servers += [
        Server(str(uuid.uuid4()), image_ref=up["edge-used"], availability_zone=EDGE_ZONE),
        Server(str(uuid.uuid4()), image_ref=up["central-only"], availability_zone="nova"),
    ]
    made.volumes.append(
        Volume(str(uuid.uuid4()), backend_host="cinder@ceph#ceph", image_id=up["golden-qcow2"])
    )


def _orphans(lab: Any, tmp: Path, made: Made) -> None:
    data = tmp / "orphan.raw"
    data.write_bytes(raw_bytes(MIB))
    name = str(uuid.uuid4())
    rbd(lab, "--id", "glance", "import", str(data), f"images/{name}")
    made.orphans.append(("images", name))
    parent = f"images/{made.images['central-only']}@snap"
    for user, pool, child in (
        ("nova", "vms", f"{uuid.uuid4()}_disk"),
        ("cinder", "volumes", f"volume-{uuid.uuid4()}"),
    ):
        rbd(lab, "--id", user, "clone", parent, f"{pool}/{child}")
        made.orphans.append((pool, child))
    for store in ("fast", "s3", "swift", STAGING):
        made.objects.append((store, str(uuid.uuid4())))
        _put(lab, *made.objects[-1])


def _datadir(lab: Any, store: str = "fast") -> Path:
    return Path(lab.root) / "glance" / "data" / ("staging" if store == STAGING else store)


def _put(lab: Any, store: str, name: str) -> None:
    if store in FILES:
        (_datadir(lab, store) / name).write_bytes(raw_bytes(64 * 1024))
    elif store == "s3":
        _s3(lab, "PUT", name, raw_bytes(64 * 1024))
    else:
        _swift(lab, "PUT", name, raw_bytes(64 * 1024))


def _remove_objects(lab: Any, made: Made) -> None:
    for store, name in made.objects:
        if store in FILES:
            (_datadir(lab, store) / name).unlink(missing_ok=True)
            (Path(quarantine_dir(str(_datadir(lab, store)))) / name).unlink(missing_ok=True)
        else:
            (_s3 if store == "s3" else _swift)(lab, "DELETE", name)
    for store in FILES:
        moved = Path(quarantine_dir(str(_datadir(lab, store))))
        if moved.is_dir() and not any(moved.iterdir()):
            moved.rmdir()


def _remove_orphans(lab: Any, made: Made) -> None:
    for pool, name in made.orphans:
        listed = json.loads(rbd(lab, "trash", "ls", "-p", pool, "--format", "json").stdout)
        for entry in [e for e in listed if e["name"] == name]:
            rbd(lab, "trash", "rm", "--force", f"{pool}/{entry['id']}")
        rbd(lab, "rm", f"{pool}/{name}", check=False)


def _mine(eg: EdgeGlance, area: str) -> list[dict[str, Any]]:
    found = []
    for hidden in ("false", "true"):
        params = {"limit": 1000, "os_hidden": hidden, "visibility": "all"}
        r = _http().get(eg.url + "/v2/images", params=params, timeout=30)
        r.raise_for_status()
        found += [i for i in r.json()["images"] if (i.get("name") or "").startswith(area)]
    return found


def _delete_images(eg: EdgeGlance, area: str) -> None:
    for doc in _mine(eg, area):
        r = _http().delete(f"{eg.url}/v2/images/{doc['id']}", timeout=60)
        assert r.status_code in (204, 404), (doc["name"], r.status_code, r.text[:200])


@contextmanager
def _objects(lab: Any, eg: EdgeGlance, area: str, tmp: Path) -> Iterator[Made]:
    made = Made()
    try:
        _images(eg, area, tmp, made)
        _orphans(lab, tmp, made)
        yield made
    finally:
        _remove_objects(lab, made)
        _remove_orphans(lab, made)  # the clones first: they hold the parent's snapshot
        _delete_images(eg, area)


def _snapshot(lab: Any, eg: EdgeGlance, made: Made, path: Path) -> Path:
    """Config (central and edge consumers), Glance through the edge glance-api, Ceph and the
    backends, plus a complete Nova and Cinder listing: the seed's and this test's."""
    argv = ["collect", "-q", "--config-dir", str(eg.configs), "--glance-endpoint", eg.url,
            "--sources", "config,glance,ceph,backends", "--ceph-user", "ops", "--rbd-watchers",
            "-o", str(path)]  # fmt: skip
    run(*argv, check=0)
    inv = read_inventory(path)
    seed = lab.seed["rbd"]
    servers = [Server(o["instance_uuid"], image_ref=o["parent"]["image"], availability_zone="nova")
               for o in seed if o["kind"] == "nova-instance-disk"]  # fmt: skip
    volumes = [Volume(o["volume_id"], image_id=o["parent"]["image"])
               for o in seed if o["kind"] == "cinder-volume"]  # fmt: skip
    servers += made.servers
    volumes += made.volumes
    usage = (SourceStatus("nova", True, len(servers)), SourceStatus("cinder", True, len(volumes)))
    kept = tuple(s for s in inv.sources if s.source not in ("nova", "cinder"))
    inv = replace(inv, servers=tuple(servers), volumes=tuple(volumes), sources=kept + usage)
    write_inventory(inv, path)
    return path


def _stores(doc: dict[str, Any]) -> set[str]:
    return {s for s in (doc.get("stores") or "").split(",") if s}


def _pool(lab: Any, pool: str) -> set[str]:
    return set(json.loads(rbd(lab, "ls", "-p", pool, "--format", "json").stdout))


def _check_plan(plan_file: Path, made: Made) -> None:
    actions = json.loads(plan_file.read_text())["actions"]
    kinds = {(a["kind"], a["image_id"]) for a in actions}
    up = made.images
    assert ("convert-to-raw", up["golden-qcow2"]) in kinds
    assert ("retire-image", up["golden-qcow2"]) in kinds
    assert ("copy-image", up["pub-fast"]) in kinds and ("copy-image", up["edge-used"]) in kinds
    edge = {a["image_id"] for a in actions if a["target"] == STORE}
    assert up["pub-ceph"] in edge and up["central-only"] not in edge
    trashed = {a["image_name"] for a in actions if a["kind"] == "rbd-trash-move"}
    assert trashed == {f"{pool}/{name}" for pool, name in made.orphans}
    removed = {(a["target"], dict(a["params"])["name"]) for a in actions
               if a["kind"] == "delete-object"}  # fmt: skip
    assert removed == set(made.objects)


def _check_after(lab: Any, eg: EdgeGlance, area: str, made: Made, inv: Path) -> None:
    docs = {d["id"]: d for d in _mine(eg, area)}
    up = made.images
    old = docs[up["golden-qcow2"]]
    assert old["os_hidden"] is True and old["status"] == "active"  # retired, never deleted
    (new,) = [d for d in docs.values() if d.get("imageyard_converted_from") == old["id"]]
    assert new["disk_format"] == "raw" and new["tags"] == ["golden"]
    edge_pool = _pool(lab, eg.pool)
    for image_id in (up["pub-ceph"], up["pub-fast"], up["edge-used"], new["id"]):
        assert {"ceph", STORE} <= _stores(docs[image_id]), docs[image_id]["name"]
        assert image_id in edge_pool
    assert _stores(docs[up["central-only"]]) == {"ceph"}
    active = {i for i, d in docs.items() if d["status"] == "active" and not d["os_hidden"]}
    assert len(active) == 5
    rows = json.loads(run("paths", str(inv), "-f", "json", "-q", check=0).stdout)["paths"]
    paths = {(r["image_id"], r["consumer"]): r["path"] for r in rows if r["image_id"] in active}
    consumers = {c for _, c in paths}
    assert len(consumers) == 3  # the central and the edge compute group, Cinder's backend
    assert len(paths) == 15 and set(paths.values()) == {"clone"}, paths


def read_listings(inv: Path) -> list[dict[str, Any]]:
    listings: list[dict[str, Any]] = json.loads(inv.read_text())["store_listings"]
    return listings


def _check_reclaimed(lab: Any, made: Made, inv: Path) -> None:
    done = run("reclaim", str(inv), "-f", "json", "--fail-on", "none", "-q", "--grace", "0")
    items = json.loads(done.stdout)["items"]
    named = " ".join(str(i["resource"]) for i in items)
    for pool, name in made.orphans:
        assert name not in named, (pool, name)
        assert name not in _pool(lab, pool)
        trash = json.loads(rbd(lab, "trash", "ls", "-p", pool, "--format", "json").stdout)
        assert [e for e in trash if e["name"] == name], f"{pool}/{name} is not in the trash"
    listed = {(x["store"], o["name"]) for x in read_listings(inv) for o in x["objects"]}
    for store, name in made.objects:
        assert name not in named and (store, name) not in listed, (store, name)
    for store, name in made.objects:
        if store in FILES:  # restorable
            assert (Path(quarantine_dir(str(_datadir(lab, store)))) / name).is_file(), name


def test_one_plan_converts_places_preplaces_and_reclaims(lab: Any, tmp_path: Path) -> None:
    area = prefix("accept")
    with edge_glance(lab, area[-8:]) as eg, _objects(lab, eg, area, tmp_path) as made:
        inv = _snapshot(lab, eg, made, tmp_path / "inv.json")
        plan_file = tmp_path / "plan.json"
        names = [name for _, name in made.orphans + made.objects]
        scope = [f"--image={area}-*", *(f"--image={name}" for name in names)]
        site = site_file(lab, eg, tmp_path / "site.yaml")
        flags = ["--reclaim", "--grace", "0", "--trash-days", "1", *scope]
        run("plan", "make", str(inv), "--site", str(site), *flags, "-o", str(plan_file), check=3)
        _check_plan(plan_file, made)
        shown = run("plan", "show", str(plan_file), check=0).stdout
        assert f"  edge1        store {STORE}: " in shown
        ceph = ["--ceph-conf", lab.ceph_conf, "--ceph-user", "admin"]
        conf = ["--glance-config", str(eg.etc / "glance-api.conf")]
        applied = run("apply", str(plan_file), "--glance-endpoint", eg.url, *ceph, *conf,
                      "--yes-destroy", timeout=600)  # fmt: skip
        assert applied.returncode == 0, (applied.stdout, applied.stderr)
        after = _snapshot(lab, eg, made, tmp_path / "after.json")
        _check_after(lab, eg, area, made, after)
        _check_reclaimed(lab, made, after)
