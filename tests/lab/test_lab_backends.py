"""The ``backends`` source and the RBD timestamps on the lab, with lab/seed_orphans.py's objects.

The orphans (and the healthy images beside them) are the ones ``make seed`` made
(``$IMAGEYARD_LAB/orphans.json``); on a lab seeded without them this module makes a small set
itself (20 healthy images) and removes it afterwards. Fault injection runs on a copy of the
lab's config directory: a wrong Swift key (401 from Keystone), a wrong S3 secret (403 from
radosgw) and a datadir that cannot be listed each turn exactly that store's listing
incomplete, with a gap.
"""

from __future__ import annotations

import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import Lab

from imageyard import cli
from imageyard.collect.base import NullProgress
from imageyard.model.inventory import Inventory
from imageyard.model.objects import StoreListing
from imageyard.model.snapshot import read_inventory

ROOT = Path(__file__).resolve().parents[2]
OBJECT_CLASSES = {
    "file-no-glance-image": "fast",
    "file-foreign": "cheap",
    "s3-no-glance-image": "s3",
    "swift-no-glance-image": "swift",
}


def collect(tmp_path: Path, etc: Path, *sources: str) -> Inventory:
    out = tmp_path / "inv.json"
    args = ["collect", "-q", "--config-dir", str(etc), "--sources", ",".join(sources)]
    code = cli.run([*args, "--ceph-user", "ops", "--allow-partial", "-o", str(out)])
    assert code == 0
    return read_inventory(str(out))


def listing(inv: Inventory, store: str) -> StoreListing:
    (found,) = [lst for lst in inv.store_listings if lst.store == store]
    return found


def test_listings_hold_the_orphans_and_every_healthy_image(
    lab: Lab, orphans: dict[str, Any], tmp_path: Path
) -> None:
    inv = collect(tmp_path, lab.etc, "config", "backends")
    staging = "os_glance_staging_store"
    assert {lst.store for lst in inv.store_listings} == {"fast", "cheap", "s3", "swift", staging}
    assert listing(inv, staging).where == str(lab.root / "glance/data/staging")
    assert all(lst.complete for lst in inv.store_listings) and inv.is_complete("backends")
    names = {lst.store: {o.name for o in lst.objects} for lst in inv.store_listings}
    for orphan in orphans["orphans"]:
        store = OBJECT_CLASSES.get(orphan["class"])
        if store is not None:
            assert orphan["name"] in names[store], orphan
    for image in orphans["healthy"]:
        if image["store"] != "ceph":
            assert image["id"] in names[image["store"]], image
    for orphan in (o for o in orphans["orphans"] if o["class"] == "staging-leftover"):
        assert Path(orphan["path"]).name in names[staging], orphan
    assert listing(inv, "cheap").foreign >= 1  # iy-orphan-notes.txt
    assert listing(inv, "fast").foreign == 0 and listing(inv, "s3").foreign == 0


@pytest.mark.parametrize("client", ["bindings", "cli"])
def test_rbd_images_carry_create_and_modify_times(
    lab: Lab, orphans: dict[str, Any], client: str
) -> None:
    from imageyard.collect.ceph import CephCollector, CliClient, ClusterTarget

    if client == "bindings":
        pytest.importorskip("rbd")
        from imageyard.collect.ceph.bindings import BindingsClient

        factory: Any = BindingsClient.connect
    else:
        factory = CliClient.connect
    collector = CephCollector(
        clusters=(ClusterTarget(lab.ceph_conf, "ops"),), client_factory=factory, pools=("images",)
    )
    (cluster,) = collector.collect(Inventory(), NullProgress()).ceph_clusters
    images = cluster.pool("images")
    assert images is not None
    (made,) = [o for o in orphans["orphans"] if o["class"] == "rbd-no-glance-image"]
    rbd = images.image(made["name"])
    assert rbd is not None and rbd.created is not None and rbd.modified is not None
    created = datetime.strptime(rbd.created, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    assert timedelta(0) <= datetime.now(UTC) - created < timedelta(days=2)
    assert rbd.modified >= rbd.created


@pytest.fixture
def broken_etc(lab: Lab, tmp_path: Path) -> Path:
    """A copy of the lab's config dir: wrong Swift key, wrong S3 secret, fast's datadir a
    plain file."""
    etc = tmp_path / "etc"
    shutil.copytree(lab.etc, etc, symlinks=True)
    swift = etc / "glance-swift.conf"
    swift.write_text(swift.read_text().replace(lab.env["CEPHLAB_SWIFT_KEY"], "wrong-key"))
    not_a_dir = tmp_path / "not-a-directory"
    not_a_dir.write_text("x")
    conf = (etc / "glance-api.conf").read_text()
    conf = conf.replace(str(lab.etc / "glance-swift.conf"), str(swift))
    conf = conf.replace(lab.env["CEPHLAB_S3_SECRET"], "wrong-secret-0000")
    fast = str(lab.root / "glance" / "data" / "fast")
    conf = conf.replace(
        f"filesystem_store_datadir = {fast}\n", f"filesystem_store_datadir = {not_a_dir}\n"
    )
    (etc / "glance-api.conf").write_text(conf)
    return etc


def test_faults_make_exactly_their_store_unknown(broken_etc: Path, tmp_path: Path) -> None:
    inv = collect(tmp_path, broken_etc, "config", "backends")
    swift, s3, fast = listing(inv, "swift"), listing(inv, "s3"), listing(inv, "fast")
    assert not swift.complete and "HTTP 401" in (swift.error or "")
    assert not s3.complete and "HTTP 403 SignatureDoesNotMatch" in (s3.error or "")
    assert not fast.complete and "Not a directory" in (fast.error or "")
    assert listing(inv, "cheap").complete and listing(inv, "cheap").objects
    gaps = sorted(g.scope for g in inv.gaps_for("backends"))
    assert gaps == ["store fast", "store s3", "store swift"]
    text = (tmp_path / "inv.json").read_text()
    assert "wrong-key" not in text and "wrong-secret-0000" not in text
