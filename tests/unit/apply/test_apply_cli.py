"""``imageyard apply`` on bad input: one line and the documented exit code, nothing sent."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plan"))
from plan_support import inventory

from imageyard.cli import run
from imageyard.errors import ExitCode
from imageyard.plan import PlanPolicy, dump_plan, make_plan

DEAD = "http://127.0.0.1:9"  # discard port: nothing listens


@pytest.fixture
def plan(tmp_path: Path) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(dump_plan(make_plan(inventory(), PlanPolicy())))
    return path


def test_not_a_plan_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.json"
    bad.write_text("[]")
    assert run(["apply", str(bad), "--glance-endpoint", DEAD]) == ExitCode.BAD_INPUT
    assert "not an imageyard plan" in capsys.readouterr().err
    assert run(["apply", str(tmp_path / "missing.json")]) == ExitCode.BAD_INPUT


def test_unknown_action_ids_and_sizes_are_usage_errors(
    plan: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["apply", str(plan), "--only", "a9999", "--glance-endpoint", DEAD]) == 2
    assert "no action 'a9999'" in capsys.readouterr().err
    assert run(["apply", str(plan), "--stop-before", "zz", "--glance-endpoint", DEAD]) == 2
    assert run(["apply", str(plan), "--max-bytes", "lots", "--glance-endpoint", DEAD]) == 2


def test_unreachable_glance_is_one_line_not_a_traceback(
    plan: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(
        [
            "apply",
            str(plan),
            "--glance-endpoint",
            DEAD,
            "--lock-file",
            str(tmp_path / "lock"),
            "--dry-run",
        ]
    )
    err = capsys.readouterr().err
    assert code == ExitCode.ERROR and "Traceback" not in err
    assert err.startswith("imageyard: error: ") and len(err.strip().splitlines()) <= 2
