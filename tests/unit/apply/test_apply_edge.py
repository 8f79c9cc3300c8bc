"""copy-converted: the raw replacement of a converted image copied to an edge store, in order."""

from __future__ import annotations

import hashlib
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance
from plan_support import QCOW2_IN_CEPH, RAW_IN_CEPH
from test_apply_convert import SIZE, _qcow2
from test_plan_edge import _inventory, _site

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.convert import MARKER
from imageyard.apply.engine import ApplyOptions, Engine, Outcome
from imageyard.model.plan import Plan
from imageyard.plan import PlanPolicy, make_plan


def _setup(tmp_path: Path) -> tuple[FakeGlance, Plan]:
    qcow2, _ = _qcow2(tmp_path)
    inv = _inventory()
    images = tuple(
        replace(
            i,
            size=len(qcow2),
            virtual_size=SIZE,
            os_hash_value=hashlib.sha512(qcow2).hexdigest(),
        )
        if i.id == QCOW2_IN_CEPH
        else i
        for i in inv.images
    )
    inv = replace(inv, images=images)
    glance = FakeGlance(inv.images)
    glance.data[QCOW2_IN_CEPH] = qcow2
    policy = PlanPolicy(place=False, images=(QCOW2_IN_CEPH, RAW_IN_CEPH))
    return glance, make_plan(inv, policy, site=_site())


def _apply(glance: FakeGlance, plan: Plan, **kw: object) -> Outcome:
    ctx = StepContext(glance)
    return Engine(plan, ctx, None, ApplyOptions(**kw), lambda s: None).run()  # type: ignore[arg-type]


def _replacement(glance: FakeGlance) -> dict[str, object]:
    found = [d for d in glance.images.values() if d.get(MARKER) == QCOW2_IN_CEPH]
    assert len(found) == 1
    return found[0]


def test_the_replacement_lands_in_the_edge_store_before_the_original_is_retired(
    tmp_path: Path,
) -> None:
    glance, plan = _setup(tmp_path)
    kinds = [(a.kind, a.target) for a in plan.actions]
    assert kinds == [
        ("convert-to-raw", "ceph"),
        ("copy-image", "dcn1"),  # the public raw image
        ("copy-converted", "dcn1"),
        ("retire-image", "hide"),
    ]
    assert _apply(glance, plan).complete
    new = _replacement(glance)
    assert set(str(new["stores"]).split(",")) == {"ceph", "dcn1"}
    assert glance.images[QCOW2_IN_CEPH]["stores"] == "ceph"  # the original is not copied
    assert glance.images[QCOW2_IN_CEPH]["os_hidden"] is True
    assert set(glance.images[RAW_IN_CEPH]["stores"].split(",")) == {"ceph", "dcn1"}
    copies = [c for c in glance.calls if c[0] == "copy"]
    assert sorted(copies) == sorted(
        [("copy", str(new["id"]), "dcn1"), ("copy", RAW_IN_CEPH, "dcn1")]
    )
    calls = len(glance.calls)
    assert _apply(glance, plan).complete and len(glance.calls) == calls  # idempotent


def test_without_a_replacement_the_copy_fails_and_the_original_stays(tmp_path: Path) -> None:
    glance, plan = _setup(tmp_path)
    copy = replace(next(a for a in plan.actions if a.kind == "copy-converted"), depends_on=())
    outcome = _apply(glance, replace(plan, actions=(copy,)))  # the conversion never ran
    assert [f[0] for f in outcome.failed] == [copy.id] and "no active raw" in outcome.failed[0][1]
    assert glance.images[QCOW2_IN_CEPH]["os_hidden"] is False


def test_dry_run_says_what_it_would_copy(tmp_path: Path) -> None:
    glance, plan = _setup(tmp_path)
    said: list[str] = []
    ctx = StepContext(glance)
    Engine(plan, ctx, None, ApplyOptions(dry_run=True), said.append).run()
    assert f"would copy the raw replacement of centos-qcow2 ({QCOW2_IN_CEPH}) to store dcn1" in said
    assert glance.calls == []
