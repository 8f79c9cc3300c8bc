"""``imageyard audit``: formats, output file, --fail-on, --rule, --release and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, CONFIG_FIXTURES

from imageyard import cli
from imageyard.errors import ExitCode


def _snapshot(config_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "inventory.json"
    assert cli.run(["collect", "-q", "--config-dir", str(config_dir), "--out", str(out)]) == 0
    return out


@pytest.fixture
def lab_inv(tmp_path: Path) -> Path:
    return _snapshot(CONFIG_FIXTURES / "lab", tmp_path)


@pytest.fixture
def broken_inv(tmp_path: Path) -> Path:
    return _snapshot(
        AUDIT_FIXTURES / "default-backend-not-enabled" / "fail-default-unset", tmp_path
    )


def test_critical_finding_exits_3(broken_inv: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run(["audit", "--inventory", str(broken_inv), "-f", "json"])
    assert code == ExitCode.FINDINGS
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert "default-backend-not-enabled" in {f["rule_id"] for f in doc["findings"]}
    assert "rules for 2026.2" in captured.err


def test_fail_on_above_the_worst_finding_exits_0(lab_inv: Path) -> None:
    # the lab's worst finding is a low-confidence high (locations shown, single glance-api)
    assert (
        cli.run(["audit", "-q", "--inventory", str(lab_inv), "--fail-on", "critical", "-f", "json"])
        == ExitCode.OK
    )
    assert cli.run(["audit", "-q", "--inventory", str(lab_inv), "-f", "json"]) == ExitCode.FINDINGS
    assert (
        cli.run(["audit", "-q", "--inventory", str(lab_inv), "--fail-on", "none", "-f", "json"])
        == ExitCode.OK
    )


def test_rule_selection_by_id_and_category(
    lab_inv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = cli.run(
        [
            "audit",
            "-q",
            "--inventory",
            str(lab_inv),
            "-f",
            "json",
            "--rule",
            "removed-option",
            "--rule",
            "startup",
        ]
    )
    assert code == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    ids = {r["id"] for r in doc["rules"]}
    assert "removed-option" in ids and "default-backend-not-enabled" in ids
    assert "locations-exposed-user-facing" not in ids


def test_muted_findings_do_not_fail(lab_inv: Path, tmp_path: Path) -> None:
    mute = tmp_path / "mute.yaml"
    mute.write_text(
        "- rule: locations-exposed-user-facing\n  resource: 'file */glance-api.conf'\n"
        "  reason: lab endpoint on loopback\n  expires: 2999-01-01\n"
    )
    out = tmp_path / "report.json"
    code = cli.run(
        [
            "audit",
            "-q",
            "--inventory",
            str(lab_inv),
            "--mute",
            str(mute),
            "-f",
            "json",
            "-o",
            str(out),
        ]
    )
    assert code == ExitCode.OK
    doc = json.loads(out.read_text())
    muted = [f for f in doc["findings"] if f["status"] == "muted"]
    assert muted and muted[0]["mute"]["reason"] == "lab endpoint on loopback"


def test_malformed_mute_file_exits_5(
    lab_inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mute = tmp_path / "mute.yaml"
    mute.write_text("- rule: x\n  reason: r\n  expires: tomorrow\n")
    code = cli.run(["audit", "--inventory", str(lab_inv), "--mute", str(mute)])
    assert code == ExitCode.BAD_INPUT
    first = capsys.readouterr().err.splitlines()[0]
    assert first.startswith(f"imageyard: error: {mute}:3: ")


def test_bad_snapshot_exits_5(tmp_path: Path) -> None:
    bad = tmp_path / "inventory.json"
    bad.write_text("not json")
    assert cli.run(["audit", "--inventory", str(bad)]) == ExitCode.BAD_INPUT


@pytest.mark.parametrize(
    "args",
    [["--rule", "no-such-rule"], ["--release", "banana"], ["--format", "xml"], []],
)
def test_usage_errors_exit_2(lab_inv: Path, args: list[str]) -> None:
    base = ["audit", "--inventory", str(lab_inv)] if args else ["audit"]
    assert cli.run([*base, *args]) == ExitCode.USAGE


@pytest.mark.parametrize("fmt", ["table", "json", "markdown", "sarif"])
def test_every_format_renders(
    fmt: str, broken_inv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cli.run(["audit", "-q", "--inventory", str(broken_inv), "-f", fmt])
    assert "default-backend-not-enabled" in capsys.readouterr().out


def test_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["audit", "--list-rules"]) == ExitCode.OK
    assert "unknown-store-option" in capsys.readouterr().out
