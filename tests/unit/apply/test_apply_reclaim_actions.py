"""Reclaim actions against an in-memory Ceph and Glance: trash purge past its deferment only,
flatten, broken-location removal; each checked, idempotent and counted by the limits."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance

from imageyard.apply.actions import StepContext
from imageyard.apply.actions.flatten import clone_fingerprint
from imageyard.apply.actions.restore import restore_fingerprint
from imageyard.apply.actions.trash import trash_fingerprint
from imageyard.apply.engine import ApplyOptions, Engine, Outcome, StalePlan, live_state
from imageyard.apply.glance import StepError
from imageyard.apply.journal import Journal
from imageyard.errors import UsageError
from imageyard.model.image import Image
from imageyard.model.plan import Action, Plan

NOW = 1_800_000_000.0
PARENT = "images/orphan@snap"


class FakeRbd:
    """Trash entries and clones by pool; ``calls`` lists every change."""

    def __init__(self) -> None:
        self.trash: dict[tuple[str, str], dict[str, Any]] = {}
        self.images: dict[tuple[str, str], dict[str, Any]] = {}
        self.calls: list[tuple[str, str, str]] = []

    def stat(self, pool: str, name: str) -> dict[str, Any] | None:
        found = self.images.get((pool, name))
        return None if found is None else dict(found)

    def trash_move(self, pool: str, name: str, delay: int) -> None:
        raise AssertionError("not used here")

    def trash_get(self, pool: str, image_id: str) -> dict[str, Any] | None:
        found = self.trash.get((pool, image_id))
        return None if found is None else dict(found)

    def trash_remove(self, pool: str, image_id: str) -> None:
        entry = self.trash[(pool, image_id)]
        if entry["deferment_end"] > NOW:
            raise AssertionError("librbd would refuse: deferment not over")
        self.calls.append(("trash-rm", pool, image_id))
        del self.trash[(pool, image_id)]

    def trash_restore(self, pool: str, image_id: str, name: str) -> None:
        entry = self.trash.pop((pool, image_id))
        assert entry["name"] == name
        self.calls.append(("trash-restore", pool, image_id))
        self.images[(pool, name)] = {"id": image_id, "size": 1000, "parent": None}

    def flatten(self, pool: str, name: str) -> None:
        self.calls.append(("flatten", pool, name))
        self.images[(pool, name)]["parent"] = None


def _purge(trash_id: str, size: int = 100) -> Action:
    return Action(
        id=f"p-{trash_id}",
        kind="rbd-trash-purge",
        image_id=f"rbd-trash:images/{trash_id}",
        bytes=size,
        destructive=True,
        expect=trash_fingerprint("images", trash_id, {"name": f"n-{trash_id}"}),
        result=trash_fingerprint("images", trash_id, None),
        params=(("pool", "images"), ("trash_id", trash_id)),
    )


def _entry(rbd: FakeRbd, trash_id: str, end: float, source: str = "USER") -> None:
    rbd.trash[("images", trash_id)] = {
        "name": f"n-{trash_id}",
        "source": source,
        "deferment_end": end,
    }


def _run(plan: Plan, glance: Any, rbd: FakeRbd, **opts: Any) -> Outcome:
    ctx = StepContext(glance, rbd, wall=lambda: NOW)
    options = ApplyOptions(**{"yes_destroy": True, **opts})
    return Engine(plan, ctx, None, options, lambda s: None).run()


def test_purge_only_past_the_deferment_and_idempotent() -> None:
    rbd = FakeRbd()
    _entry(rbd, "over", NOW - 1)
    _entry(rbd, "edge", NOW)  # ends exactly now: over
    _entry(rbd, "early", NOW + 1)
    plan = Plan(actions=(_purge("over"), _purge("edge"), _purge("early")))
    outcome = _run(plan, FakeGlance([]), rbd)
    assert sorted(outcome.done) == ["p-edge", "p-over"]
    assert outcome.failed[0][0] == "p-early" and "deferment" in outcome.failed[0][1]
    assert ("images", "early") in rbd.trash
    again = _run(Plan(actions=plan.actions[:2]), FakeGlance([]), rbd)
    assert again.complete and len(rbd.calls) == 2  # already done: nothing removed twice


def test_purge_refuses_other_sources_and_names_glance_still_has() -> None:
    rbd = FakeRbd()
    _entry(rbd, "mirror", NOW - 10, source="MIRRORING")
    _entry(rbd, "live", NOW - 10)
    glance = FakeGlance([Image(id="n-live", stores=("ceph",))])
    outcome = _run(Plan(actions=(_purge("mirror"), _purge("live"))), glance, rbd)
    reasons = dict(outcome.failed)
    assert "MIRRORING" in reasons["p-mirror"] and "Glance has an image" in reasons["p-live"]
    assert not rbd.calls


def test_purge_counts_against_max_deletes_and_max_bytes_and_needs_yes_destroy() -> None:
    rbd = FakeRbd()
    for n in ("a", "b", "c"):
        _entry(rbd, n, NOW - 1)
    plan = Plan(actions=(_purge("a", 10), _purge("b", 10), _purge("c", 10)))
    held = _run(plan, FakeGlance([]), rbd, max_deletes=1, parallel=1)
    assert held.done == ["p-a"] and held.held and len(rbd.calls) == 1
    held = _run(plan, FakeGlance([]), rbd, max_bytes=15, parallel=1)
    assert held.done == ["p-a", "p-b"] and len(rbd.calls) == 2  # a already, b purged; c over
    with pytest.raises(UsageError):
        _run(plan, FakeGlance([]), rbd, yes_destroy=False)


def test_a_changed_trash_entry_makes_the_plan_stale() -> None:
    rbd = FakeRbd()
    _entry(rbd, "x", NOW - 1)
    rbd.trash[("images", "x")]["name"] = "another"
    with pytest.raises(StalePlan):
        _run(Plan(actions=(_purge("x"),)), FakeGlance([]), rbd)


def _flatten(name: str) -> Action:
    stat = {"id": f"id-{name}", "parent": PARENT}
    return Action(
        id=f"f-{name}",
        kind="rbd-flatten",
        image_id=f"rbd:vms/{name}",
        target=PARENT,
        bytes=1000,
        destructive=True,
        expect=clone_fingerprint("vms", name, stat),
        result=clone_fingerprint("vms", name, {**stat, "parent": None}),
        params=(("name", name), ("parent", PARENT), ("pool", "vms")),
    )


def test_flatten_detaches_the_clone_once() -> None:
    rbd = FakeRbd()
    rbd.images[("vms", "disk")] = {"id": "id-disk", "size": 1000, "parent": PARENT}
    plan = Plan(actions=(_flatten("disk"),))
    assert _run(plan, FakeGlance([]), rbd).complete
    assert rbd.calls == [("flatten", "vms", "disk")]
    assert _run(plan, FakeGlance([]), rbd).complete and len(rbd.calls) == 1


def test_flatten_of_a_clone_with_another_parent_is_stale() -> None:
    rbd = FakeRbd()
    rbd.images[("vms", "disk")] = {"id": "id-disk", "size": 1000, "parent": "images/x@snap"}
    with pytest.raises(StalePlan):
        _run(Plan(actions=(_flatten("disk"),)), FakeGlance([]), rbd)


class LocGlance(FakeGlance):
    """FakeGlance whose images carry ``locations`` (url, metadata.store)."""

    def delete_from_store(self, image_id: str, store: str) -> None:
        super().delete_from_store(image_id, store)
        doc = self.images[image_id]
        doc["locations"] = [x for x in doc["locations"] if x["metadata"].get("store") != store]

    def patch_image(self, image_id: str, ops: list[dict[str, Any]]) -> Any:
        doc = self.images[image_id]
        for op in ops:
            if op["op"] == "remove" and op["path"].startswith("/locations/"):
                self.calls.append(("remove-location", image_id, op["path"]))
                doc["locations"].pop(int(op["path"].rsplit("/", 1)[1]))
                return dict(doc)
        return super().patch_image(image_id, ops)


def _image_with(locs: list[tuple[str, str]]) -> tuple[LocGlance, Image]:
    stores = tuple(sorted({s for _, s in locs if s}))
    image = Image(id="img", name="img", status="active", disk_format="raw", stores=stores)
    glance = LocGlance([image])
    glance.images["img"]["locations"] = [{"url": u, "metadata": {"store": s}} for u, s in locs]
    return glance, image


def _delete_loc(image: Image, url: str, store: str, after: tuple[str, ...]) -> Action:
    doc = LocGlance([image]).get_image("img")
    assert doc is not None
    before = live_state(doc)
    return Action(
        id="d1",
        kind="delete-location",
        image_id="img",
        target=store,
        destructive=True,
        expect=before.fingerprint,
        result=before.__class__(**{**before.__dict__, "stores": after}).fingerprint,
        params=(("store", store), ("url", url)),
    )


def test_location_of_a_store_goes_by_the_store_level_delete() -> None:
    glance, image = _image_with([("file:///a/img", "fast"), ("file:///b/img", "cheap")])
    action = _delete_loc(image, "file:///b/img", "cheap", ("fast",))
    assert _run(Plan(actions=(action,)), glance, FakeRbd()).complete
    assert glance.calls == [("delete-from-store", "img", "cheap")]
    assert [x["url"] for x in glance.images["img"]["locations"]] == ["file:///a/img"]
    assert _run(Plan(actions=(action,)), glance, FakeRbd()).complete and len(glance.calls) == 1


def test_second_location_in_one_store_goes_by_position_with_credentials_stripped() -> None:
    secret = "swift+https://user:s3cr3t@swift.example/v1/c/img"
    glance, image = _image_with([("file:///a/img", "fast"), (secret, "fast")])
    action = _delete_loc(image, "swift+https://swift.example/v1/c/img", "fast", ("fast",))
    outcome = _run(Plan(actions=(action,)), glance, FakeRbd())
    assert outcome.complete and glance.calls == [("remove-location", "img", "/locations/1")]


def test_the_last_location_is_never_removed_and_hidden_locations_fail() -> None:
    glance, image = _image_with([("file:///a/img", "fast"), ("file:///a2/img", "fast")])
    action = _delete_loc(image, "file:///a/img", "fast", ("fast",))
    glance.images["img"]["locations"] = glance.images["img"]["locations"][:1]
    outcome = _run(Plan(actions=(action,)), glance, FakeRbd())
    assert "only location" in outcome.failed[0][1] and not glance.calls
    del glance.images["img"]["locations"]
    outcome = _run(Plan(actions=(action,)), glance, FakeRbd())
    assert "show_multiple_locations" in outcome.failed[0][1]


URL = "rbd://fsid/images/img/snap"


def _restore() -> Action:
    return Action(
        id="r1",
        kind="rbd-trash-restore",
        image_id="rbd-trash:images/t1",
        target="img",
        expect=restore_fingerprint("images", "t1", "img", "trash"),
        result=restore_fingerprint("images", "t1", "img", "pool"),
        params=(("image", "img"), ("name", "img"), ("pool", "images"), ("trash_id", "t1"),
                ("url", URL)),
    )  # fmt: skip


def _trashed_image() -> tuple[LocGlance, FakeRbd]:
    glance, _ = _image_with([(URL, "ceph")])
    rbd = FakeRbd()
    rbd.trash[("images", "t1")] = {"name": "img", "source": "USER", "deferment_end": NOW}
    return glance, rbd


def test_restore_brings_the_entry_back_once_without_confirmation() -> None:
    glance, rbd = _trashed_image()
    plan = Plan(actions=(_restore(),))
    assert _run(plan, glance, rbd, yes_destroy=False).complete  # not destructive
    assert rbd.calls == [("trash-restore", "images", "t1")] and not glance.calls
    assert rbd.images[("images", "img")]["id"] == "t1"
    assert _run(plan, glance, rbd).complete and len(rbd.calls) == 1  # already done


def test_restore_is_refused_when_glance_no_longer_points_at_the_entry() -> None:
    glance, rbd = _trashed_image()
    glance.images["img"]["locations"] = [{"url": "file:///a/img", "metadata": {"store": "f"}}]
    outcome = _run(Plan(actions=(_restore(),)), glance, rbd)
    assert "no longer has the location" in outcome.failed[0][1] and not rbd.calls
    del glance.images["img"]
    outcome = _run(Plan(actions=(_restore(),)), glance, rbd)
    assert "no image img" in outcome.failed[0][1] and not rbd.calls


def test_restore_of_an_entry_that_is_gone_or_another_is_stale() -> None:
    glance, rbd = _trashed_image()
    rbd.trash[("images", "t1")]["name"] = "other"
    with pytest.raises(StalePlan):
        _run(Plan(actions=(_restore(),)), glance, rbd)
    del rbd.trash[("images", "t1")]
    rbd.images[("images", "img")] = {"id": "not-t1", "size": 1, "parent": None}
    with pytest.raises(StalePlan):
        _run(Plan(actions=(_restore(),)), glance, rbd)


def _held_plan() -> Plan:
    purge = replace(_purge("held"), id="p-held", depends_on=("f-disk",))
    return Plan(actions=(_flatten("disk"), purge))


def _held(rbd: FakeRbd) -> None:
    rbd.images[("vms", "disk")] = {"id": "id-disk", "size": 1000, "parent": PARENT}
    _entry(rbd, "held", NOW - 1)


class HoldingRbd(FakeRbd):
    """librbd's refusal to purge an entry a clone still depends on."""

    def trash_remove(self, pool: str, image_id: str) -> None:
        if any(i.get("parent") for i in self.images.values()):
            raise StepError("rbd trash rm: image has snapshots (a clone depends on it)")
        super().trash_remove(pool, image_id)


