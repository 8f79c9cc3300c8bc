"""Declared capacity and pain points change the design: fit checks, the clone path first,
duplicate groups and the store-imbalance answer, on examples and on a measured inventory."""

from __future__ import annotations

import sys
from dataclasses import replace

from design_support import EXAMPLES, ROOT, example

from imageyard.audit.releases import parse_release
from imageyard.design import run_design
from imageyard.design.model import Design
from imageyard.design.site import Backend, Site, load_site
from imageyard.design.situation import measured_site, merge
from imageyard.model.compute import Server, Volume
from imageyard.model.inventory import Inventory

sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
from audit_support import AUDIT_FIXTURES, collect_dir  # type: ignore[import-not-found]

MIB = 1 << 20
RAW, QCOW, LOCAL = (
    "11111111-0000-4000-8000-000000000001",
    "22222222-0000-4000-8000-000000000002",
    "33333333-0000-4000-8000-000000000003",
)


def _decision(d: Design, key: str) -> tuple[str, str]:
    found = d.decision(key)
    assert found is not None, key
    return found.choice, found.why


def test_capacity_warning_when_conversion_outgrows_the_pool() -> None:
    d = example("ceph-too-small").design
    choice, _ = _decision(d, "layout.capacity")
    assert choice == "ceph: 1.9 TiB of 1.5 TiB (124%), DOES NOT FIT"
    warning = d.decision("layout.capacity.ceph")
    assert warning is not None and warning.warning
    assert "would hold 1.9 TiB after conversion; declared capacity 1.5 TiB" in warning.why
    assert "rbd_thin_provisioning" in warning.why
    assert any(line.startswith("Capacity warning: ceph") for line in d.summary)


def test_capacity_fits_with_declared_growth() -> None:
    choice, _ = _decision(example("all-ceph").design, "layout.capacity")
    assert choice == "rbd: 3.2 TiB of 48.8 TiB (7%), fits"  # 2400 + 900 GiB of 50000


def test_capacity_follows_the_hot_archive_split() -> None:
    d = example("swift-archive-ceph").design
    choice, _ = _decision(d, "layout.capacity")
    assert choice.startswith("hot: 400 GiB of 19.5 TiB (2%), fits; archive: 28.9 TiB")
    assert not any(x.warning for x in d.decisions)


def test_slow_first_boot_comes_first_in_the_summary() -> None:
    d = example("ceph-too-small").design
    assert d.summary[0].startswith("Slow first boot (declared): the clone path comes first")
    choice, _ = _decision(d, "format.slow_first_boot")
    assert choice == "about 100 of 200 images (50%) are not raw"
    assert d.decisions[[x.section for x in d.decisions].index("format")].key == (
        "format.slow_first_boot"
    )


def test_slow_first_boot_without_ceph_points_at_caches() -> None:
    choice, why = _decision(example("no-ceph").design, "format.slow_first_boot")
    assert choice == "no consumer clones: every first boot downloads" and "section d" in why


def test_slow_first_boot_contradicted_by_an_all_raw_catalog() -> None:
    site = replace(load_site(EXAMPLES / "edge-two-ceph.yaml"), pain_points=("slow_first_boot",))
    d = run_design(site, None, parse_release("2025.2"), with_audit=False).design
    choice, why = _decision(d, "format.slow_first_boot")
    assert choice.startswith("contradicted") and "contradicted by the declared data" in why


def test_store_imbalance_on_one_store_is_contradicted() -> None:
    _, why = _decision(example("ceph-too-small").design, "layout.default_store")
    assert "Store imbalance (declared) is contradicted by the data: there is only one store" in why


def test_store_imbalance_explains_default_and_weights() -> None:
    d = example("swift-archive-ceph").design
    _, why = _decision(d, "layout.default_store")
    assert "150% of its capacity" in why and "hot/archive split" in why
    _, wwhy = _decision(d, "layout.weights")
    assert "move no data" in wwhy and "hot=100, archive=10" in wwhy


def test_duplication_without_inventory_asks_for_one() -> None:
    d = example("edge-two-ceph").design
    choice, why = _decision(d, "reclaim.duplicates")
    assert choice == "needs an inventory: groups by os_hash_value" and "flat copies" in why
    assert any(s.title == "Find duplicate images by os_hash_value" for s in d.steps)


# ---------------------------------------------------------------- measured


def _inventory() -> Inventory:
    """Raw (clones), qcow2 (downloads) in ceph, raw in a file store; boots; one duplicate."""
    inv = collect_dir(AUDIT_FIXTURES / "cow-not-eligible" / "fail-qcow2-and-file-only")
    images = tuple(
        replace(i, os_hash_algo="sha512", os_hash_value="same" if i.id != QCOW else "other")
        for i in inv.images
    )
    clusters = tuple(
        replace(
            c,
            pools=tuple(
                replace(p, images=tuple(replace(r, used=16 * MIB) for r in p.images))
                for p in c.pools
            ),
        )
        for c in inv.ceph_clusters
    )
    servers = tuple(Server(f"s{n}", image_ref=QCOW) for n in range(5))
    servers += (Server("s5", image_ref=LOCAL), Server("s6", image_ref=RAW))
    volumes = (Volume("v1", image_id=LOCAL),)
    return replace(inv, images=images, ceph_clusters=clusters, servers=servers, volumes=volumes)


def _measured(*pains: str, capacity: float | None = None) -> Design:
    inv = _inventory()
    declared = Site(
        name="lab",
        backends=(Backend("ceph", "rbd", capacity_gib=capacity),),
        pain_points=pains,
    )
    site = merge(measured_site(inv), declared)
    return run_design(site, inv, parse_release("2025.1"), with_audit=False).design


def test_measured_pool_usage_wins_and_adds_conversion_and_drain() -> None:
    d = _measured(capacity=0.2)
    found = d.decision("layout.capacity")
    assert found is not None
    # pool: 2 x 16 MiB used (not 2 x 64 MiB of image size); +192 MiB qcow2 -> raw;
    # +64 MiB copied in from the drained file store = 288 MiB
    assert found.choice == "ceph: 0.28 GiB of 0.20 GiB (141%), DOES NOT FIT"
    assert any("Ceph pool images uses 0.03 GiB" in e for e in found.evidence)
    assert d.decision("layout.capacity.ceph") is not None


def test_measured_slow_first_boot_counts_verdicts_and_orders_conversions() -> None:
    d = _measured("slow_first_boot")
    choice, why = _decision(d, "format.slow_first_boot")
    assert choice == "2 of 3 active images, 7 of 8 boots (88%), are not on the clone path"
    assert "ordered by boots" in why
    assert [(c.image_id, c.boots) for c in d.conversions] == [(QCOW, 5)]
    assert d.summary[0].startswith("Slow first boot (declared)")


def test_measured_duplicates_with_safety_data() -> None:
    d = _measured("duplication")
    choice, why = _decision(d, "reclaim.duplicates")
    assert choice == "1 groups, 1 surplus images, 0.06 GiB reclaimable"
    assert "1 of them are protected or used" in why
    found = d.decision("reclaim.duplicates")
    assert found is not None and any(e.startswith("measured: keep ") for e in found.evidence)
    step = next(s for s in d.steps if s.title.startswith("Review 1 groups"))
    assert not any("delete" in c for c in step.commands)


def test_measured_store_imbalance_names_the_loaded_store() -> None:
    d = _measured("store_imbalance")
    _, why = _decision(d, "layout.default_store")
    assert "Store imbalance (declared): by bytes, ceph carries the most" in why
