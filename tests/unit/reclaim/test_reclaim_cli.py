"""``imageyard reclaim``: formats, exit codes, mutes, bad input; design section (e) agrees."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from reclaim_support import (
    DATADIR,
    FSID,
    OLD,
    add_objects,
    add_rbd,
    healthy,
    image,
    rbd,
    set_pool,
    uid,
)

from imageyard.cli import run
from imageyard.errors import ExitCode
from imageyard.model.ceph import TrashEntry
from imageyard.model.inventory import Inventory
from imageyard.model.objects import StoredObject
from imageyard.model.snapshot import write_inventory

ORPHAN = uid(9, "d")


def messy() -> Inventory:
    """Orphans of several classes, a missing location, a duplicate group, a trash entry."""
    inv = add_rbd(healthy(), "images", rbd("images", ORPHAN, used=3000))
    inv = add_rbd(inv, "vms", rbd("vms", f"{uid(6, 'b')}_disk"))
    inv = add_objects(inv, "swift", StoredObject(uid(10, "d"), 10, OLD))
    inv = set_pool(inv, "images", trash=(TrashEntry("77aa", uid(11, "d"), deleted_at=OLD, size=5),))
    twin = image(uid(21), "fast", f"file://{DATADIR}/{uid(21)}", os_hash_value=f"hash-{uid(2)}")
    lost = image(uid(22), "ceph", f"rbd://{FSID}/images/{uid(22)}/snap")
    inv = add_objects(inv, "fast", StoredObject(uid(21), 1000, OLD))
    return replace(inv, images=(*inv.images, twin, lost))


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    path = tmp_path / "inv.json"
    write_inventory(messy(), path)
    return path


def _json(snapshot: Path, capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code = run(["reclaim", str(snapshot), "-f", "json", "--fail-on", "none", *args])
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert isinstance(doc, dict)
    return doc


def test_json_lists_each_item_with_bytes_and_action(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _json(snapshot, capsys)
    items = {(i["class"], i["resource"]): i for i in doc["items"]}  # type: ignore[attr-defined]
    assert set(items) == {
        ("rbd-no-glance-image", f"rbd images/{ORPHAN}"),
        ("swift-no-glance-image", f"swift glance/{uid(10, 'd')}"),
        ("location-data-missing", f"image {uid(22)}"),
        ("rbd-trash-entry", "rbd-trash images/77aa"),
        ("nova-disk-no-server", f"rbd vms/{uid(6, 'b')}_disk"),
        ("duplicate-image", f"image {uid(21)}"),
    }
    orphan = items[("rbd-no-glance-image", f"rbd images/{ORPHAN}")]
    assert (orphan["used"], orphan["provisioned"], orphan["reclaimable"]) == (3000, 4000, 3000)
    assert orphan["action"]["kind"] == "rbd-trash-move"
    assert doc["schema"] == "imageyard-reclaim/1"
    assert doc["duplicates"][0]["keep"] == uid(2)  # type: ignore[index]


def test_table_markdown_and_sarif_say_the_same(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("table", "markdown"):
        assert run(["reclaim", str(snapshot), "-f", fmt, "--fail-on", "none"]) == 0
        text = capsys.readouterr().out
        assert f"images/{ORPHAN}" in text and "nothing was deleted" in text, fmt
    assert run(["reclaim", str(snapshot), "-f", "sarif", "--fail-on", "none"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    results = sarif["runs"][0]["results"]
    assert sorted(r["ruleId"] for r in results) == sorted(
        [
            "rbd-no-glance-image",
            "swift-no-glance-image",
            "location-data-missing",
            "rbd-trash-entry",
            "nova-disk-no-server",
            "duplicate-image",
        ]
    )


def test_high_item_gives_exit_3_and_fail_on_none_gives_0(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["reclaim", str(snapshot), "-q"]) == ExitCode.FINDINGS  # location-data-missing
    assert run(["reclaim", str(snapshot), "--fail-on", "critical", "-q"]) == ExitCode.OK
    assert run(["reclaim", str(snapshot), "--fail-on", "low", "-q"]) == ExitCode.FINDINGS


def test_healthy_snapshot_exits_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "inv.json"
    write_inventory(healthy(), path)
    assert run(["reclaim", str(path), "--fail-on", "info", "-q"]) == ExitCode.OK


def test_mute_file_mutes_and_changes_the_exit_code(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mutes = tmp_path / "mutes.yaml"
    mutes.write_text(
        "- rule: location-data-missing\n  resource: 'image *'\n  reason: restoring from backup\n"
        "  expires: 2999-01-01\n"
    )
    assert run(["reclaim", str(snapshot), "--mute", str(mutes), "-q"]) == ExitCode.OK
    assert "(muted)" in capsys.readouterr().out
    doc = _json(snapshot, capsys, "--mute", str(mutes))
    muted = [i for i in doc["items"] if i["status"] == "muted"]  # type: ignore[attr-defined]
    assert [i["class"] for i in muted] == ["location-data-missing"]
    assert muted[0]["reclaimable"] == 0


def test_output_file_and_summary_on_stderr(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "r.json"
    assert run(["reclaim", "--inventory", str(snapshot), "-f", "json", "-o", str(out),
                "--fail-on", "none"]) == 0  # fmt: skip
    assert json.loads(out.read_text())["summary"]["items"] == 6
    assert "imageyard: reclaim: 6 items" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["--grace", "soon"], ExitCode.USAGE, "not a duration"),
        (["--unused-days", "0"], ExitCode.USAGE, "--unused-days"),
        ([], ExitCode.USAGE, "give the snapshot"),
    ],
)
def test_usage_errors_are_one_line(
    args: list[str], code: int, words: str, snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["reclaim", *args] + ([str(snapshot)] if args else [])
    assert run(argv) == code
    err = capsys.readouterr().err
    assert words in err and len(err.strip().splitlines()) == 1


def test_bad_snapshot_and_bad_mute_file_are_exit_5(
    snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    assert run(["reclaim", str(bad)]) == ExitCode.BAD_INPUT
    mutes = tmp_path / "m.yaml"
    mutes.write_text("- rule: x\n")
    assert run(["reclaim", str(snapshot), "--mute", str(mutes)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("imageyard: error:") == 2


def test_design_lists_the_same_orphans_pins_and_duplicates(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = _json(snapshot, capsys)
    assert run(["design", str(snapshot), "-f", "json", "--no-audit"]) == 0
    design = json.loads(capsys.readouterr().out)["reclaim"]
    families = {c["id"]: c["family"] for c in doc["classes"]}  # type: ignore[attr-defined]
    orphans = [
        i["resource"]
        for i in doc["items"]  # type: ignore[attr-defined]
        if families[i["class"]] in ("backend", "deleted", "consumer")
    ]
    assert design["orphans"] == orphans and len(orphans) == 4
    assert design["pins"] == [p["spec"] for p in doc["pins"]]  # type: ignore[attr-defined]
    assert design["pins"] == [f"images/{uid(1)}@snap"]
    assert [p["delete_returns_409"] for p in doc["pins"]] == [True]  # type: ignore[attr-defined]
    groups = [[g["keep"], *g["copies"]] for g in doc["duplicates"]]  # type: ignore[attr-defined]
    assert design["duplicates"] == groups == [[uid(2), uid(21)]]
    assert run(["design", str(snapshot), "--no-audit"]) == 0
    memo = capsys.readouterr().out
    assert all(o.split(" ", 1)[1] in memo for o in orphans)


def test_pools_shared_with_other_users_are_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = add_rbd(messy(), "images", rbd("images", "backup-volume-not-glance"))
    path = tmp_path / "inv.json"
    write_inventory(inv, path)
    assert _json(path, capsys)["shared_with_others"] == ["pool images"]


def test_location_credentials_never_reach_any_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY"
    lost = image(uid(61), "s3", f"s3://AKIAEXAMPLE:{secret}@rgw.example/glance-s3/{uid(61)}")
    path = tmp_path / "inv.json"
    write_inventory(replace(healthy(), images=(*healthy().images, lost)), path)
    for fmt in ("table", "json", "markdown", "sarif"):
        assert run(["reclaim", str(path), "-f", fmt, "--fail-on", "none"]) == 0
        out = capsys.readouterr().out
        assert uid(61) in out, fmt  # the item is there ...
        assert secret not in out and "AKIAEXAMPLE" not in out, fmt  # ... without the keys
