"""Make reclaim's orphans on the lab by real operations, beside many healthy images.

Run with the project venv after ``lab/seed.py``: ``.venv/bin/python lab/seed_orphans.py``
(``make seed`` runs both). ``--healthy N`` sets the number of healthy images (default 500,
spread evenly over the five stores); ``cleanup`` removes everything a previous run made.

Every object carries the ``iy-orphan-`` name prefix where its name is free; objects whose
name must be an image id (what Glance would write) are listed in the manifest. What is made,
and the reclaim class each object belongs to, goes to ``$IMAGEYARD_LAB/orphans.json``:

* ``rbd-no-glance-image``: ``rbd import`` as client.glance into the images pool, named like a
  Glance image id, with no Glance image; ``rbd-foreign-name``: the same with a name that is
  not an image id (another user of the pool, to be excluded and counted, not reclaimed).
* ``rbd-copy-interrupted``: a copy-image of a 192 MiB image from ``fast`` to ``ceph`` on a
  private glance-api process (same database, same cluster, its own port), killed with SIGKILL
  once the task has created the RBD image: the partial RBD image has no Glance location.
  ``staging-leftover``: the import's staging file, when the kill left one.
* ``rbd-trashed-under-glance``: ``rbd trash mv`` (as admin) of a Glance image's RBD image;
  the Glance image keeps its location (``location-data-missing``).
* ``nova-disk-no-instance``, ``cinder-volume-no-volume``: clones of a Glance image's ``snap``
  made as client.nova (``vms/<uuid>_disk``) and client.cinder (``volumes/volume-<uuid>``),
  with no Nova instance or Cinder volume.
* ``deleted-image-held-by-v2-clone``: a v2 clone (``rbd_default_clone_format = 2``, as on a
  mimic-compat cluster) of a Glance image's ``snap`` as client.nova, then ``DELETE`` of the
  Glance image: glance_store unprotects and removes ``snap`` (it moves to the trash namespace,
  held by the clone), the image cannot be removed and goes to the RBD trash.
* ``file-no-glance-image`` (an image-id-named file in ``fast``'s datadir), ``file-foreign``
  (another name in ``cheap``'s), ``s3-no-glance-image`` and ``swift-no-glance-image`` (an
  image-id-named object PUT into the Glance bucket and container with the store's account).

A second run on a lab whose manifest matches the cluster does nothing. Any failed step exits
1 with the step and the reason.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import rbd
import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed import SNAP, Glance, SeedError, ceph_as, load_env, random_bytes

PREFIX = "iy-orphan-"
STORES = ("fast", "cheap", "ceph", "s3", "swift")
COPY_MIB = 192
MANIFEST = "orphans.json"


class Lab:
    """The lab's paths, clients and the manifest being written."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = load_env(root / "lab.env")
        self.conf = self.env["CEPH_CONF"]
        self.glance = Glance(self.env["GLANCE_LAB_URL"])
        with ceph_as(self.conf, "ops") as ops:
            self.fsid = ops.get_fsid()
        self.orphans: list[dict[str, Any]] = []
        self.glance_ids: list[str] = []  # Glance images made here (deleted by cleanup)
        self.healthy: list[dict[str, Any]] = []
        self.timings: dict[str, float] = {}

    def rbd(self, *args: str, user: str = "admin") -> str:
        argv = ["rbd", "-c", self.conf, "--id", user, *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise SeedError(f"{' '.join(argv[3:])}: {done.stderr.strip()[-300:]}")
        return done.stdout

    def orphan(self, cls: str, **facts: Any) -> None:
        self.orphans.append({"class": cls, **facts})

    def step(self, name: str, func: Callable[[], None]) -> None:
        t0 = time.monotonic()
        try:
            func()
        except SeedError as exc:
            raise SeedError(f"step '{name}': {exc}") from exc
        except (rbd.Error, requests.RequestException, OSError) as exc:
            raise SeedError(f"step '{name}': {type(exc).__name__}: {exc}") from exc
        self.timings[name] = round(time.monotonic() - t0, 2)
        print(f"  {name:<36} {self.timings[name]:6.2f}s", flush=True)

    def new_image(self, name: str, data: bytes, store: str) -> str:
        img = self.glance.create(PREFIX + name, "raw", visibility="private")
        self.glance_ids.append(str(img["id"]))
        self.glance.upload(img["id"], data, store)
        return str(img["id"])


# ---------------------------------------------------------------------- healthy images


def healthy(lab: Lab, count: int) -> None:
    """``count`` small images, PUT round-robin into the five stores, four at a time."""

    def one(n: int) -> dict[str, Any]:
        store = STORES[n % len(STORES)]
        image_id = lab.new_image(f"healthy-{n:04d}", random_bytes(4 / 1024), store)
        return {"id": image_id, "store": store}

    with ThreadPoolExecutor(4) as pool:
        lab.healthy = list(pool.map(one, range(count)))
    got = {s: sum(1 for h in lab.healthy if h["store"] == s) for s in STORES}
    if min(got.values()) == 0:
        raise SeedError(f"a store got no healthy image: {got}")


# ---------------------------------------------------------------------- rbd orphans


def rbd_imports(lab: Lab) -> None:
    """``rbd import`` into the images pool as client.glance, bypassing Glance."""
    with tempfile.NamedTemporaryFile(prefix=PREFIX) as tmp:
        tmp.write(random_bytes(2))
        tmp.flush()
        for cls, name in (
            ("rbd-no-glance-image", str(uuid.uuid4())),
            ("rbd-foreign-name", f"{PREFIX}manual-import"),
        ):
            lab.rbd("import", tmp.name, f"images/{name}", user="glance")
            lab.orphan(cls, pool="images", name=name, made_by="rbd import as client.glance")
            lab.glance.call("GET", f"/v2/images/{name}", expect=(404,))


def trash_moved(lab: Lab) -> None:
    """A Glance image whose RBD image an operator moved to the RBD trash."""
    image_id = lab.new_image("trashed-under-glance", random_bytes(1), "ceph")
    lab.rbd("trash", "mv", f"images/{image_id}")
    trash_id = _trash_id(lab, "images", image_id)
    lab.orphan(
        "rbd-trashed-under-glance", pool="images", name=image_id, trash_id=trash_id,
        glance_id=image_id, made_by="rbd trash mv as client.admin",
    )  # fmt: skip
    lab.orphan("location-data-missing", store="ceph", glance_id=image_id, name=image_id)


def _trash_id(lab: Lab, pool: str, name: str) -> str:
    rows = json.loads(lab.rbd("trash", "ls", "-p", pool, "--format", "json"))
    found = [r["id"] for r in rows if r["name"] == name]
    if not found:
        raise SeedError(f"{pool}/{name} is not in the RBD trash")
    return str(found[0])


def _clone(lab: Lab, user: str, parent: str, pool: str, name: str, *, v2: bool) -> None:
    """Clone images/<parent>@snap to pool/name as client.<user> (1 GiB, as Nova/Cinder)."""
    with ceph_as(lab.conf, user) as client:
        if v2:
            client.conf_set("rbd_default_clone_format", "2")
        with client.open_ioctx("images") as src, client.open_ioctx(pool) as dst:
            rbd.RBD().clone(src, parent, SNAP, dst, name, features=rbd.RBD_FEATURE_LAYERING)
            with rbd.Image(dst, name) as im:
                im.resize(1 << 30)


def consumer_clones(lab: Lab) -> None:
    """Clones of a Glance image as client.nova and client.cinder, with no consumer record."""
    parent = lab.new_image("cloned-by-consumers", random_bytes(1), "ceph")
    disk, volume = f"{uuid.uuid4()}_disk", f"volume-{uuid.uuid4()}"
    _clone(lab, "nova", parent, "vms", disk, v2=False)
    _clone(lab, "cinder", parent, "volumes", volume, v2=False)
    parent_spec = {"pool": "images", "image": parent, "snapshot": SNAP}
    lab.orphan("nova-disk-no-instance", pool="vms", name=disk, parent=parent_spec,
               made_by="rbd clone as client.nova")  # fmt: skip
    lab.orphan("cinder-volume-no-volume", pool="volumes", name=volume, parent=parent_spec,
               made_by="rbd clone as client.cinder")  # fmt: skip


def deleted_with_v2_child(lab: Lab) -> None:
    """DELETE of a Glance image whose ``snap`` has a v2 clone (made as client.nova)."""
    parent = lab.new_image("deleted-with-v2-child", random_bytes(1), "ceph")
    disk = f"{uuid.uuid4()}_disk"
    _clone(lab, "nova", parent, "vms", disk, v2=True)
    resp = lab.glance.call("DELETE", f"/v2/images/{parent}", expect=(204, 409))
    facts: dict[str, Any] = {"glance_id": parent, "child": f"vms/{disk}"}
    if resp.status_code == 204:
        lab.glance_ids.remove(parent)
        facts.update(pool="images", name=parent, trash_id=_trash_id(lab, "images", parent))
        facts["made_by"] = "DELETE /v2/images: snap to the trash namespace, image to the trash"
    else:
        facts.update(pool="images", name=parent, glance_status="active (409 on DELETE)")
        facts["made_by"] = "DELETE /v2/images answered 409: the image stays in Glance"
    lab.orphan("deleted-image-held-by-v2-clone", **facts)
    lab.orphan("nova-disk-no-instance", pool="vms", name=disk, made_by="v2 clone as client.nova",
               parent={"pool": "images", "image": parent, "snapshot": SNAP})  # fmt: skip


# ---------------------------------------------------------------------- interrupted copy


def _free_port() -> int:
    """``IMAGEYARD_LAB_ORPHAN_GLANCE_PORT``, else a port the kernel says is free now."""
    if os.environ.get("IMAGEYARD_LAB_ORPHAN_GLANCE_PORT"):
        return int(os.environ["IMAGEYARD_LAB_ORPHAN_GLANCE_PORT"])
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _private_glance(lab: Lab, work: Path, port: int) -> subprocess.Popen[bytes]:
    """A second glance-api (uWSGI) on the lab's config, database and cluster, own port."""
    etc = work / "etc"
    etc.mkdir(parents=True)
    shared = Path(lab.env["IMAGEYARD_LAB_ETC"])
    for path in shared.iterdir():
        if path.is_file() and path.name != "uwsgi.ini":
            (etc / path.name).write_bytes(path.read_bytes())
    conf = (etc / "glance-api.conf").read_text()
    conf = conf.replace(f"= {lab.env['GLANCE_LAB_URL']}", f"= http://127.0.0.1:{port}")
    conf = conf.replace("log_file = ", f"log_file = {work}/glance-api.log\n# was: ", 1)
    (etc / "glance-api.conf").write_text(conf)
    venv = lab.env["GLANCE_LAB_VENV"]
    ini = work / "uwsgi.ini"
    ini.write_text(
        "[uwsgi]\nmodule = glance.wsgi.api:application\n"
        f"virtualenv = {venv}\nenv = OS_GLANCE_CONFIG_DIR={etc}\n"
        f"http-socket = 127.0.0.1:{port}\nmaster = true\nprocesses = 1\nthreads = 4\n"
        "enable-threads = true\nlazy-apps = true\ndie-on-term = true\nbuffer-size = 65535\n"
        "http-raw-body = true\nhttp-chunked-input = true\nhttp-auto-chunked = true\n"
        f"logto = {work}/uwsgi.log\n"
    )
    proc = subprocess.Popen([f"{venv}/bin/uwsgi", "--ini", str(ini)], start_new_session=True)
    private = Glance(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            private.call("GET", "/v2/images?limit=1")
            return proc
        except (SeedError, requests.RequestException):
            time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGKILL)
    raise SeedError(f"the private glance-api did not answer (see {work}/uwsgi.log)")


def interrupted_copy(lab: Lab) -> None:
    """copy-image fast -> ceph on a private glance-api, killed once the RBD image exists."""
    image_id = lab.new_image("copy-interrupted", random_bytes(COPY_MIB), "fast")
    port = _free_port()
    with tempfile.TemporaryDirectory(prefix=PREFIX, dir=lab.root) as tmp:
        proc = _private_glance(lab, Path(tmp), port)
        try:
            Glance(f"http://127.0.0.1:{port}").import_(image_id, "copy-image", ["ceph"])
            _wait_rbd(lab, image_id)
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
    stores = lab.glance.get(image_id).get("stores", "")
    if "ceph" in stores.split(","):
        raise SeedError(f"copy-image of {image_id} finished before the kill (stores {stores})")
    lab.orphan("rbd-copy-interrupted", pool="images", name=image_id, glance_id=image_id,
               made_by="copy-image fast->ceph, glance-api killed (SIGKILL) mid-write")  # fmt: skip
    staging = Path(lab.env["IMAGEYARD_LAB"]) / "glance/data/staging" / image_id
    if staging.exists():
        lab.orphan("staging-leftover", path=str(staging), glance_id=image_id)


def _wait_rbd(lab: Lab, name: str) -> None:
    deadline = time.monotonic() + 120
    with ceph_as(lab.conf, "ops") as ops, ops.open_ioctx("images") as ioctx:
        while time.monotonic() < deadline:
            if name in rbd.RBD().list(ioctx):
                time.sleep(0.1)  # some data written, far from all of it
                return
            time.sleep(0.02)
    raise SeedError(f"copy-image never created images/{name}")


# ---------------------------------------------------------------------- files and objects


def files_and_objects(lab: Lab) -> None:
    """A file in two file stores' datadirs, an object in the S3 bucket and Swift container."""
    data = Path(lab.env["IMAGEYARD_LAB"]) / "glance/data"
    name = str(uuid.uuid4())
    (data / "fast" / name).write_bytes(random_bytes(1 / 4))
    lab.orphan("file-no-glance-image", store="fast", name=name, path=str(data / "fast" / name))
    foreign = f"{PREFIX}notes.txt"
    (data / "cheap" / foreign).write_text("not an image\n")
    lab.orphan("file-foreign", store="cheap", name=foreign, path=str(data / "cheap" / foreign))
    key = str(uuid.uuid4())
    _s3(lab, "PUT", key, random_bytes(1 / 4))
    lab.orphan("s3-no-glance-image", store="s3", name=key, bucket="imageyard-lab-s3")
    obj = str(uuid.uuid4())
    _swift(lab, "PUT", obj, random_bytes(1 / 4))
    lab.orphan("swift-no-glance-image", store="swift", name=obj, container="imageyard-lab-swift")


def _s3(lab: Lab, method: str, key: str, body: bytes = b"") -> None:
    import boto3

    client = boto3.session.Session(
        aws_access_key_id=lab.env["CEPHLAB_S3_ACCESS"],
        aws_secret_access_key=lab.env["CEPHLAB_S3_SECRET"],
    ).client("s3", endpoint_url=lab.env["CEPHLAB_S3_ENDPOINT"], region_name="us-east-1")
    if method == "PUT":
        client.put_object(Bucket="imageyard-lab-s3", Key=key, Body=body)
    else:
        client.delete_object(Bucket="imageyard-lab-s3", Key=key)


def _swift(lab: Lab, method: str, name: str, body: bytes = b"") -> None:
    http = requests.Session()
    http.trust_env = False
    auth = http.get(
        lab.env["CEPHLAB_SWIFT_AUTH"],
        headers={"X-Auth-User": lab.env["CEPHLAB_SWIFT_USER"],
                 "X-Auth-Key": lab.env["CEPHLAB_SWIFT_KEY"]},
        timeout=30,
    )  # fmt: skip
    url = f"{auth.headers['X-Storage-Url']}/imageyard-lab-swift/{name}"
    resp = http.request(
        method, url, data=body, headers={"X-Auth-Token": auth.headers["X-Auth-Token"]}, timeout=30
    )
    if resp.status_code not in (201, 204, 404):
        raise SeedError(f"swift {method} {name}: HTTP {resp.status_code}")


# ---------------------------------------------------------------------- run and cleanup


def create(lab: Lab, count: int) -> dict[str, Any]:
    t0 = time.monotonic()
    lab.step(f"{count} healthy images (5 stores)", lambda: healthy(lab, count))
    lab.step("rbd import (id-shaped, foreign)", lambda: rbd_imports(lab))
    lab.step("copy-image killed mid-write", lambda: interrupted_copy(lab))
    lab.step("rbd trash mv under Glance", lambda: trash_moved(lab))
    lab.step("nova + cinder clones", lambda: consumer_clones(lab))
    lab.step("delete with a v2 clone", lambda: deleted_with_v2_child(lab))
    lab.step("files, S3 and Swift objects", lambda: files_and_objects(lab))
    lab.timings["total"] = round(time.monotonic() - t0, 2)
    return made(lab)


def made(lab: Lab) -> dict[str, Any]:
    """The manifest of what ``lab`` made so far."""
    return {
        "version": 1,
        "fsid": lab.fsid,
        "prefix": PREFIX,
        "healthy": lab.healthy,
        "orphans": lab.orphans,
        "glance_ids": lab.glance_ids,
        "timings": lab.timings,
    }


def _rbd_destroy(lab: Lab, pool: str, name: str, trash_id: str | None = None) -> None:
    """Remove an RBD image (restored from the trash first), its snapshots included."""
    if trash_id:
        lab.rbd("trash", "restore", "-p", pool, "--image-id", trash_id)
    spec = f"{pool}/{name}"
    try:
        snaps = json.loads(lab.rbd("snap", "ls", spec, "--format", "json"))
    except SeedError:
        return  # already gone
    for snap in snaps:
        if snap.get("protected") == "true":
            lab.rbd("snap", "unprotect", f"{spec}@{snap['name']}")
    lab.rbd("snap", "purge", spec)
    lab.rbd("rm", spec)


def cleanup(lab: Lab, manifest: dict[str, Any]) -> None:
    """Remove every object ``manifest`` lists: consumer clones first, then their parents."""
    order = sorted(manifest["orphans"], key=lambda o: o.get("pool") not in ("vms", "volumes"))
    for orphan in order:
        _cleanup_one(lab, orphan)

    def delete(image_id: str) -> None:
        lab.glance.call("DELETE", f"/v2/images/{image_id}", expect=(204, 404))

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(delete, manifest["glance_ids"]))


