"""convert-to-raw reading the source in place from its RBD snapshot, or falling back to the
download; against an in-memory Glance, a fake cluster that hands qemu a local file, and the
real qemu-nbd."""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance
from plan_support import QCOW2_IN_CEPH
from test_apply_convert import make_case

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.convert import MARKER
from imageyard.apply.engine import ApplyOptions, Engine
from imageyard.apply.glance import StepError
from imageyard.apply.journal import Journal
from imageyard.apply.rbd_source import choose, qemu_rbd_name
from imageyard.model.location import RbdLocation, parse_location

FSID = "f0a2a2bf-6b53-4880-8101-6244c088265f"
URL = f"rbd://{FSID}/images/{QCOW2_IN_CEPH}/snap"

pytestmark = pytest.mark.skipif(not shutil.which("qemu-nbd"), reason="needs qemu-nbd")


@dataclass
class FakeCeph:
    """A cluster whose snapshots are local files (qemu opens the path it is given)."""

    files: dict[str, Path]
    cluster_fsid: str = FSID
    read: list[str] = field(default_factory=list)

    def fsid(self) -> str:
        return self.cluster_fsid

    def snapshot_digest(self, loc: RbdLocation, algo: str) -> tuple[int, str]:
        self.read.append(f"{loc.pool}/{loc.image}@{loc.snapshot}")
        if loc.image not in self.files:
            raise StepError(f"rbd {loc.pool}/{loc.image}: No such file or directory")
        data = self.files[loc.image].read_bytes()
        return len(data), hashlib.new(algo, data).hexdigest()

    def qemu_source(self, loc: RbdLocation) -> str:
        return str(self.files.get(loc.image, "/nonexistent/source.qcow2"))


@pytest.fixture
def setup(tmp_path: Path) -> tuple[FakeGlance, bytes, object]:
    return make_case(tmp_path)


def _in_ceph(glance: FakeGlance, url: str = URL) -> None:
    glance.images[QCOW2_IN_CEPH]["locations"] = [{"url": url, "metadata": {"store": "ceph"}}]


def _no_download(glance: FakeGlance, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []
    real = glance.download

    def download(image_id: str) -> Any:
        asked.append(image_id)
        return real(image_id)

    monkeypatch.setattr(glance, "download", download)
    return asked


def _run(glance: FakeGlance, plan: Any, ceph: Any, journal: Path) -> tuple[Any, list[str]]:
    lines: list[str] = []
    log = Journal.open(str(journal), plan.fingerprint)
    try:
        ctx = StepContext(glance, ceph=ceph)
        outcome = Engine(plan, ctx, log, ApplyOptions(), lines.append).run()
    finally:
        log.close()
    return outcome, lines


def _notes(journal: Path, plan: Any) -> list[str]:
    """The notes of the convert-to-raw steps' ``done`` lines."""
    ids = {a.id for a in plan.actions if a.kind == "convert-to-raw"}
    lines = [json.loads(x) for x in journal.read_text().splitlines()[1:]]
    return [e.get("note", "") for e in lines if e["id"] in ids and e["event"] == "done"]


def _converted(glance: FakeGlance) -> bytes:
    [new] = [d for d in glance.images.values() if d.get(MARKER) == QCOW2_IN_CEPH]
    return glance.data[new["id"]]


def test_a_source_in_the_reachable_cluster_is_read_in_place_never_downloaded(  # type: ignore[no-untyped-def]
    setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    glance, raw, plan = setup
    _in_ceph(glance)
    asked = _no_download(glance, monkeypatch)
    ceph = FakeCeph({QCOW2_IN_CEPH: tmp_path / "disk.qcow2"})
    outcome, lines = _run(glance, plan, ceph, tmp_path / "j")
    assert outcome.complete and asked == [] and _converted(glance) == raw
    assert ceph.read == [f"images/{QCOW2_IN_CEPH}@snap"]
    assert _notes(tmp_path / "j", plan) == [f"source read in place from {URL}"]
    assert any(line.endswith(f": done (source read in place from {URL})") for line in lines)


@pytest.mark.parametrize(
    ("ceph_fsid", "url", "why"),
    [
        ("0" * 8 + FSID[8:], URL, "no rbd location in the cluster of --ceph-conf"),
        (FSID, f"rbd://{QCOW2_IN_CEPH}", "its rbd location names no cluster, pool and snapshot"),
        (FSID, f"file:///var/lib/glance/images/{QCOW2_IN_CEPH}", "no rbd location"),
    ],
)
def test_other_clusters_legacy_and_other_stores_fall_back_to_the_download(  # type: ignore[no-untyped-def]
    setup,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    ceph_fsid: str,
    url: str,
    why: str,
) -> None:
    glance, raw, plan = setup
    _in_ceph(glance, url)
    asked = _no_download(glance, monkeypatch)
    ceph = FakeCeph({QCOW2_IN_CEPH: tmp_path / "disk.qcow2"}, ceph_fsid)
    outcome, _ = _run(glance, plan, ceph, tmp_path / "j")
    assert outcome.complete and asked == [QCOW2_IN_CEPH] and _converted(glance) == raw
    assert ceph.read == []
    [note] = _notes(tmp_path / "j", plan)
    assert note.startswith(f"source downloaded ({why}")


def test_no_ceph_conf_and_a_snapshot_qemu_cannot_open_fall_back_too(  # type: ignore[no-untyped-def]
    setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    glance, raw, plan = setup
    _in_ceph(glance)
    asked = _no_download(glance, monkeypatch)
    ceph = FakeCeph({QCOW2_IN_CEPH: tmp_path / "disk.qcow2"})
    monkeypatch.setattr(ceph, "qemu_source", lambda loc: str(tmp_path / "missing.qcow2"))
    outcome, _ = _run(glance, plan, ceph, tmp_path / "j")
    assert outcome.complete and asked == [QCOW2_IN_CEPH] and _converted(glance) == raw
    [note] = _notes(tmp_path / "j", plan)
    assert note.startswith("source downloaded (qemu-nbd failed: ") and "missing.qcow2" in note
    assert choose(glance.images[QCOW2_IN_CEPH], None) == ("no --ceph-conf to read RBD with", None)


def test_a_snapshot_that_differs_from_the_image_is_not_converted(  # type: ignore[no-untyped-def]
    setup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    glance, _, plan = setup
    _in_ceph(glance)
    asked = _no_download(glance, monkeypatch)
    bad = tmp_path / "bad.qcow2"
    data = (tmp_path / "disk.qcow2").read_bytes()
    bad.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    outcome, _ = _run(glance, plan, FakeCeph({QCOW2_IN_CEPH: bad}), tmp_path / "j")
    assert outcome.failed and "os_hash_value" in outcome.failed[0][1]
    assert asked == [] and not [c for c in glance.calls if c[0] == "upload"]
    assert glance.images[QCOW2_IN_CEPH]["os_hidden"] is False


def test_the_qemu_name_escapes_what_its_rbd_driver_splits_on() -> None:
    loc = parse_location("rbd://fs/po%3Aol/im%40g/sn%5Cap")
    assert isinstance(loc, RbdLocation)
    name = qemu_rbd_name(loc, "/etc/ceph/a:b.conf", "glance")
    assert name == r"rbd:po\:ol/im\@g@sn\\ap:conf=/etc/ceph/a\:b.conf:id=glance"
    assert qemu_rbd_name(loc, "/c", None) == r"rbd:po\:ol/im\@g@sn\\ap:conf=/c"
