"""Header detection (magic numbers) and the Ceph collector's header inspection step."""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

import pytest

from imageyard.collect.base import NullProgress
from imageyard.collect.ceph import CephCollector, CephError, ClusterTarget
from imageyard.collect.ceph.client import HeaderReader, ImageRef, PoolRecord, RbdClient
from imageyard.collect.ceph.header import detect_format
from imageyard.model.ceph import DetectedFormat, RbdImage, Snapshot, TrashEntry
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store, StoreSource, StoreType


def qcow2(version: int = 3, backing: int = 0, incompatible: int = 0) -> bytes:
    head = b"QFI\xfb" + struct.pack(">IQI", version, backing, 0)
    head = head.ljust(72, b"\0") + struct.pack(">Q", incompatible)
    return head.ljust(512, b"\0")


@pytest.mark.parametrize(
    ("head", "probe", "expected"),
    [
        (qcow2(), b"", DetectedFormat("qcow2", version=3)),
        (qcow2(2, backing=0x200), b"", DetectedFormat("qcow2", version=2, has_backing_file=True)),
        (qcow2(incompatible=4), b"", DetectedFormat("qcow2", version=3, has_data_file=True)),
        (b"KDMV" + b"\0" * 508, b"", DetectedFormat("vmdk")),
        (b"# Disk DescriptorFile\n", b"", DetectedFormat("vmdk")),
        (b"vhdxfile" + b"\0" * 504, b"", DetectedFormat("vhdx")),
        (b"conectix" + b"\0" * 504, b"", DetectedFormat("vhd")),
        (b"\0" * 0x40 + b"\x7f\x10\xda\xbe" + b"\0" * 444, b"", DetectedFormat("vdi")),
        (b"\0" * 512, b"CD001", DetectedFormat("iso")),
        (b"\xeb\x63\x90" + b"\0" * 509, b"", DetectedFormat("raw")),
        (b"", b"", DetectedFormat("unknown")),
    ],
)
def test_detect_format(head: bytes, probe: bytes, expected: DetectedFormat) -> None:
    assert detect_format(head, probe) == expected


FSID = "f102af85-6b54-45c1-bdd4-07823ea598bb"
IMG = RbdImage(
    pool="images", name="img-a", id="1", size=8, snapshots=(Snapshot("snap", 4, 8, True),)
)
DISK = RbdImage(pool="vms", name="disk", id="2", size=8)


@dataclass
class Client:
    calls: list[str] = field(default_factory=list)
    fail: bool = False

    def fsid(self) -> str:
        return FSID

    def pools(self) -> tuple[PoolRecord, ...]:
        return (PoolRecord("images", 1, ("rbd",)), PoolRecord("vms", 2, ("rbd",)))

    def images(self, pool: str) -> tuple[ImageRef, ...]:
        return (ImageRef(IMG.name, IMG.id),) if pool == "images" else (ImageRef("disk", "2"),)

    def image(self, pool: str, ref: ImageRef, *, watchers: bool) -> RbdImage:
        return IMG if pool == "images" else DISK

    def snapshots(self, pool: str, name: str) -> tuple[Snapshot, ...]:
        return ()

    def trash(self, pool: str) -> tuple[TrashEntry, ...]:
        return ()

    def close(self) -> None:
        pass

    def read_header(self, pool: str, name: str, snapshot: str | None) -> DetectedFormat | None:
        self.calls.append(f"{pool}/{name}@{snapshot}")
        if self.fail:
            raise CephError("read failed", errno=1)
        return DetectedFormat("qcow2", snapshot=snapshot, version=3)


def _run(client: Client, inv: Inventory, **kw: object) -> Inventory:
    def factory(target: ClusterTarget, timeout: float) -> RbdClient:
        return client

    collector = CephCollector(
        clusters=(ClusterTarget("/etc/ceph/ceph.conf", "ops"),),
        client_factory=factory,
        **kw,  # type: ignore[arg-type]
    )
    return collector.collect(inv, NullProgress())


GLANCE_STORE = Store("ceph", StoreType.RBD, StoreSource.CONFIG, rbd_pool="images", rbd_fsid=FSID)


def test_headers_read_for_glance_pools_at_snap() -> None:
    client = Client()
    assert isinstance(client, HeaderReader)
    out = _run(client, Inventory(stores=(GLANCE_STORE,)))
    images, vms = out.ceph_clusters[0].pools
    assert client.calls == ["images/img-a@snap"]
    assert images.images[0].detected_format == DetectedFormat("qcow2", "snap", 3)
    assert vms.images[0].detected_format is None


def test_headers_for_every_pool_when_no_store_known_and_skippable() -> None:
    client = Client()
    _run(client, Inventory())
    assert client.calls == ["images/img-a@snap", "vms/disk@None"]
    skipped = Client()
    _run(skipped, Inventory(), headers=False)
    assert skipped.calls == []


def test_failed_header_read_is_a_note_not_a_gap() -> None:
    out = _run(Client(fail=True), Inventory(stores=(GLANCE_STORE,)))
    assert out.is_complete("ceph")
    assert out.ceph_clusters[0].pools[0].images[0].detected_format is None
    status = out.source_status("ceph")
    assert status is not None and "headers could not be read" in status.detail