def _cleanup_one(lab: Lab, orphan: dict[str, Any]) -> None:
    cls = orphan["class"]
    if cls in ("file-no-glance-image", "file-foreign", "staging-leftover"):
        Path(orphan["path"]).unlink(missing_ok=True)
    elif cls == "s3-no-glance-image":
        _s3(lab, "DELETE", orphan["name"])
    elif cls == "swift-no-glance-image":
        _swift(lab, "DELETE", orphan["name"])
    elif cls == "location-data-missing":
        return  # the trashed image is restored by its rbd-trashed-under-glance record
    elif "pool" in orphan:
        _rbd_destroy(lab, orphan["pool"], orphan["name"], orphan.get("trash_id"))


def _write(target: Path, manifest: dict[str, Any]) -> None:
    tmp = target.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp.replace(target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", nargs="?", default="create", choices=("create", "cleanup"))
    parser.add_argument("--healthy", type=int, default=500, help="healthy images to make")
    args = parser.parse_args()
    root = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
    if not (root / "lab.env").is_file():
        print(f"seed_orphans: {root}/lab.env not found - run 'bash lab/up' first", file=sys.stderr)
        return 1
    target = root / MANIFEST
    try:
        lab = Lab(root)
        old = json.loads(target.read_text()) if target.is_file() else None
        if args.action == "cleanup":
            if old is not None:
                cleanup(lab, old)
                target.unlink()
            print(f"seed_orphans: cleaned up {root}")
            return 0
        if old is not None and old.get("fsid") == lab.fsid and "failed" not in old:
            print(f"seed_orphans: {target} already describes cluster {lab.fsid}")
            return 0
        if old is not None and old.get("fsid") == lab.fsid:
            cleanup(lab, old)  # what a failed run left
        manifest = create(lab, args.healthy)
    except SeedError as exc:
        print(f"seed_orphans FAILED: {exc}", file=sys.stderr)
        if "lab" in locals() and args.action == "create":
            _write(target, {**made(lab), "failed": str(exc)})  # 'cleanup' removes it
        return 1
    _write(target, manifest)
    classes = sorted({o["class"] for o in manifest["orphans"]})
    print(
        f"seed_orphans: {len(manifest['healthy'])} healthy images, {len(manifest['orphans'])}"
        f" orphans of {len(classes)} classes in {manifest['timings']['total']:.1f}s -> {target}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
