"""Plan generation: placement, conversion, moves, drops, fingerprints, the plan file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from plan_support import QCOW2_IN_CEPH, RAW_IN_CEPH, RAW_IN_FILE, inventory

from imageyard.cli import run
from imageyard.errors import ExitCode, InputError
from imageyard.model.plan import ImageState
from imageyard.model.snapshot import write_inventory
from imageyard.plan import PlanPolicy, dump_plan, make_plan, read_plan
from imageyard.plan.generate import state_of


def _kinds(policy: PlanPolicy) -> list[tuple[str, str, str]]:
    plan = make_plan(inventory(), policy)
    return [(a.kind, a.image_id, a.target) for a in plan.actions]


def test_placement_copies_the_file_image_and_converts_the_qcow2() -> None:
    assert _kinds(PlanPolicy()) == [
        ("convert-to-raw", QCOW2_IN_CEPH, "ceph"),
        ("copy-image", RAW_IN_FILE, "ceph"),
        ("retire-image", QCOW2_IN_CEPH, "hide"),  # after every other step on the image
    ]


def test_policy_flags_turn_rules_off_and_select_images() -> None:
    assert _kinds(PlanPolicy(convert=False)) == [("copy-image", RAW_IN_FILE, "ceph")]
    assert _kinds(PlanPolicy(place=False, retire="rename"))[1] == (
        "retire-image",
        QCOW2_IN_CEPH,
        "rename",
    )
    assert _kinds(PlanPolicy(images=("3333*",))) == [("copy-image", RAW_IN_FILE, "ceph")]


def test_move_is_copy_then_dependent_delete_and_never_the_last_copy() -> None:
    plan = make_plan(
        inventory(), PlanPolicy(place=False, convert=False, moves=(("ceph", "local"),))
    )
    by_image: dict[str, list[str]] = {}
    for a in plan.actions:
        by_image.setdefault(a.image_id, []).append(a.kind)
    assert by_image[RAW_IN_CEPH] == ["copy-image", "delete-from-store"]
    copy, delete = [a for a in plan.actions if a.image_id == RAW_IN_CEPH]
    assert delete.depends_on == (copy.id,) and delete.destructive and not copy.destructive
    assert copy.result == delete.expect
    image = inventory().image(RAW_IN_CEPH)
    assert image is not None
    assert delete.result == state_of(image).with_store("local").without_store("ceph").fingerprint
    drop = make_plan(inventory(), PlanPolicy(place=False, convert=False, drops=("local",)))
    assert drop.actions == ()  # the only image in "local" has no other copy


def test_inactive_images_are_never_planned() -> None:
    inv = inventory()
    images = tuple(replace(i, status="deactivated") for i in inv.images)
    assert make_plan(replace(inv, images=images), PlanPolicy()).actions == ()


def test_fingerprint_covers_stores_and_hash() -> None:
    s = ImageState("x", "active", "raw", 1, "h", ("b", "a"))
    assert s.fingerprint == ImageState("x", "active", "raw", 1, "h", ("a", "b")).fingerprint
    assert s.fingerprint != s.with_store("c").fingerprint
    assert s.fingerprint != replace(s, os_hash_value="g").fingerprint


def test_plan_file_round_trip_and_bad_files(tmp_path: Path) -> None:
    plan = make_plan(inventory(), PlanPolicy(), prices={"ceph": 0.1})
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(plan))
    assert read_plan(path) == plan
    doc = json.loads(dump_plan(plan))
    doc["actions"][2]["depends_on"] = ["a0003"]
    path.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="depends on 'a0003'"):
        read_plan(path)
    path.write_text('{"format": "something-else"}')
    with pytest.raises(InputError, match="not an imageyard plan"):
        read_plan(path)


def test_cli_make_exits_3_with_changes_and_show_prints_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = tmp_path / "inv.json"
    write_inventory(inventory(), inv)
    plan = tmp_path / "plan.json"
    args = ["plan", "make", str(inv), "-o", str(plan), "--cost", "ceph=0.5"]
    assert run(args) == ExitCode.FINDINGS
    assert run(["plan", "show", str(plan)]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "3 actions" in out and f"({RAW_IN_FILE}) to store ceph" in out and "Monthly cost" in out
    assert run(["plan", "make", str(inv), "-o", str(plan), "--image", "nothing"]) == 0
    assert run(["plan", "make", str(inv), "--cost", "ceph=x"]) == ExitCode.USAGE
    (tmp_path / "bad.json").write_text("{")
    assert run(["plan", "show", str(tmp_path / "bad.json")]) == ExitCode.BAD_INPUT
