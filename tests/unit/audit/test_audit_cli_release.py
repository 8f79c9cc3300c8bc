"""``imageyard audit`` and ``design`` say where the target release came from."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from audit_support import CONFIG_FIXTURES, collect_dir

from imageyard import cli
from imageyard.model.api_version import ApiVersion
from imageyard.model.snapshot import dump_inventory


def _snapshot(tmp_path: Path, current: str | None) -> Path:
    inv = collect_dir(CONFIG_FIXTURES / "lab")
    if current is not None:
        inv = replace(inv, glance_versions=(ApiVersion(current, "CURRENT"),))
    out = tmp_path / "inventory.json"
    out.write_text(dump_inventory(inv))
    return out


def test_audit_infers_the_release_from_the_api(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = _snapshot(tmp_path, "v2.11")
    cli.run(["audit", "--inventory", str(inv), "-f", "json"])
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["release"]["major"] == 21
    assert "inferred from the Glance API (CURRENT v2.11" in doc["release"]["origin"]
    assert "Victoria (Glance 21)" in captured.err
    assert "[inferred from the Glance API" in captured.err


def test_audit_flag_wins_and_no_api_is_assumed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = _snapshot(tmp_path, "v2.11")
    cli.run(["audit", "--inventory", str(inv), "-f", "json", "--release", "30"])
    doc = json.loads(capsys.readouterr().out)
    assert (doc["release"]["major"], doc["release"]["origin"]) == (30, "--release 30")
    plain = _snapshot(tmp_path, None)
    cli.run(["audit", "--inventory", str(plain), "-f", "json"])
    doc = json.loads(capsys.readouterr().out)
    assert doc["release"]["major"] == 33 and doc["release"]["origin"].startswith("assumed")


def test_design_says_the_release_origin(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    inv = _snapshot(tmp_path, "v2.16")
    assert cli.run(["design", "--inventory", str(inv), "--no-audit", "-o", "-"]) == 0
    err = capsys.readouterr().err
    # 2.16 is Glance 24..28; the lab's store weights exist from 27
    assert "design for 2023.2 Bobcat (Glance 27)" in err
    assert "[inferred from the Glance API (CURRENT v2.16: Glance 24..28)" in err
    assert "[fast] weight exists from Glance 27" in err
