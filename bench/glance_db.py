"""A realistic Glance catalog written straight into a Glance PostgreSQL database.

Creating 100,000 images through the API takes hours; writing their rows takes seconds. The
rows are the ones Glance itself would have written (``images``, ``image_properties``,
``image_locations`` with the store in ``meta_data``, ``image_members``, ``image_tags``), in
proportions seen in production clouds: mostly active private images, a third shared with
one to three projects, a few public, community and hidden ones, queued, deactivated, killed
and deleted rows, snapshots with their instance properties, one location per image and a
second store copy for some. The generator is seeded, so a catalog of N images is always the
same catalog. ``expected()`` says what an admin listing must return.

The database is expected to be a bench database of its own (``glance_server``), so the
cleanup is exact: the rows go with the database.
"""

from __future__ import annotations

import hashlib
import json
import random
import subprocess
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

BENCH_FSID = "0b3e5c1a-5e1d-4c1b-9d1f-00000000b3c4"
# (value, weight) tables: the shape of the catalog
VISIBILITY = (("private", 55), ("shared", 35), ("public", 5), ("community", 5))
STATUS = (
    ("active", 900), ("queued", 30), ("deactivated", 20), ("killed", 10),
    ("pending_delete", 10), ("importing", 10), ("uploading", 10), ("saving", 10),
)  # fmt: skip
DISK_FORMAT = (("raw", 55), ("qcow2", 35), ("iso", 5), ("vmdk", 5))
STORE = (("ceph", 70), ("fast", 10), ("cheap", 10), ("s3", 5), ("swift", 5))
MEMBER_STATUS = (("accepted", 70), ("pending", 20), ("rejected", 10))
DISTROS = (("ubuntu", "22.04"), ("ubuntu", "24.04"), ("centos", "9"), ("debian", "12"),
           ("rocky", "9"), ("windows", "2022"), ("fedora", "40"))  # fmt: skip
HIDDEN_SHARE = 0.05
DELETED_SHARE = 0.05  # deleted rows on top of the N listed images (never listed)
SNAPSHOT_SHARE = 0.3
SECOND_COPY_SHARE = 0.15
PROJECTS = 200
_DATA_STATES = frozenset({"active", "deactivated", "importing", "uploading", "pending_delete"})
_T0 = datetime(2021, 1, 1)


@dataclass
class Rows:
    """The rows of each table, as COPY text lines."""

    images: list[str] = field(default_factory=list)
    properties: list[str] = field(default_factory=list)
    locations: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    listed: int = 0  # images an admin listing returns (neither deleted nor killed)
    shared: int = 0  # listed images with visibility shared
    hidden: int = 0  # listed images with os_hidden


def _pick(rng: random.Random, table: Sequence[tuple[str, int]]) -> str:
    return rng.choices([v for v, _ in table], [w for _, w in table])[0]


def _copy_line(values: Sequence[object]) -> str:
    def cell(v: object) -> str:
        if v is None:
            return r"\N"
        if isinstance(v, bool):
            return "t" if v else "f"
        return str(v).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")

    return "\t".join(cell(v) for v in values)


