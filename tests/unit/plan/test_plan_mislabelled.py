"""Plan generation for images labelled raw whose RBD data is qcow2 (``raw-label-mismatch``)."""

from __future__ import annotations

from dataclasses import replace

from plan_support import QCOW2_IN_CEPH, RAW_IN_CEPH, inventory

from imageyard.model.ceph import DetectedFormat
from imageyard.model.inventory import Inventory
from imageyard.model.plan import Plan
from imageyard.plan import PlanPolicy, make_plan

QCOW2 = DetectedFormat("qcow2", snapshot="snap", version=3)


def _with_header(found: DetectedFormat | None) -> Inventory:
    """The fixture with the raw Ceph image's detected format replaced by ``found``."""
    inv = inventory()
    clusters = []
    for cluster in inv.ceph_clusters:
        pools = []
        for pool in cluster.pools:
            images = tuple(
                replace(i, detected_format=found) if i.name == RAW_IN_CEPH else i
                for i in pool.images
            )
            pools.append(replace(pool, images=images))
        clusters.append(replace(cluster, pools=tuple(pools)))
    return replace(inv, ceph_clusters=tuple(clusters))


def _steps(plan: Plan, image_id: str) -> list[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return [(a.kind, a.target, a.params) for a in plan.actions if a.image_id == image_id]


def test_mislabelled_image_is_converted_reading_the_detected_format() -> None:
    plan = make_plan(_with_header(QCOW2), PlanPolicy(place=False))
    assert _steps(plan, RAW_IN_CEPH) == [
        ("convert-to-raw", "ceph", (("source_format", "qcow2"),)),
        ("retire-image", "hide", (("policy", "hide"),)),
    ]
    convert = next(a for a in plan.actions if a.image_id == RAW_IN_CEPH)
    assert "labelled raw" in convert.reason and "qcow2" in convert.reason
    # the correctly labelled qcow2 image keeps its own conversion, read as its label
    assert _steps(plan, QCOW2_IN_CEPH)[0] == ("convert-to-raw", "ceph", ())


def test_raw_data_or_unread_header_plans_nothing() -> None:
    for found in (DetectedFormat("raw", snapshot="snap"), None):
        plan = make_plan(_with_header(found), PlanPolicy(place=False))
        assert _steps(plan, RAW_IN_CEPH) == []
        assert plan.unplaced == ()


def test_convert_off_plans_no_mislabelled_conversion() -> None:
    plan = make_plan(_with_header(QCOW2), PlanPolicy(place=False, convert=False))
    assert _steps(plan, RAW_IN_CEPH) == []


def test_backing_or_data_file_is_refused_with_the_reason() -> None:
    for flag, words in (("has_backing_file", "a backing file"), ("has_data_file", "data file")):
        header = replace(QCOW2, **{flag: True})
        plan = make_plan(_with_header(header), PlanPolicy(place=False))
        assert _steps(plan, RAW_IN_CEPH) == []
        (left,) = plan.unplaced
        assert left.image_id == RAW_IN_CEPH and left.store == "ceph"
        assert "not convertible" in left.reason and words in left.reason