def test_a_purge_runs_after_the_flatten_of_another_resource_it_depends_on() -> None:
    for parallel in (1, 4):
        rbd = HoldingRbd()
        _held(rbd)
        outcome = _run(_held_plan(), FakeGlance([]), rbd, parallel=parallel)
        assert outcome.complete and not outcome.failed
        assert rbd.calls == [("flatten", "vms", "disk"), ("trash-rm", "images", "held")]


def test_a_purge_whose_flatten_failed_is_held_and_runs_on_resume(tmp_path: Path) -> None:
    rbd = HoldingRbd()
    _held(rbd)
    plan = _held_plan()
    broken = rbd
    failing = StepError("rbd flatten vms/disk: busy")

    def refuse(pool: str, name: str) -> None:
        raise failing

    broken.flatten = refuse  # type: ignore[method-assign]
    journal = Journal.open(str(tmp_path / "j"), plan.fingerprint)
    ctx = StepContext(FakeGlance([]), broken, wall=lambda: NOW)
    options = ApplyOptions(yes_destroy=True)
    first = Engine(plan, ctx, journal, options, lambda s: None).run()
    journal.close()
    assert first.failed == [("f-disk", str(failing))]
    assert first.held == [("p-held", "waits for f-disk")] and not rbd.calls
    del broken.flatten  # the clone can be flattened again
    journal = Journal.open(str(tmp_path / "j"), plan.fingerprint)
    second = Engine(plan, ctx, journal, options, lambda s: None).run()
    journal.close()
    assert second.complete and rbd.calls[-1] == ("trash-rm", "images", "held")
