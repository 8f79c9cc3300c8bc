"""Builds the pass/fail fixtures of the copy-on-write and format rules, and checks them.

The fixtures under tests/fixtures/audit/<rule-id>/ for these rules are config files plus an
``inventory.json`` (images, Ceph clusters, source statuses) written by ``build()`` below.
``test_fixtures_are_current`` fails when a committed fixture differs from what the builder
writes; regenerate with ``.venv/bin/python tests/unit/audit/test_cow_fixture_builder.py``.
The small constructors here (``rbd_url``, ``raw_image``, ``cluster`` ...) are shared with
the verdict unit tests.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from imageyard.model.ceph import CephCluster, DetectedFormat, Pool, RbdImage, Snapshot
from imageyard.model.gap import SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.snapshot import dump_inventory

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "audit"
FSID_A = "aaaaaaaa-1111-4222-8333-444444444444"
FSID_B = "bbbbbbbb-1111-4222-8333-444444444444"
RAW_ID = "11111111-0000-4000-8000-000000000001"
QCOW_ID = "22222222-0000-4000-8000-000000000002"
FILE_ID = "33333333-0000-4000-8000-000000000003"
MIB = 1 << 20

GLANCE = """\
[DEFAULT]
enabled_backends = ceph:rbd, local:file{extra_backends}
show_image_direct_url = True
show_multiple_locations = True
{default_extra}
[glance_store]
default_backend = ceph

[ceph]
rbd_store_pool = images
rbd_store_ceph_conf = /etc/ceph/ceph.conf
weight = 100

[local]
filesystem_store_datadir = /srv/glance/local
weight = 10
{sections}"""

EDGE_SECTION = """
[edge]
rbd_store_pool = images
rbd_store_ceph_conf = /etc/ceph/edge.conf
weight = 50
"""

NOVA = """\
[DEFAULT]
host = compute-1

[libvirt]
images_type = rbd
images_rbd_pool = vms
images_rbd_ceph_conf = /etc/ceph/{cluster}.conf
rbd_user = nova
{extra}"""

CINDER = """\
[DEFAULT]
enabled_backends = rbd-1

[rbd-1]
volume_driver = cinder.volume.drivers.rbd.RBDDriver
rbd_pool = volumes
rbd_ceph_conf = /etc/ceph/ceph.conf
rbd_user = cinder
"""

CEPH = """\
[global]
fsid = {fsid}
mon_host = 192.0.2.1
"""


def rbd_url(image_id: str, fsid: str = FSID_A, pool: str = "images", snap: str = "snap") -> str:
    """``rbd://fsid/pool/image/snap``."""
    return f"rbd://{fsid}/{pool}/{image_id}/{snap}"


def image(
    image_id: str,
    disk_format: str,
    *locations: tuple[str, str],
    name: str = "",
    status: str = "active",
) -> Image:
    """An image with (url, store) locations."""
    locs = tuple(Location.from_url(url, store) for url, store in locations)
    return Image(
        id=image_id,
        name=name or f"{disk_format}-image",
        status=status,
        disk_format=disk_format,
        container_format="bare",
        size=64 * MIB,
        virtual_size=256 * MIB if disk_format != "raw" else 64 * MIB,
        stores=tuple(dict.fromkeys(store for _, store in locations)),
        locations=locs,
        direct_url=locs[0].url if locs else None,
    )


def raw_image(image_id: str = RAW_ID, fsid: str = FSID_A, store: str = "ceph") -> Image:
    """A raw image with one rbd location."""
    return image(image_id, "raw", (rbd_url(image_id, fsid), store))


def rbd_image(
    name: str, *, snap: bool = True, detected: DetectedFormat | None = None, pool: str = "images"
) -> RbdImage:
    """An RBD image (with its protected ``snap`` unless told otherwise)."""
    snaps = (Snapshot(name="snap", id=4, size=64 * MIB, protected=True),) if snap else ()
    return RbdImage(
        pool=pool, name=name, id=name[:12], size=64 * MIB, snapshots=snaps, detected_format=detected
    )


def cluster(fsid: str = FSID_A, *images: RbdImage) -> CephCluster:
    """A cluster with an ``images`` pool holding ``images`` and an empty ``vms`` pool."""
    return CephCluster(fsid=fsid, pools=(Pool(name="images", images=images), Pool(name="vms")))


