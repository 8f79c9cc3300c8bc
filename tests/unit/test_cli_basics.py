"""The CLI's outer contract: version, help, python -m, and the error boundary."""

from __future__ import annotations

import ast
import subprocess
import sys

import click
import pytest

import imageyard
from imageyard import cli
from imageyard.errors import ConfigFileError, ExitCode


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--version"]) == ExitCode.OK
    assert imageyard.__version__ in capsys.readouterr().out


def test_help_lists_collect(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["--help"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "collect" in out
    assert "Usage:" in out


def test_python_dash_m_runs_the_same_cli() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "imageyard", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert imageyard.__version__ in proc.stdout


def test_unknown_option_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["collect", "--no-such-option"]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "no-such-option" in err
    assert "Traceback" not in err


def test_library_errors_become_one_line_and_their_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command("boom")
    def boom() -> None:
        raise ConfigFileError("/etc/glance/glance-api.conf", "not an INI line", line=7)

    monkeypatch.setattr(cli.cli, "commands", {**cli.cli.commands, "boom": boom})
    assert cli.run(["boom"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["imageyard: error: /etc/glance/glance-api.conf:7: not an INI line"]


def test_unexpected_exceptions_leave_a_crash_log(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    @click.command("bug")
    def bug() -> None:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(cli.cli, "commands", {**cli.cli.commands, "bug": bug})
    assert cli.run(["bug"]) == ExitCode.INTERNAL
    err = capsys.readouterr().err
    assert "Traceback" not in err
    log_path = err.split("crash log: ")[1].rstrip(")\n")
    with open(log_path) as fh:
        assert "ZeroDivisionError" in fh.read()


def test_every_command_is_registered_under_its_own_name() -> None:
    commands = cli.cli.commands
    assert sorted(commands) == sorted(cli._COMMANDS)
    assert all(command.name == name for name, command in commands.items())


def _loaded_after(commands: list[list[str]], modules: set[str]) -> list[str]:
    """Which of ``modules`` a fresh interpreter has imported after running ``commands``."""
    code = (
        "import sys\n"
        "from imageyard import cli\n"
        f"for args in {commands!r}:\n"
        "    cli.run(args)\n"
        f"print(sorted({sorted(modules)!r} & sys.modules.keys()))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    loaded: list[str] = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    return loaded


def test_show_imports_neither_collect_nor_apply() -> None:
    heavy = {"openstack", "boto3", "rados", "imageyard.cli.collect", "imageyard.apply"}
    assert _loaded_after([["show", "--help"]], heavy) == []


def test_audit_and_design_load_oslo_config_types_only_when_a_rule_checks_a_value() -> None:
    commands = [["audit", "--help"], ["design", "--help"]]
    assert _loaded_after(commands, {"oslo_config.types"}) == []
