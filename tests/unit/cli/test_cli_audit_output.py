"""``imageyard audit`` on a terminal: width, one summary line, markup, no glance-api.conf."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.errors import ExitCode

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def _snapshot(config_dir: Path, tmp_path: Path) -> Path:
    out = tmp_path / "inventory.json"
    assert cli.run(["collect", "-q", "--config-dir", str(config_dir), "--out", str(out)]) == 0
    return out


def test_table_on_stdout_fits_columns_and_says_the_summary_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    inv = _snapshot(
        FIXTURES / "audit" / "option-list-without-brackets" / "fail-no-brackets", tmp_path
    )
    monkeypatch.setenv("COLUMNS", "80")
    code = cli.run(["audit", "--inventory", str(inv), "--fail-on", "none"])
    out, err = capsys.readouterr()
    assert code == ExitCode.OK
    assert max(len(line) for line in out.splitlines()) <= 80
    assert "[DEFAULT]" in out and "[image_import_opts]" in out  # not eaten as markup
    assert (out + err).count("rules for ") == 1
    assert out.count("option-list-without-brackets (2") == 1  # one block for the rule


def test_audit_without_any_glance_api_conf_exits_5_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = _snapshot(FIXTURES / "configs" / "ubuntu-compute", tmp_path)
    code = cli.run(["audit", "--inventory", str(inv)])
    out, err = capsys.readouterr()
    assert code == ExitCode.BAD_INPUT
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith("imageyard: error: ") and "no glance-api configuration" in first
    assert "not found in" in first
    assert "Traceback" not in err


def test_collect_summary_keeps_section_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "cinder.conf"
    conf.write_text("[DEFAULT]\nenabled_backends = rbd1\n")
    code = cli.run(["collect", "--cinder-conf", str(conf), "--out", str(tmp_path / "i.json")])
    err = capsys.readouterr().err
    assert code == ExitCode.OK
    assert "backend [rbd1] has no section" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["audit", "--fail-on", "info"],
        ["audit", "-f", "sarif"],
        ["paths"],
        ["design"],
        ["show"],
    ],
)
def test_the_console_script_says_what_the_command_says_in_process(
    argv: list[str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The console script ends the process at once after these commands (``gcpause.hold``):
    its stdout, stderr and exit code are still the command's, whole."""
    inv = _snapshot(
        FIXTURES / "audit" / "option-list-without-brackets" / "fail-no-brackets", tmp_path
    )
    args = [*argv, str(inv)]
    code = cli.run(args)
    out, err = capsys.readouterr()
    monkeypatch.delenv("PYTHONUNBUFFERED", raising=False)  # stdout buffered, as in a pipe
    proc = subprocess.run(
        [sys.executable, "-m", "imageyard", *args], capture_output=True, text=True, check=False
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (code, out, err)
    assert out


def test_the_table_imports_neither_yaml_nor_the_other_formats(tmp_path: Path) -> None:
    inv = _snapshot(
        FIXTURES / "audit" / "option-list-without-brackets" / "fail-no-brackets", tmp_path
    )
    code = (
        "import sys\n"
        "from imageyard import cli\n"
        f"cli.run(['audit', '-q', {str(inv)!r}, '-o', {str(tmp_path / 'a.txt')!r}])\n"
        "lazy = {'yaml', 'imageyard.report.json_format', 'imageyard.report.sarif',\n"
        "        'imageyard.report.markdown', 'imageyard.audit.mutefile'}\n"
        "print(sorted(lazy & set(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "a.txt").read_text().startswith("CRITICAL option-list-without-brackets")
    assert proc.stdout.strip().splitlines()[-1] == "[]"