def collected(*images: Image, clusters: tuple[CephCluster, ...] = ()) -> Inventory:
    """The Glance and Ceph part of an inventory (both sources complete)."""
    return Inventory(
        images=images,
        ceph_clusters=clusters,
        import_methods=("glance-direct", "web-download", "copy-image"),
        sources=(
            SourceStatus("glance", True, len(images)),
            SourceStatus("ceph", True, sum(len(p.images) for c in clusters for p in c.pools)),
        ),
    )


def with_projects(inv: Inventory, *project_ids: str) -> Inventory:
    """``inv`` plus a complete Keystone project list."""
    projects = tuple(Project(id=p, name=p, domain_id="default") for p in project_ids)
    status = SourceStatus("keystone", True, len(projects))
    return replace(inv, projects=projects, sources=(*inv.sources, status))


def owned(img: Image, owner: str) -> Image:
    """``img`` owned by project ``owner``."""
    return replace(img, owner=owner)


QCOW2 = DetectedFormat("qcow2", snapshot="snap", version=3)
QCOW2_BACKING = DetectedFormat("qcow2", snapshot="snap", version=3, has_backing_file=True)
RAW = DetectedFormat("raw", snapshot="snap")


def _configs(
    *, edge: bool = False, nova_cluster: str = "ceph", nova_extra: str = "", formats: str = ""
) -> dict[str, str]:
    glance = GLANCE.format(
        extra_backends=", edge:rbd" if edge else "",
        default_extra="",
        sections=(EDGE_SECTION if edge else "")
        + (f"\n[image_format]\ndisk_formats = {formats}\n" if formats else ""),
    )
    files = {
        "glance-api.conf": glance,
        "nova.conf": NOVA.format(cluster=nova_cluster, extra=nova_extra),
        "cinder.conf": CINDER,
        "ceph/ceph.conf": CEPH.format(fsid=FSID_A),
    }
    if edge:
        files["ceph/edge.conf"] = CEPH.format(fsid=FSID_B)
    return files


Case = tuple[dict[str, str], Inventory, tuple[str, ...]]


def _qcow_in_ceph() -> Image:
    return image(QCOW_ID, "qcow2", (rbd_url(QCOW_ID), "ceph"), name="centos-qcow2")


def _file_only() -> Image:
    return image(FILE_ID, "raw", (f"file:///srv/glance/local/{FILE_ID}", "local"), name="raw-file")


def _driver_errors() -> tuple[Image, ...]:
    """A location in a pool the cluster lacks, and an unprotected snapshot (v1 clones)."""
    gone = rbd_url(QCOW_ID).replace("/images/", "/gone/")
    return (
        image(QCOW_ID, "raw", (gone, "ceph"), name="raw-in-missing-pool"),
        image(FILE_ID, "raw", (rbd_url(FILE_ID), "ceph"), name="raw-unprotected-snap"),
    )


def _v1_cluster() -> CephCluster:
    """Cluster A below mimic (v1 clones), every pool listed; FILE_ID's snap unprotected."""
    unprotected = replace(
        rbd_image(FILE_ID), snapshots=(Snapshot(name="snap", id=4, size=64 * MIB),)
    )
    return replace(
        cluster(FSID_A, rbd_image(RAW_ID), unprotected),
        pool_names=("images", "vms", "volumes"),
        require_min_compat_client="luminous",
    )


