"""``imageyard paths`` against the REAL nova and cinder code, image by image, on the lab.

A corpus of crafted images (names ``iycow-*``, hidden) is put into the lab: Glance rows through
the API, then their status and locations written into Glance's database (the API would refuse
most of these locations), and their RBD images, snapshots and protection made as client.admin.
Four consumers are configured in a temporary config directory: Nova and Cinder each with the
lab's ceph.conf (the cluster is below mimic: v1 clones) and with a copy that sets
``rbd_default_clone_format = 2`` in ``[client]`` (v2 clones). imageyard collects that (as
client.admin, so the consumers' caps are read) and ``imageyard paths -f json`` gives its
verdicts. Then lab/upstream_probe.py, in .venv-upstream (nova 34.0.0 and cinder 29.0.0 from
PyPI), asks the unmodified Nova ``Rbd.clone`` and Cinder ``RBDDriver.clone_image`` for every
image as client.nova into ``vms`` and client.cinder into ``volumes``, really cloning (and
removing the clone). Outcomes are compared as classes: clone (same parent), download (with
or without convert: the probe does not download), error, refused. Any disagreement fails
with a per-image table. Everything made here is removed afterwards.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from apply_support import raw_bytes
from conftest import Lab, _unavailable

ROOT = Path(__file__).resolve().parents[2]
UPSTREAM = Path(os.environ.get("IMAGEYARD_UPSTREAM_VENV", ROOT / ".venv-upstream"))
PROBE = ROOT / "lab" / "upstream_probe.py"
PREFIX = "iycow-"
PRIVATE_POOL = "iycow-private"
MISSING_POOL = "iycow-no-such-pool"
OTHER_FSID = "0e0e0e0e-1111-4222-8333-444444444444"
MIB = 1 << 20
QCOW2_HEADER = b"QFI\xfb\x00\x00\x00\x03" + bytes(96)
CLASSES = {
    "clone": "clone",
    "download": "download",
    "download-convert-import": "download",
    "error": "error",
    "refused": "refused",
}


@dataclass(frozen=True)
class Rbd:
    """An RBD image to make: ``name`` may use {id}; the snapshot is protected unless told."""

    pool: str
    name: str = "{id}"
    snap: str | None = "snap"
    protected: bool = True
    qcow2_bytes: bool = False


@dataclass(frozen=True)
class Case:
    """One crafted image: format, status, locations (url template, store) and RBD objects."""

    key: str
    fmt: str
    locations: tuple[tuple[str, str], ...] = ()
    rbd: tuple[Rbd, ...] = ()
    status: str = "active"


GOOD = ("rbd://{fsid}/images/{id}/snap", "ceph")
# NOTE: Glance returns equal-weight locations in database order, which differs between the
# image list (what collect reads) and the image GET (what Nova and Cinder read); the first
# location of each order case therefore names the lab's highest-weight store (fast, 100 >
# ceph, 80), so both see the same order (glance sort_image_locations)
FIRST = "fast"
IMAGES = (Rbd("images"),)
CORPUS = (
    Case("raw-rbd", "raw", (GOOD,), IMAGES),
    Case("qcow2-rbd", "qcow2", (GOOD,), IMAGES),
    Case("iso-rbd", "iso", (GOOD,), IMAGES),
    Case("vmdk-rbd", "vmdk", (GOOD,), IMAGES),
    Case("raw-label-qcow2-bytes", "raw", (GOOD,), (Rbd("images", qcow2_bytes=True),)),
    Case("raw-unprotected", "raw", (GOOD,), (Rbd("images", protected=False),)),
    Case("raw-no-snapshot", "raw", (GOOD,), (Rbd("images", snap=None),)),
    Case("raw-rbd-image-missing", "raw", (GOOD,)),
    Case("raw-missing-pool", "raw", ((f"rbd://{{fsid}}/{MISSING_POOL}/{{id}}/snap", "ceph"),)),
    Case("raw-foreign-fsid", "raw", ((f"rbd://{OTHER_FSID}/images/{{id}}/snap", "ceph"),), IMAGES),
    Case("raw-one-part", "raw", (("rbd://{id}", "ceph"),), IMAGES),
    Case("raw-three-parts", "raw", (("rbd://{fsid}/images/{id}", "ceph"),), IMAGES),
    Case("raw-five-parts", "raw", (("rbd://{fsid}/images/{id}/snap/x", "ceph"),), IMAGES),
    Case("raw-blank-component", "raw", (("rbd://{fsid}//{id}/snap", "ceph"),), IMAGES),
    Case(
        "raw-percent-quoted",
        "raw",
        (("rbd://{fsid}/images/iycow-q%20{id}/snap", "ceph"),),
        (Rbd("images", name="iycow-q {id}"),),
    ),
    Case(
        "raw-custom-snap",
        "raw",
        (("rbd://{fsid}/images/{id}/base", "ceph"),),
        (Rbd("images", snap="base"),),
    ),
    Case(
        "raw-custom-snap-unprotected",
        "raw",
        (("rbd://{fsid}/images/{id}/base", "ceph"),),
        (Rbd("images", snap="base", protected=False),),
    ),
    Case("raw-in-volumes", "raw", (("rbd://{fsid}/volumes/{id}/snap", "ceph"),), (Rbd("volumes"),)),
    Case(
        "raw-in-private-pool",
        "raw",
        ((f"rbd://{{fsid}}/{PRIVATE_POOL}/{{id}}/snap", "ceph"),),
        (Rbd(PRIVATE_POOL),),
    ),
    Case("raw-in-vms", "raw", (("rbd://{fsid}/vms/{id}/snap", "ceph"),), (Rbd("vms"),)),
    Case("raw-file-only", "raw", (("file:///srv/iycow/{id}", "fast"),)),
    Case("raw-s3-only", "raw", (("s3://127.0.0.1:7480/iycow/{id}", "s3"),)),
    Case("qcow2-swift-only", "qcow2", (("swift+http://127.0.0.1:7480/iycow/{id}", "swift"),)),
    Case("qcow2-file-only", "qcow2", (("file:///srv/iycow/{id}", "cheap"),)),
    Case("iso-file-only", "iso", (("file:///srv/iycow/{id}", "cheap"),)),
    Case("vmdk-file-only", "vmdk", (("file:///srv/iycow/{id}", "cheap"),)),
    Case("order-file-then-rbd", "raw", (("file:///srv/iycow/{id}", FIRST), GOOD), IMAGES),
    Case(
        "order-foreign-then-good",
        "raw",
        ((f"rbd://{OTHER_FSID}/images/{{id}}/snap", FIRST), GOOD),
        IMAGES,
    ),
    Case(
        "order-missing-pool-then-good",
        "raw",
        ((f"rbd://{{fsid}}/{MISSING_POOL}/{{id}}/snap", FIRST), GOOD),
        IMAGES,
    ),
    Case(
        "order-good-then-missing-pool",
        "raw",
        ((GOOD[0], FIRST), (f"rbd://{{fsid}}/{MISSING_POOL}/{{id}}/snap", "ceph")),
        IMAGES,
    ),
    Case(
        "order-unreadable-then-good",
        "raw",
        ((f"rbd://{{fsid}}/{PRIVATE_POOL}/{{id}}/snap", FIRST), GOOD),
        (Rbd(PRIVATE_POOL), Rbd("images")),
    ),
    Case(
        "order-volumes-then-unprotected",
        "raw",
        (("rbd://{fsid}/volumes/{id}/snap", FIRST), GOOD),
        (Rbd("volumes"), Rbd("images", protected=False)),
    ),
    Case("queued", "raw", status="queued"),
    Case("deactivated", "raw", (GOOD,), IMAGES, status="deactivated"),
)


@dataclass
class Seeded:
    """What the corpus fixture made, to compare and to remove."""

    ids: dict[str, str] = field(default_factory=dict)  # key -> Glance id
    rbd: list[tuple[str, str, str | None, bool]] = field(default_factory=list)


def _admin(lab: Lab, tool: str, *args: str, check: bool = True) -> str:
    argv = [tool, "-c", lab.ceph_conf, "--id", "admin", *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=120)
    if check and done.returncode != 0:
        raise AssertionError(f"{' '.join(argv)}: {done.stderr.strip()}")
    return done.stdout


def _sql(lab: Lab, statement: str) -> None:
    url = lab.env["GLANCE_LAB_DB_URL"].replace("postgresql+psycopg2://", "postgresql://")
    argv = ["psql", "-q", "-v", "ON_ERROR_STOP=1", url, "-c", statement]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=60)
    assert done.returncode == 0, done.stderr


def _q(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _make_rbd(lab: Lab, spec: Rbd, image_id: str, seeded: Seeded, scratch: Path) -> None:
    name = spec.name.format(id=image_id)
    target = f"{spec.pool}/{name}"
    payload = scratch / "payload"
    payload.write_bytes((QCOW2_HEADER if spec.qcow2_bytes else b"") + raw_bytes(128 * 1024))
    _admin(lab, "rbd", "import", "--no-progress", str(payload), target)
    seeded.rbd.append((spec.pool, name, spec.snap, spec.protected))
    if spec.snap is not None:
        _admin(lab, "rbd", "snap", "create", f"{target}@{spec.snap}")
        if spec.protected:
            _admin(lab, "rbd", "snap", "protect", f"{target}@{spec.snap}")


def _make_image(lab: Lab, case: Case, seeded: Seeded, scratch: Path) -> None:
    image_id = str(uuid.uuid4())
    body = {
        "id": image_id,
        "name": f"{PREFIX}{case.key}",
        "disk_format": case.fmt,
        "container_format": "bare",
        "os_hidden": True,
    }
    made = lab.http.post(lab.glance_url + "/v2/images", json=body, timeout=30)
    assert made.status_code == 201, made.text
    seeded.ids[case.key] = image_id
    for spec in case.rbd:
        _make_rbd(lab, spec, image_id, seeded, scratch)
    if case.status == "queued":
        return
    rows = ", ".join(
        f"({_q(image_id)}, {_q(url.format(fsid=lab.fsid, id=image_id))}, now(), false, "
        f"{_q(json.dumps({'store': store}))}, 'active')"
        for url, store in case.locations
    )
    _sql(lab, f"UPDATE images SET status = {_q(case.status)}, size = {4 * MIB}, "
              f"virtual_size = {4 * MIB} WHERE id = {_q(image_id)}")  # fmt: skip
    _sql(lab, "INSERT INTO image_locations (image_id, value, created_at, deleted, meta_data, "
              f"status) VALUES {rows}")  # fmt: skip


def _remove(lab: Lab, seeded: Seeded) -> None:
    ids = ", ".join(_q(i) for i in seeded.ids.values())
    if ids:
        _sql(lab, f"DELETE FROM image_locations WHERE image_id IN ({ids})")
        _sql(lab, f"UPDATE images SET status = 'active' WHERE id IN ({ids})")
    for image_id in seeded.ids.values():
        lab.http.delete(f"{lab.glance_url}/v2/images/{image_id}", timeout=30)
    for pool, name, snap, protected in seeded.rbd:
        target = f"{pool}/{name}"
        if snap is not None and protected:
            _admin(lab, "rbd", "snap", "unprotect", f"{target}@{snap}", check=False)
        _admin(lab, "rbd", "snap", "purge", "--no-progress", target, check=False)
        _admin(lab, "rbd", "rm", "--no-progress", target, check=False)
    _admin(lab, "ceph", "osd", "pool", "rm", PRIVATE_POOL, PRIVATE_POOL,
           "--yes-i-really-really-mean-it", check=False)  # fmt: skip


@pytest.fixture(scope="module")
def upstream_python() -> Path:
    python = UPSTREAM / "bin" / "python"
    if not python.exists():
        _unavailable(f"{python} is missing (run: make upstream-venv)")
    return python


@pytest.fixture(scope="module")
def corpus(
    lab: Lab, upstream_python: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Seeded]:
    seeded = Seeded()
    scratch = tmp_path_factory.mktemp("iycow-rbd")
    try:
        _admin(lab, "ceph", "osd", "pool", "create", PRIVATE_POOL, "8", "8")
        _admin(lab, "rbd", "pool", "init", PRIVATE_POOL)
        for case in CORPUS:
            _make_image(lab, case, seeded, scratch)
        yield seeded
    finally:
        _remove(lab, seeded)


@dataclass(frozen=True)
class Consumer:
    """One consumer as imageyard names it and as the probe runs it."""

    name: str
    service: str
    user: str
    pool: str
    ceph_conf: str


def _configs(lab: Lab, etc: Path) -> tuple[list[str], tuple[Consumer, ...]]:
    # NOTE: named ceph.conf, in its own folder: librados takes $cluster (used in the lab's
    # keyring path) from the conf file's name, so a "ceph-v2.conf" finds no keyring
    (etc / "v2").mkdir()
    v2 = etc / "v2" / "ceph.conf"
    v2.write_text(Path(lab.ceph_conf).read_text() + "\n[client]\nrbd default clone format = 2\n")
    shutil.copy(lab.etc / "glance-api.conf", etc / "glance-api.conf")
    confs = {"v1": lab.ceph_conf, "v2": str(v2)}
    for tag, conf in confs.items():
        (etc / f"nova-{tag}.conf").write_text(
            "[DEFAULT]\n[libvirt]\nimages_type = rbd\nimages_rbd_pool = vms\n"
            f"images_rbd_ceph_conf = {conf}\nrbd_user = nova\n"
        )
    sections = "".join(
        f"\n[{tag}]\nvolume_driver = cinder.volume.drivers.rbd.RBDDriver\nrbd_pool = volumes\n"
        f"rbd_user = cinder\nrbd_ceph_conf = {conf}\n"
        for tag, conf in confs.items()
    )
    (etc / "cinder.conf").write_text(f"[DEFAULT]\nenabled_backends = v1,v2\n{sections}")
    args = ["--glance-api-conf", str(etc / "glance-api.conf"), "--cinder-conf",
            str(etc / "cinder.conf"), "--ceph-conf", lab.ceph_conf,
            "--ceph-conf", str(v2)]  # fmt: skip
    consumers: list[Consumer] = []
    for tag, conf in confs.items():
        nova = etc / f"nova-{tag}.conf"
        args += ["--nova-conf", str(nova)]
        consumers.append(Consumer(f"nova:{nova}", "nova", "nova", "vms", conf))
        consumers.append(Consumer(f"cinder:{tag}", "cinder", "cinder", "volumes", conf))
    return args, tuple(consumers)


def _imageyard(*args: str) -> None:
    argv = [sys.executable, "-m", "imageyard", *args]
    done = subprocess.run(argv, capture_output=True, text=True, check=False, timeout=600)
    assert done.returncode == 0, done.stderr


def _probe(lab: Lab, python: Path, consumer: Consumer, ids: list[str], tmp: Path) -> Any:
    request = {
        "service": consumer.service, "glance": lab.glance_url, "ceph_conf": consumer.ceph_conf,
        "user": consumer.user, "pool": consumer.pool, "prefix": PREFIX, "images": ids,
    }  # fmt: skip
    path = tmp / f"probe-{consumer.service}-{uuid.uuid4().hex[:6]}.json"
    path.write_text(json.dumps(request))
    done = subprocess.run(
        [str(python), str(PROBE), str(path)], capture_output=True, text=True, timeout=900,
        check=False, env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def _parent_of(url: str | None) -> str | None:
    if not url:
        return None
    _fsid, pool, image, snap = (unquote(p) for p in url[len("rbd://") :].split("/"))
    return f"{pool}/{image}@{snap}"


def _disagreements(ours: dict[str, Any], theirs: dict[str, Any]) -> list[str]:
    bad = []
    for image_id, real in theirs.items():
        mine = ours[image_id]
        klass = CLASSES.get(mine["path"], mine["path"])
        same = klass == real["outcome"]
        if same and klass == "clone":
            same = _parent_of(mine["location"]) == real.get("parent")
        if not same:
            why = (mine["reasons"] or [""])[-1][:110]
            bad.append(
                f"{mine['image_name']:<36} {mine['consumer'][-12:]:<12} imageyard "
                f"{mine['path']:<24} real {real['outcome']:<9} {real['detail'][:60]} | {why}"
            )
    return bad


def test_paths_equal_the_real_nova_and_cinder_code(
    lab: Lab, corpus: Seeded, upstream_python: Path, tmp_path: Path
) -> None:
    assert len(corpus.ids) >= 30
    etc = tmp_path / "etc"
    etc.mkdir()
    args, consumers = _configs(lab, etc)
    inventory, paths = tmp_path / "inv.json", tmp_path / "paths.json"
    _imageyard("collect", "-q", *args, "--glance-endpoint", lab.glance_url, "--ceph-user",
               "admin", "-o", str(inventory))  # fmt: skip
    _imageyard("paths", str(inventory), "-f", "json", "-o", str(paths), "-q")
    rows = json.loads(paths.read_text())["paths"]
    ids = list(corpus.ids.values())
    table: list[str] = []
    compared = 0
    outcomes: set[tuple[str, str]] = set()
    for consumer in consumers:
        ours = {r["image_id"]: r for r in rows if r["consumer"] == consumer.name}
        assert set(ids) <= set(ours), f"{consumer.name}: not every corpus image has a verdict"
        theirs = _probe(lab, upstream_python, consumer, ids, tmp_path)
        assert set(theirs) == set(ids)
        table += _disagreements(ours, theirs)
        compared += len(theirs)
        outcomes |= {(consumer.name, v["outcome"]) for v in theirs.values()}
    agreed = compared - len(table)
    print(f"\nimageyard paths agrees with nova 34.0.0 / cinder 29.0.0 on {agreed} of {compared}")
    assert not table, f"{len(table)} of {compared} disagree:\n" + "\n".join(table)
    for consumer in consumers:  # the corpus exercises every class on every consumer
        assert {o for c, o in outcomes if c == consumer.name} == set(CLASSES.values())