def _stamp(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S.%f")


def _url(store: str, image_id: str) -> str:
    return {
        "ceph": f"rbd://{BENCH_FSID}/images/{image_id}/snap",
        "fast": f"file:///var/lib/glance/fast/{image_id}",
        "cheap": f"file:///var/lib/glance/cheap/{image_id}",
        "s3": f"s3://127.0.0.1:7480/imageyard-bench-s3/{image_id}",
        "swift": f"swift+config://ref1/imageyard-bench-swift/{image_id}",
    }[store]


class CatalogWriter:
    """Builds the rows of one catalog, image by image (``rows(n)``)."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.out = Rows()
        self.projects = [uuid.UUID(int=self.rng.getrandbits(128)).hex for _ in range(PROJECTS)]

    def rows(self, images: int) -> Rows:
        deleted = int(images * DELETED_SHARE)
        for i in range(images + deleted):
            self._image(i, deleted=i >= images)
        return self.out

    def _owner(self) -> str:
        # a few projects own most images
        return self.projects[min(int(self.rng.paretovariate(1.2)) - 1, PROJECTS - 1)]

    def _image(self, i: int, *, deleted: bool) -> None:
        rng = self.rng
        image_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        created = _T0 + timedelta(seconds=i * 600 + rng.randrange(600))
        status = "deleted" if deleted else _pick(rng, STATUS)
        visibility = _pick(rng, VISIBILITY)
        hidden = rng.random() < HIDDEN_SHARE
        has_data = status in _DATA_STATES
        size = rng.randrange(1, 40) * 2**30 + rng.randrange(2**20) if has_data else None
        digest = hashlib.sha512(image_id.encode()).hexdigest() if has_data else None
        checksum = hashlib.md5(image_id.encode()).hexdigest() if has_data else None
        when = _stamp(created)
        self.out.images.append(_copy_line((
            image_id, f"image-{i:07d}", size, status, when, when,
            when if deleted else None, deleted, _pick(rng, DISK_FORMAT), "bare", checksum,
            self._owner(), rng.choice((0, 10, 20, 40)), 0, rng.random() < 0.02,
            size, visibility, hidden, "sha512" if has_data else None, digest,
        )))  # fmt: skip
        self._properties(image_id, when, deleted)
        if has_data or deleted:
            self._locations(image_id, when, deleted)
        if visibility == "shared":
            self._members(image_id, when, deleted)
        if rng.random() < 0.3:
            for tag in rng.sample(("golden", "ci", "gpu", "windows", "legacy"), rng.randint(1, 2)):
                self.out.tags.append(_copy_line((image_id, tag, when, when, None, deleted)))
        if not deleted and status != "killed":  # Glance never lists killed images
            self.out.listed += 1
            self.out.shared += visibility == "shared"
            self.out.hidden += hidden

    def _properties(self, image_id: str, when: str, deleted: bool) -> None:
        rng = self.rng
        distro, version = rng.choice(DISTROS)
        props = {"os_distro": distro, "os_version": version, "os_type": "linux"}
        if rng.random() < 0.5:
            props |= {"hw_disk_bus": "scsi", "hw_scsi_model": "virtio-scsi"}
        if rng.random() < 0.3:
            props["hw_qemu_guest_agent"] = "yes"
        if rng.random() < SNAPSHOT_SHARE:
            props |= {
                "image_type": "snapshot",
                "instance_uuid": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "base_image_ref": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                "owner_user_name": f"user{rng.randrange(5000)}",
            }
        for name, value in props.items():
            row = (image_id, name, value, when, when, None, deleted)
            self.out.properties.append(_copy_line(row))

    def _locations(self, image_id: str, when: str, deleted: bool) -> None:
        first = _pick(self.rng, STORE)
        stores = [first]
        if self.rng.random() < SECOND_COPY_SHARE:
            stores.append(next(s for s, _ in STORE if s != first))
        for store in stores:
            status = "deleted" if deleted else "active"
            row = (image_id, _url(store, image_id), when, when, None, deleted,
                   json.dumps({"store": store}), status)  # fmt: skip
            self.out.locations.append(_copy_line(row))

    def _members(self, image_id: str, when: str, deleted: bool) -> None:
        for project in self.rng.sample(self.projects, self.rng.randint(1, 3)):
            row = (image_id, project, False, when, when, None, deleted,
                   _pick(self.rng, MEMBER_STATUS))  # fmt: skip
            self.out.members.append(_copy_line(row))


# ---------------------------------------------------------------- writing
COLUMNS = {
    "images": "id, name, size, status, created_at, updated_at, deleted_at, deleted, "
    "disk_format, container_format, checksum, owner, min_disk, min_ram, protected, "
    "virtual_size, visibility, os_hidden, os_hash_algo, os_hash_value",
    "image_properties": "image_id, name, value, created_at, updated_at, deleted_at, deleted",
    "image_locations": "image_id, value, created_at, updated_at, deleted_at, deleted, "
    "meta_data, status",
    "image_members": "image_id, member, can_share, created_at, updated_at, deleted_at, "
    "deleted, status",
    "image_tags": "image_id, value, created_at, updated_at, deleted_at, deleted",
}


@dataclass(frozen=True)
class Postgres:
    """One database on a PostgreSQL server, reached with the ``psql`` client."""

    host: str
    port: int
    user: str
    database: str

    def _args(self, database: str | None = None) -> list[str]:
        db = database or self.database
        return ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", self.host,
                "-p", str(self.port), "-U", self.user, "-d", db]  # fmt: skip

    def run(self, sql: str, *, database: str | None = None) -> str:
        proc = subprocess.run(
            [*self._args(database), "-At", "-c", sql],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"psql: {proc.stderr.strip()}")
        return proc.stdout

    def copy(self, table: str, lines: Iterator[str] | list[str]) -> None:
        data = "".join(f"{line}\n" for line in lines).encode()
        sql = f"\\copy {table} ({COLUMNS[table]}) FROM STDIN"
        proc = subprocess.run([*self._args(), "-c", sql], input=data, capture_output=True,
                              check=False)  # fmt: skip
        if proc.returncode != 0:
            raise RuntimeError(f"psql copy {table}: {proc.stderr.decode().strip()}")


def write_catalog(db: Postgres, rows: Rows) -> None:
    """COPY every row into ``db`` (a Glance schema)."""
    db.copy("images", rows.images)
    db.copy("image_properties", rows.properties)
    db.copy("image_locations", rows.locations)
    db.copy("image_members", rows.members)
    db.copy("image_tags", rows.tags)
    db.run("ANALYZE")


def counts(db: Postgres) -> dict[str, int]:
    """Rows per table of the catalog (to check a write or a cleanup)."""
    return {t: int(db.run(f"SELECT count(*) FROM {t}")) for t in COLUMNS}