def cases() -> dict[tuple[str, str], Case]:
    """Every fixture: (rule id, case) -> (config files, collected part, expected resources)."""
    ceph_a = cluster(FSID_A, rbd_image(RAW_ID, detected=RAW), rbd_image(QCOW_ID, detected=QCOW2))
    both = ("nova:nova.conf", "cinder:rbd-1")
    return {
        ("cow-not-eligible", "pass-raw-in-cluster"): (
            _configs(),
            collected(raw_image(), clusters=(ceph_a,)),
            (),
        ),
        ("cow-not-eligible", "fail-qcow2-and-file-only"): (
            _configs(),
            collected(raw_image(), _qcow_in_ceph(), _file_only(), clusters=(ceph_a,)),
            tuple(f"image {i}@{c}" for i in (QCOW_ID, FILE_ID) for c in both),
        ),
        ("cow-not-eligible", "fail-compute-in-other-cluster"): (
            _configs(
                edge=True, nova_cluster="edge", nova_extra="images_rbd_glance_store_name = edge\n"
            ),
            collected(raw_image(), clusters=(ceph_a,)),
            (f"image {RAW_ID}@nova:nova.conf",),
        ),
        ("cow-not-eligible", "fail-missing-pool-and-unprotected-v1"): (
            _configs(),
            collected(*_driver_errors(), clusters=(_v1_cluster(),)),
            tuple(f"image {i.id}@{c}" for i in _driver_errors() for c in both),
        ),
        ("non-raw-in-rbd", "pass-raw-in-rbd-qcow2-on-file"): (
            _configs(),
            collected(
                raw_image(),
                image(QCOW_ID, "qcow2", (f"file:///srv/glance/local/{QCOW_ID}", "local")),
                clusters=(ceph_a,),
            ),
            (),
        ),
        ("non-raw-in-rbd", "fail-qcow2-in-rbd"): (
            _configs(),
            collected(raw_image(), _qcow_in_ceph(), clusters=(ceph_a,)),
            (f"image {QCOW_ID}",),
        ),
        ("raw-label-mismatch", "pass-raw-data"): (
            _configs(),
            collected(raw_image(), clusters=(ceph_a,)),
            (),
        ),
        ("raw-label-mismatch", "fail-qcow2-labelled-raw"): (
            _configs(),
            collected(raw_image(), clusters=(cluster(FSID_A, rbd_image(RAW_ID, detected=QCOW2)),)),
            (f"image {RAW_ID}",),
        ),
        ("qcow2-backing-file", "pass-no-backing-file"): (
            _configs(),
            collected(_qcow_in_ceph(), clusters=(ceph_a,)),
            (),
        ),
        ("qcow2-backing-file", "fail-backing-file"): (
            _configs(),
            collected(
                _qcow_in_ceph(),
                clusters=(cluster(FSID_A, rbd_image(QCOW_ID, detected=QCOW2_BACKING)),),
            ),
            (f"image {QCOW_ID}",),
        ),
        ("image-owner-deleted", "pass-every-owner-exists"): (
            _configs(),
            with_projects(
                collected(owned(raw_image(), "proj-a"), owned(_qcow_in_ceph(), "proj-b")),
                "proj-a",
                "proj-b",
            ),
            (),
        ),
        ("image-owner-deleted", "fail-owner-deleted"): (
            _configs(),
            with_projects(
                collected(owned(raw_image(), "proj-a"), owned(_qcow_in_ceph(), "proj-gone")),
                "proj-a",
            ),
            (f"image {QCOW_ID}",),
        ),
        ("disk-format-not-allowed", "pass-only-allowed-formats"): (
            _configs(formats="raw,iso"),
            collected(raw_image(), clusters=(ceph_a,)),
            (),
        ),
        ("disk-format-not-allowed", "fail-qcow2-not-allowed"): (
            _configs(formats="raw,iso"),
            collected(raw_image(), _qcow_in_ceph(), clusters=(ceph_a,)),
            (f"image {QCOW_ID}",),
        ),
    }


def rendered(case: Case) -> dict[str, str]:
    """The files of one fixture directory, by relative path."""
    files, inv, expected = case
    out = {
        name: f"# fixture written by test_cow_fixture_builder.py\n{text}"
        for name, text in files.items()
    }
    out["inventory.json"] = dump_inventory(inv)
    if expected:
        out["expected-resources.txt"] = "".join(f"{r}\n" for r in expected)
    return out


def build() -> None:
    """Write every fixture directory."""
    for (rule_id, name), case in cases().items():
        base = FIXTURES / rule_id / name
        for rel, text in rendered(case).items():
            (base / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / rel).write_text(text)


def test_fixtures_are_current() -> None:
    for (rule_id, name), case in cases().items():
        base = FIXTURES / rule_id / name
        for rel, text in rendered(case).items():
            assert (base / rel).read_text() == text, f"{rule_id}/{name}/{rel} is stale"


if __name__ == "__main__":
    build()
