"""boot_path for the driver-level outcomes: missing pools, cephx caps, unprotected snapshots.

Each case states what the real nova ``RBDDriver`` / cinder ``RBDDriver`` does (read in their
code, compared with it on the lab by tests/lab/test_lab_paths_upstream.py) and checks the
verdict.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from test_cow_fixture_builder import FSID_A, RAW_ID, cluster, raw_image, rbd_image, rbd_url
from test_cow_verdict import cinder, inv, nova

from imageyard.audit.cow import BootPath, boot_path
from imageyard.audit.cow.caps import Access, pool_access
from imageyard.model.ceph import CephCluster, CephxCaps, Snapshot
from imageyard.model.config import CephConfig, ConfigValue, DeploymentConfig
from imageyard.model.finding import Confidence
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

NOVA_CAPS = CephxCaps("client.nova", osd="profile rbd pool=vms, profile rbd-read-only pool=images")
CINDER_CAPS = CephxCaps("client.cinder", osd="profile rbd pool=volumes, profile rbd pool=images")


def lab(
    img: Image,
    *,
    protected: bool = True,
    compat: str | None = "luminous",
    caps: tuple[CephxCaps, ...] = (NOVA_CAPS, CINDER_CAPS),
    pools: tuple[str, ...] | None = ("images", "vms", "volumes"),
    clone_format: str | None = None,
) -> Inventory:
    base = inv(img)
    snap = Snapshot(name="snap", id=4, size=1, protected=protected)
    ceph = replace(
        cluster(FSID_A, replace(rbd_image(img.id), snapshots=(snap,))),
        pool_names=pools,
        require_min_compat_client=compat,
        cephx=caps,
    )
    conf = CephConfig(
        path="/etc/ceph/ceph.conf",
        fsid=ConfigValue("global", "fsid", FSID_A, "/etc/ceph/ceph.conf", 2),
        clone_formats=(
            (
                ConfigValue(
                    "client", "rbd_default_clone_format", clone_format, "/etc/ceph/ceph.conf", 9
                ),
            )
            if clone_format
            else ()
        ),
    )
    config = replace(base.config, ceph=(conf,))
    return replace(base, ceph_clusters=(ceph,), config=config)


def test_known_caps_and_protected_snapshot_clone_with_high_confidence() -> None:
    img = raw_image()
    v = boot_path(img, nova(), lab(img))
    assert v.path is BootPath.CLONE and v.confidence is Confidence.HIGH, v.notes
    assert v.cause == "cloneable" and v.location == rbd_url(RAW_ID)


def test_caps_not_read_keep_the_clone_at_medium_saying_so() -> None:
    img = raw_image()
    v = boot_path(img, nova(), lab(img, caps=()))
    assert v.path is BootPath.CLONE and v.confidence is Confidence.MEDIUM
    assert any(n.startswith("unknown: caps not read") for n in v.notes)


def test_missing_pool_is_an_error_not_a_fallback() -> None:
    url = rbd_url(RAW_ID).replace("/images/", "/gone/")
    img = replace(raw_image(), locations=(replace(raw_image().locations[0], url=url),))
    for consumer in (nova(), cinder()):
        v = boot_path(img, consumer, lab(img))
        assert v.path is BootPath.ERROR and v.cause == "missing-pool", v.reasons
        assert "rados.ObjectNotFound" in v.reasons[-1] and v.location == url


def test_pool_list_not_read_does_not_decide_a_missing_pool() -> None:
    url = rbd_url(RAW_ID).replace("/images/", "/gone/")
    img = replace(raw_image(), locations=(replace(raw_image().locations[0], url=url),))
    v = boot_path(img, nova(), lab(img, pools=None))
    assert v.path is not BootPath.ERROR


def test_consumer_pool_missing_is_an_error() -> None:
    img = raw_image()
    v = boot_path(img, nova(pool="ephemeral"), lab(img))
    assert v.path is BootPath.ERROR and v.cause == "consumer-pool-missing"


def test_pool_the_consumer_cannot_read_downloads() -> None:
    img = raw_image()
    no_read = CephxCaps("client.nova", osd="profile rbd pool=vms")
    v = boot_path(img, nova(), lab(img, caps=(no_read, CINDER_CAPS)))
    assert v.path is BootPath.DOWNLOAD and v.cause == "no-read-caps"
    assert "rbd.PermissionError" in v.reasons[0]
    assert boot_path(img, cinder(), lab(img, caps=(no_read, CINDER_CAPS))).path is BootPath.CLONE


@pytest.mark.parametrize(
    ("compat", "fmt", "path"),
    [
        ("luminous", None, BootPath.ERROR),  # auto below mimic: v1, needs protection
        ("mimic", None, BootPath.CLONE),  # auto from mimic: v2
        ("luminous", "2", BootPath.CLONE),  # the client forces v2
        ("reef", "1", BootPath.ERROR),  # the client forces v1
        (None, None, BootPath.UNKNOWN),  # compat level not read
    ],
)
def test_unprotected_snapshot_follows_the_clone_format(
    compat: str | None, fmt: str | None, path: BootPath
) -> None:
    img = raw_image()
    for consumer in (nova(), cinder(ceph_conf="/etc/ceph/ceph.conf")):
        v = boot_path(img, consumer, lab(img, protected=False, compat=compat, clone_format=fmt))
        assert v.path is path, v.reasons
    protected = boot_path(img, nova(), lab(img, protected=True, compat=compat, clone_format=fmt))
    assert protected.path is BootPath.CLONE


def test_unprotected_v1_error_names_invalid_argument() -> None:
    img = raw_image()
    v = boot_path(img, nova(), lab(img, protected=False))
    assert v.cause == "unprotected-snap-v1" and "rbd.InvalidArgument" in v.reasons[-1]


def test_no_write_caps_on_the_consumer_pool_is_an_error() -> None:
    img = raw_image()
    read_only = CephxCaps("client.nova", osd="profile rbd-read-only")
    v = boot_path(img, nova(), lab(img, caps=(read_only,)))
    assert v.path is BootPath.ERROR and v.cause == "no-write-caps"


@pytest.mark.parametrize(
    ("caps", "pool", "write", "access"),
    [
        ("profile rbd pool=images", "images", True, Access.YES),
        ("profile rbd pool=images", "vms", False, Access.NO),
        ("profile rbd-read-only pool=images", "images", False, Access.YES),
        ("profile rbd-read-only pool=images", "images", True, Access.NO),
        ("allow r pool=images", "images", False, Access.NO),  # no class-read: EPERM on open
        ("allow rx pool=images", "images", False, Access.YES),
        ("allow r class-read pool=images", "images", False, Access.YES),
        ("allow rwx", "anything", True, Access.YES),
        ("allow *", "anything", True, Access.YES),
        ("allow rwx pool images", "images", True, Access.YES),
        ("allow rx pool=images namespace=tenant1", "images", False, Access.NO),
        ("allow rx pool=images namespace=*", "images", False, Access.YES),
        ("allow rwx object_prefix rbd_children", "images", False, Access.NO),
        ("profile osd", "images", False, Access.UNSURE),
        ("profile rbd pool=vms; profile rbd-read-only pool=images", "images", False, Access.YES),
        ("", "images", False, Access.NO),
    ],
)
def test_osd_caps(caps: str, pool: str, write: bool, access: Access) -> None:
    assert pool_access(caps, pool, write=write) is access


def test_clone_format_reads_the_users_own_section_first() -> None:
    path = "/etc/ceph/ceph.conf"
    conf = CephConfig(
        path=path,
        clone_formats=(
            ConfigValue("global", "rbd_default_clone_format", "1", path, 3),
            ConfigValue("client.nova", "rbd_default_clone_format", "2", path, 9),
        ),
    )
    nova_value = conf.clone_format("client.nova")
    cinder_value = conf.clone_format("client.cinder")
    assert nova_value is not None and nova_value.value == "2"
    assert cinder_value is not None and cinder_value.value == "1"
    assert CephConfig(path=path).clone_format("client.nova") is None
    assert isinstance(DeploymentConfig(), DeploymentConfig)


def test_has_pool_is_unknown_without_the_pool_list() -> None:
    c = CephCluster(fsid=FSID_A)
    assert c.has_pool("images") is None
    assert replace(c, pool_names=("images",)).has_pool("images") is True
    assert replace(c, pool_names=("images",)).has_pool("vms") is False


def test_two_same_cluster_locations_of_equal_weight_lower_confidence() -> None:
    good = raw_image().locations[0]
    other = replace(good, url=rbd_url(RAW_ID).replace("/images/", "/vms/"))
    img = replace(raw_image(), locations=(good, other))
    v = boot_path(img, nova(), lab(img))
    assert v.path is BootPath.CLONE and v.confidence is Confidence.MEDIUM
    assert any("same store weight" in n for n in v.notes)
    single = boot_path(raw_image(), nova(), lab(raw_image()))
    assert not any("same store weight" in n for n in single.notes)
