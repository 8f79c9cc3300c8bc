"""One grammar: snapshot positional or --inventory, -o/--output (and --out), one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from imageyard import cli
from imageyard.errors import ExitCode

FIXTURES = Path(__file__).parents[2] / "fixtures" / "configs"


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    out = tmp_path / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "-o", str(out)]) == 0
    return out


@pytest.mark.parametrize("command", ["show", "audit", "design", "paths"])
def test_snapshot_positional_or_option(
    command: str, snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--fail-on", "none"] if command == "audit" else []
    outputs = []
    for how in ([str(snapshot)], ["--inventory", str(snapshot)]):
        assert cli.run([command, *how, *extra]) == ExitCode.OK
        outputs.append(capsys.readouterr().out)
    assert outputs[0] == outputs[1] != ""


@pytest.mark.parametrize("command", ["show", "audit", "design", "paths"])
def test_two_different_snapshots_are_a_usage_error(
    command: str, snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "other.json"
    other.write_bytes(snapshot.read_bytes())
    assert cli.run([command, str(snapshot), "--inventory", str(other)]) == ExitCode.USAGE
    assert len(capsys.readouterr().err.strip().splitlines()) == 1


@pytest.mark.parametrize("flag", ["-o", "--output", "--out"])
@pytest.mark.parametrize("command", ["show", "audit", "design", "paths"])
def test_output_flags(command: str, flag: str, snapshot: Path, tmp_path: Path) -> None:
    target = tmp_path / "result.txt"
    extra = ["--fail-on", "none"] if command == "audit" else []
    assert cli.run([command, str(snapshot), flag, str(target), *extra]) == ExitCode.OK
    assert target.read_text() != ""


@pytest.mark.parametrize("command", ["show", "audit", "design", "paths"])
def test_output_over_the_input_is_refused(
    command: str, snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot.read_bytes()
    assert cli.run([command, str(snapshot), "-o", str(snapshot)]) == ExitCode.USAGE
    assert snapshot.read_bytes() == before
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "would overwrite the input" in err[0]


def test_collect_output_over_a_config_file_is_refused(tmp_path: Path) -> None:
    conf = tmp_path / "glance-api.conf"
    conf.write_text((FIXTURES / "lab" / "glance-api.conf").read_text())
    before = conf.read_bytes()
    assert cli.run(["collect", "-q", "--glance-api-conf", str(conf), "-o", str(conf)]) == 2
    assert conf.read_bytes() == before


@pytest.mark.parametrize(
    "argv",
    [
        ["collect", "--no-such-flag"],
        ["audit"],
        ["audit", "x.json", "-f", "yaml"],
        ["design"],
        ["show"],
        ["collect", "--glance-endpoint", "ftp://x"],
        ["nosuchcommand"],
    ],
)
def test_usage_errors_take_one_line(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(argv) == ExitCode.USAGE
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("imageyard: error: ")
