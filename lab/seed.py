"""Seed imageyard's lab with a realistic mixed image catalog.

Run with the project venv after ``lab/up``: ``.venv/bin/python lab/seed.py``.

Everything goes through the real interfaces: the Glance API (labauth flavor: no identity
headers = admin; ``X-Roles: member,reader`` + ``X-Project-Id`` = a tenant) and librados/librbd
as the lab's cephx users (glance, nova, cinder), the way Glance, Nova and Cinder themselves
touch the pools. Payloads are small (1-8 MiB) and random, never zeros (``rbd`` skips zero
blocks, which would hide real costs).

Writes ``$IMAGEYARD_LAB/seed.json``: every object made, the role(s) it plays, the cluster fsid
and the timings. Re-running on a lab already seeded for the same cluster (same fsid) does
nothing and exits 0. Any failed step exits 1 with a message.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shlex
import struct
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import rados
import rbd
import requests

from imageyard.testing.rawdata import raw_bytes

MiB = 1 << 20
ADMIN_PROJECT = "lab-admin-project"
ALPHA, BETA, GAMMA = "project-alpha", "project-beta", "project-gamma"
DELETED_PROJECT = "deleted-project-0001"
SNAP = "snap"  # the snapshot glance_store's rbd driver creates and protects
TIMEOUT = 120.0


class SeedError(Exception):
    """A seed step failed; the message says which and why."""


def load_env(path: Path) -> dict[str, str]:
    """Parse the ``export K=V`` lines of lab.env (values may be shell-quoted)."""
    env: dict[str, str] = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line.startswith("export "):
            continue
        key, _, value = line[len("export ") :].partition("=")
        parts = shlex.split(value)
        env[key] = parts[0] if parts else ""
    return env


@dataclass
class Manifest:
    fsid: str
    glance_url: str
    ceph_conf: str
    images: list[dict[str, Any]] = field(default_factory=list)
    rbd_objects: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    def roles(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for obj in [*self.images, *self.rbd_objects]:
            for role in obj["roles"]:
                index.setdefault(role, []).append(obj.get("id") or obj["name"])
        return dict(sorted(index.items()))

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "fsid": self.fsid,
            "glance_url": self.glance_url,
            "ceph_conf": self.ceph_conf,
            "seeded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "projects": {
                "admin": ADMIN_PROJECT,
                "live": [ADMIN_PROJECT, ALPHA, BETA, GAMMA],
                "deleted": [DELETED_PROJECT],
            },
            "images": self.images,
            "rbd": self.rbd_objects,
            "roles": self.roles(),
            "timings": self.timings,
        }


class Glance:
    """Just enough of the Glance v2 API, over one loopback session."""

    def __init__(self, url: str) -> None:
        self.url = url.rstrip("/")
        self.http = requests.Session()
        self.http.trust_env = False  # loopback only: no proxies, no netrc

    def call(
        self,
        method: str,
        path: str,
        *,
        project: str | None = None,
        expect: tuple[int, ...] = (200,),
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        hdrs = dict(headers or {})
        if project is not None:  # act as a tenant's member; no headers = lab admin
            hdrs.update(
                {
                    "X-Roles": "member,reader",
                    "X-Project-Id": project,
                    "X-User-Id": f"{project}-user",
                }
            )
        resp = self.http.request(method, self.url + path, headers=hdrs, timeout=60, **kwargs)
        if resp.status_code not in expect:
            raise SeedError(f"{method} {path} -> HTTP {resp.status_code}: {resp.text[:400]}")
        return resp

    def get(self, image_id: str) -> dict[str, Any]:
        result: dict[str, Any] = self.call("GET", f"/v2/images/{image_id}").json()
        return result

    def create(
        self, name: str, disk_format: str, *, project: str | None = None, **attrs: Any
    ) -> dict[str, Any]:
        body = {"name": name, "disk_format": disk_format, "container_format": "bare", **attrs}
        result: dict[str, Any] = self.call(
            "POST", "/v2/images", project=project, expect=(201,), json=body
        ).json()
        return result

    def upload(self, image_id: str, data: bytes, store: str, *, project: str | None = None) -> None:
        self.call(
            "PUT",
            f"/v2/images/{image_id}/file",
            project=project,
            expect=(204,),
            data=data,
            headers={"Content-Type": "application/octet-stream", "X-Image-Meta-Store": store},
        )

    def stage(self, image_id: str, data: bytes, *, project: str | None = None) -> None:
        self.call(
            "PUT",
            f"/v2/images/{image_id}/stage",
            project=project,
            expect=(204,),
            data=data,
            headers={"Content-Type": "application/octet-stream"},
        )

    def import_(
        self, image_id: str, method: str, stores: list[str], *, project: str | None = None
    ) -> None:
        body = {"method": {"name": method}, "stores": stores, "all_stores_must_succeed": True}
        self.call(
            "POST", f"/v2/images/{image_id}/import", project=project, expect=(202,), json=body
        )

    def wait_stores(self, image_id: str, stores: list[str]) -> dict[str, Any]:
        """Wait until an import/copy has put the image in every one of ``stores``."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            img = self.get(image_id)
            have = set(filter(None, img.get("stores", "").split(",")))
            failed = img.get("os_glance_failed_import", "")
            if failed:
                raise SeedError(f"import of {image_id} failed for store(s) {failed}")
            tasks = self.call("GET", f"/v2/images/{image_id}/tasks").json().get("tasks", [])
            bad = [t for t in tasks if t.get("status") == "failure"]
            if bad:
                raise SeedError(f"import task of {image_id} failed: {bad[0].get('message')}")
            if (
                img["status"] == "active"
                and set(stores) <= have
                and not img.get("os_glance_importing_to_stores")
            ):
                return img
            if time.monotonic() > deadline:
                raise SeedError(
                    f"image {image_id} still not in {stores} after {TIMEOUT:.0f}s "
                    f"(status {img['status']}, stores {sorted(have)})"
                )
            time.sleep(0.3)

    def count_images(self) -> int:
        total = 0
        for hidden in ("false", "true"):
            body = self.call("GET", f"/v2/images?limit=1000&os_hidden={hidden}").json()
            total += len(body["images"])
        return total


