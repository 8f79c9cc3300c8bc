"""``imageyard paths`` on a snapshot: formats, the summary line, grouping, bad input."""

from __future__ import annotations

import csv
import io
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "audit"))
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.cli import run
from imageyard.errors import ExitCode
from imageyard.model.image import Image
from imageyard.model.snapshot import write_inventory
from imageyard.paths import build_paths
from imageyard.paths.render import render_table

CASE = AUDIT_FIXTURES / "cow-not-eligible" / "fail-qcow2-and-file-only"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    inv = collect_dir(CASE)
    path = tmp_path / "inv.json"
    write_inventory(inv, path)
    return path


def test_json_has_every_image_on_every_consumer(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["paths", str(snapshot), "-f", "json"]) == ExitCode.OK
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    inv = collect_dir(CASE)
    names = [c["name"] for c in doc["consumers"]]
    assert len(doc["paths"]) == len(inv.images) * len(names) and names
    assert {(r["consumer"], r["image_id"]) for r in doc["paths"]} == {
        (n, i.id) for n in names for i in inv.images
    }
    for c in doc["consumers"]:
        clones = sum(1 for r in doc["paths"] if r["consumer"] == c["name"] and r["path"] == "clone")
        assert c["clones"] == clones
        line = f"{clones} of {c['bootable']} bootable images clone on {c['name']}"
        assert c["summary"] == line and f"imageyard: {line}" in captured.err
    assert all(r["reasons"] and r["cause"] for r in doc["paths"])


def test_csv_one_line_per_image_and_consumer(snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "paths.csv"
    assert run(["paths", "--inventory", str(snapshot), "-f", "csv", "-o", str(out), "-q"]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    doc = list(build_paths(collect_dir(CASE)).rows())
    assert len(rows) == len(doc)
    assert {r["path"] for r in rows} == {r.verdict.path.value for r in doc}


def test_table_groups_by_cause_and_stays_short_for_many_images() -> None:
    inv = collect_dir(CASE)
    (qcow,) = [i for i in inv.images if i.disk_format == "qcow2"]
    many: tuple[Image, ...] = tuple(
        replace(qcow, id=f"{n:08d}-0000-4000-8000-000000000000", name=f"img-{n}")
        for n in range(2000)
    )
    small, big = (
        "".join(render_table(build_paths(inv))),
        "".join(render_table(build_paths(replace(inv, images=many)))),
    )
    assert len(big.splitlines()) <= len(small.splitlines())
    assert "2000 of 2000 bootable" not in big and "and 1997 more" in big


def test_unknown_consumer_is_a_usage_error(
    snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["paths", str(snapshot), "--consumer", "nova:nope"]) == ExitCode.USAGE
    assert "no consumer 'nova:nope'" in capsys.readouterr().err


def test_bad_snapshot_is_one_line_exit_5(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("not json")
    assert run(["paths", str(bad)]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert err.startswith("imageyard: error:") and "Traceback" not in err
