"""delete-object: file, S3 and Swift objects without a Glance image, planned and applied."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "reclaim"))
from fake_ops import FakeGlance
from reclaim_support import OLD, add_objects, healthy, set_listing, uid

from imageyard.apply.actions import StepContext
from imageyard.apply.engine import ApplyOptions, Engine, Outcome, StalePlan
from imageyard.apply.glance import StepError
from imageyard.apply.objects import ObjectRef, StoreObjects, quarantine_dir
from imageyard.model.config import GlanceApiConfig
from imageyard.model.objects import StoredObject
from imageyard.model.plan import Plan
from imageyard.plan import PlanPolicy, make_plan
from imageyard.plan.show import render_plan

RECLAIM = PlanPolicy(place=False, convert=False, reclaim=True)
FILE_ORPHAN, S3_ORPHAN, SWIFT_ORPHAN = uid(70, "f"), uid(71, "f"), uid(72, "f")


class FakeObjects:
    """``ObjectOps`` in memory: objects by (store, where, name) with their size."""

    def __init__(self, objects: dict[tuple[str, str, str], int]) -> None:
        self.objects = dict(objects)
        self.removed: list[ObjectRef] = []

    def stat(self, ref: ObjectRef) -> dict[str, Any] | None:
        size = self.objects.get((ref.store, ref.where, ref.name))
        return None if size is None else {"size": size}

    def remove(self, ref: ObjectRef) -> None:
        self.removed.append(ref)
        self.objects.pop((ref.store, ref.where, ref.name), None)


def _inventory() -> Any:
    inv = healthy()
    inv = add_objects(inv, "fast", StoredObject(FILE_ORPHAN, 300, OLD))
    inv = add_objects(inv, "s3", StoredObject(S3_ORPHAN, 400, OLD))
    return add_objects(inv, "swift", StoredObject(SWIFT_ORPHAN, 500, OLD))


def _plan(policy: PlanPolicy = RECLAIM) -> Plan:
    return make_plan(_inventory(), policy)


def _live() -> FakeObjects:
    return FakeObjects(
        {
            ("fast", "/var/lib/glance/images", FILE_ORPHAN): 300,
            ("s3", "glance-s3", S3_ORPHAN): 400,
            ("swift", "glance", SWIFT_ORPHAN): 500,
        }
    )


def _apply(plan: Plan, objects: FakeObjects | None, glance: FakeGlance | None = None) -> Outcome:
    ctx = StepContext(glance or FakeGlance(healthy().images), objects=objects)
    options = ApplyOptions(yes_destroy=True)
    return Engine(plan, ctx, None, options, lambda s: None).run()


def test_each_orphan_object_becomes_one_destructive_delete_object_step() -> None:
    plan = _plan()
    steps = {(a.kind, a.target, a.param("kind"), a.param("name")) for a in plan.actions}
    assert steps == {
        ("delete-object", "fast", "file", FILE_ORPHAN),
        ("delete-object", "s3", "s3", S3_ORPHAN),
        ("delete-object", "swift", "swift", SWIFT_ORPHAN),
    }
    assert all(a.destructive and a.expect != a.result for a in plan.actions)
    assert "take file /var/lib/glance/images/" in render_plan(plan)
    assert make_plan(_inventory(), replace(RECLAIM, images=(S3_ORPHAN,))).actions[0].target == "s3"


def test_an_incomplete_listing_plans_nothing_for_its_store() -> None:
    inv = set_listing(_inventory(), "s3", complete=False, error="HTTP 403")
    assert "s3" not in {a.target for a in make_plan(inv, RECLAIM).actions}


def test_apply_removes_each_object_and_a_rerun_finds_them_gone() -> None:
    live = _live()
    assert _apply(_plan(), live).complete
    assert {r.name for r in live.removed} == {FILE_ORPHAN, S3_ORPHAN, SWIFT_ORPHAN}
    assert live.objects == {}
    again = _apply(_plan(), live)
    assert again.complete and len(live.removed) == 3


def test_a_changed_object_makes_the_plan_stale_and_an_image_of_its_name_refuses_it() -> None:
    live = _live()
    live.objects[("s3", "glance-s3", S3_ORPHAN)] = 999
    with pytest.raises(StalePlan):
        _apply(_plan(), live)
    assert live.removed == []
    glance = FakeGlance(healthy().images)
    glance.images[FILE_ORPHAN] = {**glance.images[healthy().images[0].id], "id": FILE_ORPHAN}
    outcome = _apply(_plan(replace(RECLAIM, images=(FILE_ORPHAN,))), _live(), glance)
    assert outcome.failed and "Glance has an image" in outcome.failed[0][1]


def test_without_glance_config_the_step_says_what_to_give() -> None:
    with pytest.raises(StepError, match="--glance-config"):
        _apply(_plan(), None)


def test_a_file_is_moved_beside_the_datadir_not_deleted(tmp_path: Path) -> None:
    datadir = tmp_path / "images"
    datadir.mkdir()
    (datadir / FILE_ORPHAN).write_bytes(b"x" * 300)
    ops = StoreObjects(GlanceApiConfig(path="unused"))
    ref = ObjectRef("fast", "file", str(datadir), FILE_ORPHAN)
    assert ops.stat(ref) == {"size": 300}
    ops.remove(ref)
    assert ops.stat(ref) is None and not (datadir / FILE_ORPHAN).exists()
    assert (Path(quarantine_dir(str(datadir))) / FILE_ORPHAN).read_bytes() == b"x" * 300
    ops.remove(ref)  # gone already: nothing to do


def test_a_missing_glance_config_is_one_line_and_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from imageyard.cli import run
    from imageyard.plan import dump_plan

    (tmp_path / "plan.json").write_text(dump_plan(_plan()))
    argv = ["apply", str(tmp_path / "plan.json"), "--glance-endpoint", "http://127.0.0.1:9",
            "--glance-config", str(tmp_path / "nope.conf"), "--yes-destroy"]  # fmt: skip
    assert run(argv) == 5
    err = capsys.readouterr().err
    assert "nope.conf: file not found" in err and "Traceback" not in err


STAGE = "/var/lib/glance/staging"
LEFTOVER, IMPORTING, YOUNG, COPYING, RETRIED = (uid(n, "e") for n in (80, 81, 82, 83, 84))


def _staging_inventory() -> Any:
    from reclaim_support import RECENT, image

    from imageyard.model.objects import StoreListing

    inv = healthy()
    extra = (
        image(IMPORTING, "ceph", "", status="importing", locations=(), stores=()),
        image(COPYING, "ceph", "", os_glance_importing_to_stores=("fast",)),
        image(RETRIED, "ceph", "", status="active"),
    )
    files = (
        StoredObject(f"{LEFTOVER}.qcow2", 600, OLD),  # no such image
        StoredObject(IMPORTING, 601, OLD),
        StoredObject(YOUNG, 602, RECENT),
        StoredObject(COPYING, 603, OLD),
        StoredObject(RETRIED, 604, OLD),  # its image finished: a leftover
    )
    staging = StoreListing("os_glance_staging_store", "file", STAGE, files)
    return replace(inv, images=(*inv.images, *extra), store_listings=(*inv.store_listings, staging))


def _staging_live() -> FakeObjects:
    names = (f"{LEFTOVER}.qcow2", IMPORTING, YOUNG, COPYING, RETRIED)
    return FakeObjects(
        {("os_glance_staging_store", STAGE, n): 600 + i for i, n in enumerate(names)}
    )


def test_staging_leftovers_are_planned_but_not_importing_copying_or_young_files() -> None:
    plan = make_plan(_staging_inventory(), RECLAIM)
    staged = [a for a in plan.actions if a.target == "os_glance_staging_store"]
    assert {a.param("name") for a in staged} == {f"{LEFTOVER}.qcow2", RETRIED}
    assert all(a.kind == "delete-object" and a.destructive for a in staged)
    assert all((a.param("kind"), a.param("where")) == ("file", STAGE) for a in staged)
    assert f"take file {STAGE}/{RETRIED}" in render_plan(plan)
    later = make_plan(_staging_inventory(), replace(RECLAIM, grace_hours=0))
    assert YOUNG in {a.param("name") for a in later.actions}


def test_apply_moves_staging_leftovers_once_and_a_missing_file_is_done() -> None:
    inv, live = _staging_inventory(), _staging_live()
    plan = make_plan(inv, RECLAIM)
    assert _apply(plan, live, FakeGlance(inv.images)).complete
    assert {r.name for r in live.removed} == {f"{LEFTOVER}.qcow2", RETRIED}
    assert {n for (_, _, n) in live.objects} == {IMPORTING, YOUNG, COPYING}
    assert _apply(plan, live, FakeGlance(inv.images)).complete
    assert len(live.removed) == 2


def test_a_staging_file_whose_image_started_importing_again_is_refused() -> None:
    inv, live = _staging_inventory(), _staging_live()
    glance = FakeGlance(inv.images)
    glance.images[RETRIED] = {**glance.images[RETRIED], "os_glance_importing_to_stores": "fast"}
    only = replace(RECLAIM, images=(RETRIED,))
    outcome = _apply(make_plan(inv, only), live, glance)
    assert outcome.failed and "os_glance_importing_to_stores" in outcome.failed[0][1]
    glance.images[RETRIED] = {**glance.images[RETRIED], "status": "importing"}
    outcome = _apply(make_plan(inv, only), live, glance)
    assert outcome.failed and "is importing" in outcome.failed[0][1]
    assert live.removed == []
