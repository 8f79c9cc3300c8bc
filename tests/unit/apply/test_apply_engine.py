"""The apply engine against an in-memory Glance: journal, resume, stale, limits, dry-run."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from fake_ops import FakeGlance
from plan_support import RAW_IN_CEPH, RAW_IN_FILE, inventory

from imageyard.apply.actions import StepContext
from imageyard.apply.engine import ApplyOptions, Engine, StalePlan
from imageyard.apply.journal import Journal
from imageyard.apply.lock import exclusive
from imageyard.errors import ExitCode, ImageyardError, InputError, UsageError
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.plan import Plan
from imageyard.plan import PlanPolicy, make_plan

MOVE = PlanPolicy(place=False, convert=False, moves=(("ceph", "local"),))


def _many(n: int) -> Inventory:
    """``n`` raw images in store ceph, each with a distinct hash."""
    inv = inventory()
    images = tuple(
        Image(
            id=f"00000000-0000-4000-8000-{i:012d}",
            name=f"img-{i}",
            status="active",
            disk_format="raw",
            size=1024 * (i + 1),
            os_hash_value=f"h{i}",
            stores=("ceph",),
        )
        for i in range(n)
    )
    return replace(inv, images=images)


def _run(
    plan: Plan,
    glance: FakeGlance,
    journal: Journal | None = None,
    lines: list[str] | None = None,
    **opts: object,
) -> tuple[Engine, object]:
    options = ApplyOptions(**{"yes_destroy": True, **opts})  # type: ignore[arg-type]
    engine = Engine(
        plan, StepContext(glance), journal, options, (lines if lines is not None else []).append
    )
    return engine, engine.run()


def _journal(tmp_path: Path, plan: Plan) -> Journal:
    return Journal.open(str(tmp_path / "plan.journal"), plan.fingerprint)


def test_move_copies_then_deletes_and_journals_each_step(tmp_path: Path) -> None:
    inv = inventory()
    plan = make_plan(inv, MOVE)
    glance = FakeGlance(inv.images, copy_polls=2)
    journal = _journal(tmp_path, plan)
    _, outcome = _run(plan, glance, journal)
    journal.close()
    assert outcome.complete and not outcome.failed  # type: ignore[attr-defined]
    assert glance.images[RAW_IN_CEPH]["stores"] == "local"
    assert ("copy", RAW_IN_CEPH, "local") in glance.calls
    assert glance.calls.index(("copy", RAW_IN_CEPH, "local")) < glance.calls.index(
        ("delete-from-store", RAW_IN_CEPH, "ceph")
    )
    lines = [json.loads(x) for x in (tmp_path / "plan.journal").read_text().splitlines()]
    assert lines[0]["plan"] == plan.fingerprint
    events = [(e["id"], e["event"]) for e in lines[1:]]
    for a in plan.actions:
        assert events.index((a.id, "start")) < events.index((a.id, "done"))


def test_resume_runs_only_what_the_journal_has_not_done(tmp_path: Path) -> None:
    inv = _many(6)
    plan = make_plan(inv, PlanPolicy(place=False, convert=False, moves=(("ceph", "local"),)))
    glance = FakeGlance(inv.images)
    journal = _journal(tmp_path, plan)
    _, first = _run(plan, glance, journal, stop_before=plan.actions[5].id, parallel=1)
    journal.close()
    assert not first.complete and len(first.done) == 5  # type: ignore[attr-defined]
    calls = len(glance.calls)
    journal = _journal(tmp_path, plan)
    assert journal.done == {a.id for a in plan.actions[:5]}
    _, second = _run(plan, glance, journal)
    assert second.complete  # type: ignore[attr-defined]
    assert len(glance.calls) - calls == len(plan.actions) - 5  # nothing done twice


def test_a_step_done_but_not_journaled_is_recognised_not_repeated(tmp_path: Path) -> None:
    inv = inventory()
    plan = make_plan(inv, MOVE)
    glance = FakeGlance(inv.images)
    glance.images[RAW_IN_CEPH]["stores"] = "ceph,local"  # the copy finished, then a crash
    journal = _journal(tmp_path, plan)
    journal.record(plan.actions[0].id, "start")
    lines: list[str] = []
    _, outcome = _run(plan, glance, journal, lines)
    assert outcome.complete  # type: ignore[attr-defined]
    assert ("copy", RAW_IN_CEPH, "local") not in glance.calls
    assert any(line.endswith("already done") for line in lines)


def test_a_copy_under_way_is_waited_for_not_started_again(tmp_path: Path) -> None:
    inv = inventory()
    plan = make_plan(inv, replace(MOVE, moves=(), images=(RAW_IN_FILE,), place=True))
    glance = FakeGlance(inv.images, copy_polls=3)
    glance.images[RAW_IN_FILE]["os_glance_importing_to_stores"] = "ceph"
    glance.pending[(RAW_IN_FILE, "ceph")] = 3
    _, outcome = _run(plan, glance)
    assert outcome.complete and glance.calls == []  # type: ignore[attr-defined]


def test_stale_plan_is_refused_before_anything_changes() -> None:
    inv = inventory()
    plan = make_plan(inv, MOVE)
    glance = FakeGlance(inv.images)
    glance.images[RAW_IN_CEPH]["os_hash_value"] = "something else"
    with pytest.raises(StalePlan) as err:
        _run(plan, glance)
    assert err.value.exit_code is ExitCode.STALE and glance.calls == []
    glance = FakeGlance(inv.images)
    del glance.images[RAW_IN_CEPH]
    with pytest.raises(StalePlan, match="no longer exists"):
        _run(plan, glance)


def test_dry_run_prints_would_lines_and_changes_nothing(tmp_path: Path) -> None:
    inv = inventory()
    plan = make_plan(inv, replace(MOVE, place=True))
    glance = FakeGlance(inv.images)
    before = json.dumps(glance.images, sort_keys=True)
    lines: list[str] = []
    _, outcome = _run(plan, glance, None, lines, dry_run=True, yes_destroy=False)
    assert len(outcome.done) == len(plan.actions)  # type: ignore[attr-defined]
    assert json.dumps(glance.images, sort_keys=True) == before and glance.calls == []
    assert len(lines) == len(plan.actions) and all(x.startswith("would ") for x in lines)
    assert "would delete" in lines[-1] and not list(tmp_path.iterdir())


def test_destructive_actions_need_confirmation() -> None:
    inv = inventory()
    plan = make_plan(inv, MOVE)
    glance = FakeGlance(inv.images)
    with pytest.raises(UsageError, match="--yes-destroy"):
        _run(plan, glance, yes_destroy=False)
    assert glance.calls == []


def test_limits_hold_the_rest_and_leave_the_plan_incomplete() -> None:
    inv = _many(4)
    plan = make_plan(inv, PlanPolicy(place=False, convert=False, moves=(("ceph", "local"),)))
    glance = FakeGlance(inv.images)
    _, outcome = _run(plan, glance, max_deletes=1, parallel=1)
    deletes = [c for c in glance.calls if c[0] == "delete-from-store"]
    assert len(deletes) == 1 and not outcome.complete  # type: ignore[attr-defined]
    assert any("--max-deletes" in why for _, why in outcome.held)  # type: ignore[attr-defined]
    glance = FakeGlance(inv.images)
    _, outcome = _run(plan, glance, max_bytes=1024 + 2048, parallel=1)
    copies = [c for c in glance.calls if c[0] == "copy"]
    assert len(copies) == 2 and not outcome.complete  # type: ignore[attr-defined]


def test_a_failed_copy_is_journaled_and_its_delete_never_runs(tmp_path: Path) -> None:
    inv = inventory()
    plan = make_plan(inv, MOVE)
    glance = FakeGlance(inv.images)
    glance.fail_stores.add("local")
    journal = _journal(tmp_path, plan)
    _, outcome = _run(plan, glance, journal)
    assert outcome.failed and not outcome.complete  # type: ignore[attr-defined]
    assert glance.images[RAW_IN_CEPH]["stores"] == "ceph"
    assert not [c for c in glance.calls if c[0] == "delete-from-store"]
    assert '"event": "failed"' in (tmp_path / "plan.journal").read_text()


def test_only_runs_the_named_action() -> None:
    inv = _many(3)
    plan = make_plan(inv, PlanPolicy(place=False, convert=False, moves=(("ceph", "local"),)))
    glance = FakeGlance(inv.images)
    _, outcome = _run(plan, glance, only=frozenset({plan.actions[2].id}))
    assert outcome.done == [plan.actions[2].id]  # type: ignore[attr-defined]
    assert glance.calls == [("copy", plan.actions[2].image_id, "local")]


def test_journal_of_another_plan_is_refused_and_a_torn_last_line_ignored(
    tmp_path: Path,
) -> None:
    path = tmp_path / "j"
    path.write_text('{"plan": "sha256:other"}\n{"id": "a0001", "event": "start"}\n')
    with pytest.raises(InputError, match="another plan"):
        Journal.open(str(path), "sha256:mine")
    path.write_text('{"plan": "sha256:other"}\n')  # refused before any step: start afresh
    fresh = Journal.open(str(path), "sha256:mine")
    fresh.close()
    assert json.loads(path.read_text().splitlines()[0])["plan"] == "sha256:mine"
    path.write_text('{"plan": "sha256:mine"}\n{"id": "a0001", "event": "done"}\n{"id": "a00')
    assert Journal.open(str(path), "sha256:mine").done == {"a0001"}


def test_the_lock_is_exclusive(tmp_path: Path) -> None:
    lock = str(tmp_path / "lock")
    held = pytest.raises(ImageyardError, match="another apply holds the lock")
    with exclusive(lock), held, exclusive(lock):
        pass
    with exclusive(lock):  # released when the holder is done
        pass


class _Steps:
    def __init__(self) -> None:
        self.begun: list[tuple[str, int | None]] = []
        self.done = 0

    def begin(self, label: str, total: int | None = None) -> None:
        self.begun.append((label, total))

    def advance(self, amount: int = 1) -> None:
        self.done += amount


def test_progress_counts_every_finished_action() -> None:
    inv = _many(5)
    plan = make_plan(inv, PlanPolicy(place=False, convert=False, moves=(("ceph", "local"),)))
    steps = _Steps()
    options = ApplyOptions(yes_destroy=True)
    outcome = Engine(plan, StepContext(FakeGlance(inv.images)), None, options, print, steps).run()
    assert outcome.complete and steps.begun == [("apply", len(plan.actions))]
    assert steps.done == len(plan.actions)
