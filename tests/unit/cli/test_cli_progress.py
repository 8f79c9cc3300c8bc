"""Offline commands show their steps on stderr when it is a terminal, and only then: not
into a pipe or a file, not with -q. The terminal is a rich Console forced to be one."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from imageyard import cli
from imageyard.audit.registry import RULES
from imageyard.cli import progress

FIXTURES = Path(__file__).parents[2] / "fixtures"
SITE = Path(__file__).parents[3] / "examples" / "all-ceph.yaml"

# command -> what its steps say (besides reading the snapshot)
STEPS = {
    "show": ("summarising",),
    "audit": ("audit rules", "writing the json report"),
    "paths": ("paths", "writing the json paths"),
    "design": ("designing", "writing the design"),
}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("progress") / "inv.json"
    argv = ["collect", "-q", "--config-dir", str(FIXTURES / "configs" / "lab"), "-o", str(out)]
    assert cli.run(argv) == 0
    return out


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=120)
    monkeypatch.setattr(progress, "stderr_console", lambda: console)
    return screen


def _argv(command: str, snapshot: Path, tmp_path: Path) -> list[str]:
    argv = [command, str(snapshot), "-o", str(tmp_path / "out")]
    if command in ("audit", "paths"):
        argv += ["-f", "json"]
    if command == "audit":
        argv += ["--fail-on", "none"]
    return argv


@pytest.mark.parametrize("command", sorted(STEPS))
def test_steps_are_shown_on_a_terminal(
    command: str, snapshot: Path, tmp_path: Path, terminal: io.StringIO
) -> None:
    assert cli.run(_argv(command, snapshot, tmp_path)) == 0
    screen = terminal.getvalue()
    for label in (f"reading {snapshot}", *STEPS[command]):
        assert label in screen, (command, label)


@pytest.mark.parametrize("command", sorted(STEPS))
def test_quiet_shows_no_steps(
    command: str, snapshot: Path, tmp_path: Path, terminal: io.StringIO
) -> None:
    assert cli.run([*_argv(command, snapshot, tmp_path), "-q"]) == 0
    assert terminal.getvalue() == ""


@pytest.mark.parametrize("command", sorted(STEPS))
def test_no_steps_into_a_pipe(
    command: str, snapshot: Path, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(_argv(command, snapshot, tmp_path)) == 0
    err = capfd.readouterr().err
    assert "reading" not in err and "\x1b" not in err


def test_a_site_design_shows_reading_the_site(tmp_path: Path, terminal: io.StringIO) -> None:
    assert cli.run(["design", "--site", str(SITE), "-o", str(tmp_path / "d.md")]) == 0
    assert f"reading {SITE}" in terminal.getvalue()


def test_audit_counts_its_rules(snapshot: Path, tmp_path: Path, terminal: io.StringIO) -> None:
    assert cli.run(_argv("audit", snapshot, tmp_path)) == 0
    assert f"0/{len(RULES)}" in terminal.getvalue()


def test_paths_written_to_stdout_while_the_line_is_shown_stay_on_stdout(
    snapshot: Path, terminal: io.StringIO, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["paths", str(snapshot), "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["schema"] == "imageyard-paths/1"
    assert "writing the json paths" in terminal.getvalue()
    assert '"schema"' not in terminal.getvalue()


def test_a_step_names_a_file_as_it_is(
    snapshot: Path, tmp_path: Path, terminal: io.StringIO
) -> None:
    # "[/x]" (in a directory named "["): what rich would read as a closing tag
    odd = tmp_path / "[" / "x][red]\x1b]0;t\x07.json"
    odd.parent.mkdir()
    odd.write_bytes(snapshot.read_bytes())
    assert cli.run(["show", str(odd), "-o", str(tmp_path / "out")]) == 0
    screen = terminal.getvalue()
    assert "[/x][red]␛]0;t␇.json" in screen
    assert "\x07" not in screen