def random_bytes(mib: float) -> bytes:
    """``mib`` MiB of random data that Glance's upload checks take for raw (``raw_bytes``)."""
    return raw_bytes(int(mib * MiB))


def to_qcow2(raw: bytes, workdir: Path) -> bytes:
    """Random raw bytes -> a qcow2 file holding them (qemu-img convert)."""
    src, dst = workdir / f"{uuid.uuid4()}.raw", workdir / f"{uuid.uuid4()}.qcow2"
    src.write_bytes(raw)
    try:
        subprocess.run(
            ["qemu-img", "convert", "-f", "raw", "-O", "qcow2", str(src), str(dst)],
            check=True,
            capture_output=True,
            text=True,
        )
    except (OSError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        raise SeedError(f"qemu-img convert failed: {detail}") from exc
    data = dst.read_bytes()
    src.unlink()
    dst.unlink()
    return data


def iso_bytes(mib: float) -> bytes:
    """Random data with an ISO 9660 primary volume descriptor (Glance inspects uploads)."""
    data = bytearray(random_bytes(mib))
    blocks = len(data) // 2048
    pvd = bytearray(2048)
    pvd[0:7] = b"\x01CD001\x01"
    pvd[8:40] = b"IMAGEYARD LAB".ljust(32)  # system identifier
    pvd[40:72] = b"NETBOOT".ljust(32)  # volume identifier
    pvd[80:88] = struct.pack("<I", blocks) + struct.pack(">I", blocks)
    pvd[128:132] = struct.pack("<H", 2048) + struct.pack(">H", 2048)
    data[16 * 2048 : 17 * 2048] = pvd
    data[17 * 2048 : 17 * 2048 + 7] = b"\xffCD001\x01"  # volume descriptor set terminator
    return bytes(data)


@contextlib.contextmanager
def ceph_as(conf: str, user: str) -> Iterator[Any]:
    """A librados connection as ``client.<user>`` (keyring found through the conf)."""
    cluster = rados.Rados(conffile=conf, rados_id=user)
    try:
        cluster.connect(timeout=15)
    except rados.Error as exc:
        raise SeedError(f"cannot connect to ceph as client.{user}: {exc}") from exc
    try:
        yield cluster
    finally:
        cluster.shutdown()


class Seeder:
    def __init__(self, env: dict[str, str], workdir: Path) -> None:
        self.conf = env["CEPH_CONF"]
        self.glance = Glance(env["GLANCE_LAB_URL"])
        self.workdir = workdir
        with ceph_as(self.conf, "glance") as cluster:
            fsid = cluster.get_fsid()
        self.m = Manifest(fsid=fsid, glance_url=self.glance.url, ceph_conf=self.conf)

    # ------------------------------------------------------------------ helpers
    def record(self, image_id: str, roles: list[str], payload: bytes | None = None) -> None:
        img = self.glance.get(image_id)
        entry = {
            "id": img["id"],
            "name": img["name"],
            "owner": img.get("owner"),
            "disk_format": img.get("disk_format"),
            "container_format": img.get("container_format"),
            "visibility": img.get("visibility"),
            "os_hidden": img.get("os_hidden", False),
            "status": img["status"],
            "stores": [s for s in img.get("stores", "").split(",") if s],
            "size": img.get("size"),
            "virtual_size": img.get("virtual_size"),
            "checksum": img.get("checksum"),
            "os_hash_value": img.get("os_hash_value"),
            "payload_sha256": hashlib.sha256(payload).hexdigest() if payload else None,
            "direct_url": img.get("direct_url"),
            "roles": roles,
        }
        self.m.images.append(entry)

    def upload_image(
        self,
        name: str,
        disk_format: str,
        data: bytes,
        store: str,
        roles: list[str],
        *,
        project: str | None = None,
        **attrs: Any,
    ) -> str:
        img = self.glance.create(name, disk_format, project=project, **attrs)
        self.glance.upload(img["id"], data, store, project=project)
        got = self.glance.get(img["id"])
        if got["status"] != "active" or got.get("stores") != store:
            raise SeedError(
                f"{name}: after upload status={got['status']} stores={got.get('stores')!r}, "
                f"expected active in {store}"
            )
        self.record(img["id"], roles, data)
        return str(img["id"])

    def step(self, name: str, func: Any) -> None:
        t0 = time.monotonic()
        try:
            func()
        except SeedError as exc:
            raise SeedError(f"step '{name}': {exc}") from exc
        except (rados.Error, rbd.Error, requests.RequestException, OSError) as exc:
            raise SeedError(f"step '{name}': {type(exc).__name__}: {exc}") from exc
        self.m.timings[name] = round(time.monotonic() - t0, 2)
        print(f"  {name:<32} {self.m.timings[name]:6.2f}s")

    # ------------------------------------------------------------------ steps
    def base_images(self) -> None:
        self.ubuntu = random_bytes(6)
        self.ubuntu_id = self.upload_image(
            "ubuntu-22.04-server-raw",
            "raw",
            self.ubuntu,
            "ceph",
            ["raw-in-ceph", "raw-in-ceph-with-nova-clone", "raw-in-ceph-with-cinder-clone"],
            visibility="public",
            os_distro="ubuntu",
            os_version="22.04",
            hw_disk_bus="scsi",
            hw_scsi_model="virtio-scsi",
            hw_qemu_guest_agent="yes",
        )
        self.upload_image(
            "centos-stream-9-qcow2",
            "qcow2",
            to_qcow2(random_bytes(4), self.workdir),
            "ceph",
            ["qcow2-in-ceph"],
            visibility="public",
            os_distro="centos",
            os_version="9",
        )
        self.debian = random_bytes(3)
        self.debian_id = self.upload_image(
            "debian-12-genericcloud-raw",
            "raw",
            self.debian,
            "fast",
            ["raw-file-only"],
            visibility="public",
            os_distro="debian",
            os_version="12",
        )
        self.upload_image(
            "fedora-40-cloud-qcow2",
            "qcow2",
            to_qcow2(random_bytes(3), self.workdir),
            "cheap",
            ["qcow2-file-only"],
            project=ALPHA,
            visibility="private",
            os_distro="fedora",
            os_version="40",
        )
        self.upload_image(
            "netboot-installer-iso",
            "iso",
            iso_bytes(2),
            "ceph",
            ["iso-in-ceph"],
            visibility="public",
        )
        self.upload_image(
            "backup-archive-s3-only",
            "raw",
            random_bytes(1),
            "s3",
            ["s3-only"],
            project=GAMMA,
            visibility="private",
        )
        self.upload_image(
            "backup-archive-swift-only",
            "qcow2",
            to_qcow2(random_bytes(1), self.workdir),
            "swift",
            ["swift-only"],
            project=GAMMA,
            visibility="private",
        )

    def direct_imports(self) -> None:
        """glance-direct of qcow2 payloads: the image_conversion plugin must turn them raw."""
        for name, project, store, mib, extra in (
            ("rocky-9-imported", None, "ceph", 5, ["raw-in-ceph"]),
            ("alpine-3.20-imported", BETA, "fast", 2, ["raw-file-only"]),
        ):
            raw = random_bytes(mib)
            img = self.glance.create(
                name, "qcow2", project=project, visibility="community" if project else "public"
            )
            self.glance.stage(img["id"], to_qcow2(raw, self.workdir), project=project)
            self.glance.import_(img["id"], "glance-direct", [store], project=project)
            got = self.glance.wait_stores(img["id"], [store])
            if got["disk_format"] != "raw" or got["size"] != len(raw):
                raise SeedError(
                    f"{name}: conversion did not run (disk_format={got['disk_format']}, "
                    f"size={got['size']}, expected raw of {len(raw)} bytes)"
                )
            self.record(
                img["id"], ["imported-glance-direct", "converted-qcow2-to-raw", *extra], raw
            )

    def multi_store(self) -> None:
        """copy-image (admin only by policy), waited for, one copy request at a time."""
        win_id = self.upload_image(
            "windows-server-2022-raw",
            "raw",
            random_bytes(8),
            "ceph",
            ["raw-in-ceph", "multi-store"],
            visibility="public",
            os_type="windows",
        )
        self.glance.import_(win_id, "copy-image", ["s3", "swift", "cheap"])
        self.glance.wait_stores(win_id, ["ceph", "s3", "swift", "cheap"])
        cirros_id = self.upload_image(
            "cirros-0.6.2-x86_64",
            "raw",
            random_bytes(1),
            "fast",
            ["multi-store", "copied-to-ceph"],
            visibility="public",
        )
        self.glance.import_(cirros_id, "copy-image", ["ceph", "s3"])
        self.glance.wait_stores(cirros_id, ["fast", "ceph", "s3"])
        # the stores changed after record(): refresh those two entries
        self.m.images = [i for i in self.m.images if i["id"] not in (win_id, cirros_id)]
        self.record(win_id, ["raw-in-ceph", "multi-store"])
        self.record(cirros_id, ["multi-store", "copied-to-ceph"])

    def duplicates(self) -> None:
        """The same bytes under other ids and owners (checksum/os_hash_value collide)."""
        self.upload_image(
            "ubuntu-jammy-alpha-upload",
            "raw",
            self.ubuntu,
            "ceph",
            ["raw-in-ceph", f"duplicate-of:{self.ubuntu_id}"],
            project=ALPHA,
            visibility="private",
        )
        self.upload_image(
            "my-ubuntu",
            "raw",
            self.ubuntu,
            "fast",
            ["raw-file-only", f"duplicate-of:{self.ubuntu_id}"],
            project=BETA,
            visibility="private",
        )
        self.upload_image(
            "debian-12-gamma",
            "raw",
            self.debian,
            "cheap",
            ["raw-file-only", f"duplicate-of:{self.debian_id}"],
            project=GAMMA,
            visibility="private",
        )

    def special_states(self) -> None:
        self.upload_image(
            "legacy-app-server",
            "raw",
            random_bytes(3),
            "ceph",
            ["raw-in-ceph", "owner-deleted-project"],
            owner=DELETED_PROJECT,
            visibility="private",
        )
        self.upload_image(
            "legacy-app-db",
            "qcow2",
            to_qcow2(random_bytes(2), self.workdir),
            "cheap",
            ["qcow2-file-only", "owner-deleted-project"],
            owner=DELETED_PROJECT,
            visibility="shared",
        )
        old_id = self.upload_image(
            "centos-7-eol", "raw", random_bytes(2), "ceph", ["raw-in-ceph"], visibility="public"
        )
        self.glance.call("POST", f"/v2/images/{old_id}/actions/deactivate", expect=(204,))
        if self.glance.get(old_id)["status"] != "deactivated":
            raise SeedError(f"centos-7-eol ({old_id}) is not deactivated after the action")
        self.m.images = [i for i in self.m.images if i["id"] != old_id]
        self.record(old_id, ["raw-in-ceph", "deactivated"])
        self.upload_image(
            "ci-build-artifact-hidden",
            "raw",
            random_bytes(1),
            "fast",
            ["raw-file-only", "hidden"],
            project=ALPHA,
            visibility="private",
            os_hidden=True,
        )
        shared_id = self.upload_image(
            "alpha-golden-shared",
            "raw",
            random_bytes(2),
            "ceph",
            ["raw-in-ceph", "shared-with-members"],
            project=ALPHA,
            visibility="shared",
        )
        for member in (BETA, GAMMA):
            self.glance.call(
                "POST",
                f"/v2/images/{shared_id}/members",
                project=ALPHA,
                json={"member": member},
            )
        # beta accepts; gamma's membership stays pending
        self.glance.call(
            "PUT",
            f"/v2/images/{shared_id}/members/{BETA}",
            project=BETA,
            json={"status": "accepted"},
        )
        self.m.images[-1]["members"] = {BETA: "accepted", GAMMA: "pending"}
        # Glance 33 only warns ("Image claims raw ... but is actually qcow2") and stores it
        self.upload_image(
            "mislabelled-qcow2-as-raw",
            "raw",
            to_qcow2(random_bytes(3), self.workdir),
            "ceph",
            ["raw-in-ceph", "qcow2-payload-labelled-raw"],
            project=BETA,
            visibility="private",
        )
        img = self.glance.create("never-uploaded", "raw", project=GAMMA, visibility="private")
        self.record(img["id"], ["queued-no-data"])

    def clone_image(
        self, user: str, pool: str, name: str, kind: str, extra: dict[str, Any]
    ) -> None:
        """Clone images/<ubuntu>@snap to ``pool``/``name`` as client.<user>, 1 GiB; record it."""
        parent = self.ubuntu_id
        with (
            ceph_as(self.conf, user) as client,
            client.open_ioctx("images") as src,
            client.open_ioctx(pool) as dst,
        ):
            rbd.RBD().clone(src, parent, SNAP, dst, name, features=rbd.RBD_FEATURE_LAYERING)
            with rbd.Image(dst, name) as im:
                im.resize(1 << 30)
                info = im.parent_info()
        if tuple(info) != ("images", parent, SNAP):
            raise SeedError(f"{user} clone {pool}/{name} has parent {info}")
        self.m.rbd_objects.append(
            {
                "pool": pool,
                "name": name,
                "kind": kind,
                **extra,
                "made_as": f"client.{user}",
                "parent": {"pool": "images", "image": parent, "snapshot": SNAP},
                "size": 1 << 30,
                "roles": [f"{user}-clone", f"clone-of:{parent}"],
            }
        )

    def nova_and_cinder_clones(self) -> None:
        """COW clones of images/<id>@snap, made as Nova and Cinder make them."""
        # nova.storage.rbd_utils.RBDDriver.clone, then resize to the flavor's root disk
        instance = str(uuid.uuid4())
        self.clone_image(
            "nova", "vms", f"{instance}_disk", "nova-instance-disk", {"instance_uuid": instance}
        )
        # cinder.volume.drivers.rbd.RBDDriver._clone, then extend to the volume size
        volume_id = str(uuid.uuid4())
        self.clone_image(
            "cinder", "volumes", f"volume-{volume_id}", "cinder-volume", {"volume_id": volume_id}
        )

    def orphan_rbd(self) -> None:
        """An RBD image laid out the way glance_store writes one, with no Glance row."""
        name = str(uuid.uuid4())
        data = random_bytes(4)
        with ceph_as(self.conf, "glance") as glance, glance.open_ioctx("images") as ioctx:
            features = int(glance.conf_get("rbd_default_features"))
            # glance_store: order = log2(rbd_store_chunk_size 8 MiB) = 23
            rbd.RBD().create(ioctx, name, len(data), order=23, old_format=False, features=features)
            with rbd.Image(ioctx, name) as im:
                im.write(data, 0)
                im.create_snap(SNAP)
                im.protect_snap(SNAP)
        self.glance.call("GET", f"/v2/images/{name}", expect=(404,))
        self.m.rbd_objects.append(
            {
                "pool": "images",
                "name": name,
                "kind": "orphan",
                "made_as": "client.glance",
                "snapshots": [SNAP],
                "size": len(data),
                "payload_sha256": hashlib.sha256(data).hexdigest(),
                "roles": ["orphan-rbd-no-glance-row"],
            }
        )

    def rbd_trash(self) -> None:
        """Delete, through Glance, an image whose RBD image has an extra snapshot.

        glance_store removes its own 'snap', then rbd remove fails with ImageHasSnapshots and
        it moves the image to the RBD trash instead: the Glance row is gone, the data is not.
        """
        data = random_bytes(2)
        img = self.glance.create("old-snapshot-holder", "raw", visibility="private")
        image_id = str(img["id"])
        self.glance.upload(image_id, data, "ceph")
        with (
            ceph_as(self.conf, "glance") as glance,
            glance.open_ioctx("images") as ioctx,
            rbd.Image(ioctx, image_id) as im,
        ):
            im.create_snap("backup-2024-01")
        self.glance.call("DELETE", f"/v2/images/{image_id}", expect=(204,))
        with ceph_as(self.conf, "ops") as ops, ops.open_ioctx("images") as ioctx:
            trash = {t["name"]: t["id"] for t in rbd.RBD().trash_list(ioctx)}
        if image_id not in trash:
            raise SeedError(f"images/{image_id} is not in the RBD trash after the Glance delete")
        self.m.rbd_objects.append(
            {
                "pool": "images",
                "name": image_id,
                "id": image_id,
                "kind": "trash",
                "trash_id": trash[image_id],
                "made_as": "client.glance (through Glance's DELETE)",
                "glance_id": image_id,
                "glance_status": "deleted",
                "owner": ADMIN_PROJECT,
                "disk_format": "raw",
                "stores": ["ceph"],
                "snapshots": ["backup-2024-01"],
                "size": len(data),
                "roles": ["in-rbd-trash", "glance-image-deleted"],
            }
        )

    # ------------------------------------------------------------------ run
    def run(self) -> dict[str, Any]:
        t0 = time.monotonic()
        self.step("base images (PUT /file)", self.base_images)
        self.step("glance-direct imports", self.direct_imports)
        self.step("copy-image to other stores", self.multi_store)
        self.step("duplicates by content", self.duplicates)
        self.step("deleted owner, states, sharing", self.special_states)
        self.step("nova + cinder clones", self.nova_and_cinder_clones)
        self.step("orphan rbd image", self.orphan_rbd)
        self.step("image left in rbd trash", self.rbd_trash)
        self.m.timings["total"] = round(time.monotonic() - t0, 2)
        return self.m.to_json()


def main() -> int:
    lab = Path(os.environ.get("IMAGEYARD_LAB", "/tmp/imageyard-lab"))
    env_file, manifest_file = lab / "lab.env", lab / "seed.json"
    if not env_file.is_file():
        print(f"seed: {env_file} not found - run 'bash lab/up' first", file=sys.stderr)
        return 1
    env = load_env(env_file)
    try:
        with tempfile.TemporaryDirectory(prefix="imageyard-seed-") as tmp:
            seeder = Seeder(env, Path(tmp))
            fsid = seeder.m.fsid
            if manifest_file.is_file():
                old = json.loads(manifest_file.read_text())
                if old.get("fsid") == fsid:
                    print(f"seed: {lab} is already seeded for cluster {fsid} ({manifest_file})")
                    return 0
            count = seeder.glance.count_images()
            if count:
                raise SeedError(
                    f"Glance already holds {count} image(s) but {manifest_file} does not describe"
                    " this cluster: run 'bash lab/up' for a fresh lab, then seed again"
                )
            print(f"seed: seeding {seeder.glance.url} and cluster {fsid}", flush=True)
            manifest = seeder.run()
    except SeedError as exc:
        print(f"seed FAILED: {exc}", file=sys.stderr)
        return 1
    tmp_file = manifest_file.with_suffix(".json.tmp")
    tmp_file.write_text(json.dumps(manifest, indent=2) + "\n")
    tmp_file.replace(manifest_file)
    images, objs = manifest["images"], manifest["rbd"]
    by_store: dict[str, int] = {}
    for img in images:
        for store in img["stores"]:
            by_store[store] = by_store.get(store, 0) + 1
    stores = ", ".join(f"{k} {v}" for k, v in sorted(by_store.items()))
    print(
        f"seed: {len(images)} Glance images ({stores}),"
        f" {len(objs)} RBD objects made directly, {len(manifest['roles'])} roles,"
        f" in {manifest['timings']['total']:.1f}s -> {manifest_file}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
