"""``imageyard metrics`` and ``imageyard diff`` on generated snapshots (gold files, behaviour)."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from report_support import GOLD, scrub, snapshot

from imageyard.cli import run
from imageyard.model.snapshot import read_inventory, write_inventory

SERIES = re.compile(r"^([a-z_]+)(\{[^}]*\})? (\S+)$")


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot(tmp_path_factory.mktemp("small"), 30)


def _metrics(inv: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert run(["metrics", str(inv)]) == 0
    return capsys.readouterr().out


def test_metrics_match_gold(small: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert scrub(_metrics(small, capsys)) == (GOLD / "metrics.prom").read_text()


def test_every_series_belongs_to_a_declared_gauge(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _metrics(small, capsys)
    typed = set(re.findall(r"^# TYPE (\S+) gauge$", text, re.M))
    helped = set(re.findall(r"^# HELP (\S+) \S", text, re.M))
    assert typed == helped and "imageyard_store_bytes" in typed
    series = [line for line in text.splitlines() if not line.startswith("#")]
    for line in series:
        match = SERIES.match(line)
        assert match is not None, line
        assert match.group(1) in typed
        float(match.group(3))


def test_no_series_names_an_image_and_the_count_does_not_grow_with_the_catalog(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = _metrics(small, capsys)
    for image in read_inventory(small).images:
        assert image.id not in text
        assert f'"{image.name}"' not in text
    big = _metrics(snapshot(tmp_path, 300), capsys)
    assert big.count("\n") == text.count("\n")


def _changed(old: Path, tmp: Path) -> tuple[Path, dict[str, str]]:
    """A copy of ``old`` with one image removed, one added, one moved to another store and
    one converted's original hidden."""
    inv = read_inventory(old)
    images = list(inv.images)
    gone = images.pop(0)
    mover = next(i for i in images if i.stores == ("ceph",))
    moved = replace(mover, stores=("ceph", "fast"))
    original = next(i for i in images if i.disk_format == "qcow2" and not i.os_hidden)
    hidden = replace(original, os_hidden=True)
    added = replace(images[-1], id="00000000-0000-4000-8000-000000000001", name="newcomer")
    edits = {mover.id: moved, original.id: hidden}
    images = [edits.get(i.id, i) for i in images] + [added]
    new = tmp / "new.json"
    write_inventory(replace(inv, images=tuple(images)), new)
    ids = {"removed": gone.id, "moved": mover.id, "added": added.id, "hidden": original.id}
    return new, ids


def test_diff_lists_exactly_the_changes(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new, ids = _changed(small, tmp_path)
    capsys.readouterr()
    assert run(["diff", str(small), str(new), "-f", "json", "--exit-code"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert [i["id"] for i in doc["images"]["added"]] == [ids["added"]]
    assert [i["id"] for i in doc["images"]["removed"]] == [ids["removed"]]
    assert doc["images"]["moved"] == [
        {"id": ids["moved"], "name": doc["images"]["moved"][0]["name"], "left": [],
         "joined": ["fast"]}
    ]  # fmt: skip
    assert doc["images"]["changed"] == [
        {"id": ids["hidden"], "name": doc["images"]["changed"][0]["name"],
         "fields": {"os_hidden": [False, True]}}
    ]  # fmt: skip
    fast = next(s for s in doc["stores"] if s["store"] == "fast")
    assert fast["new_images"] == fast["old_images"] + 1


def test_diff_of_a_snapshot_with_itself_is_empty(
    small: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    assert run(["diff", str(small), str(small), "-f", "json", "--exit-code"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["images"] == {"added": [], "removed": [], "moved": [], "changed": []}
    assert doc["findings"] == {"new": [], "fixed": []}


def test_diff_markdown_matches_gold(
    small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    new, _ = _changed(small, tmp_path)
    capsys.readouterr()
    assert run(["diff", str(small), str(new), "-f", "markdown"]) == 0
    assert scrub(capsys.readouterr().out) == (GOLD / "diff.md").read_text()


@pytest.mark.parametrize("command", [["metrics"], ["report", "-o", "-"], ["diff", "OTHER"]])
def test_a_missing_or_bad_snapshot_is_one_line_and_exit_5(
    command: list[str], small: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    argv = [command[0], str(bad), *[str(small) if c == "OTHER" else c for c in command[1:]]]
    capsys.readouterr()
    assert run(argv) == 5
    err = capsys.readouterr().err
    assert err.startswith("imageyard: error: ") and "Traceback" not in err
