"""Mute files: active mutes mark findings muted, expired ones stop muting, bad files exit 5."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.audit.engine import Verdict, run_audit
from imageyard.audit.mute import MuteFileError, parse_mutes, read_mutes
from imageyard.audit.registry import rules_by_id
from imageyard.audit.rule import AuditContext
from imageyard.errors import ExitCode
from imageyard.model.finding import Status

FIXTURE = AUDIT_FIXTURES / "deprecated-option" / "fail-legacy-stores"
TODAY = datetime.date(2026, 6, 1)


def _run(text: str) -> tuple[Status, ...]:
    mutes = parse_mutes(text, origin="mute.yaml")
    result = run_audit(
        collect_dir(FIXTURE),
        AuditContext(),
        [rules_by_id()["deprecated-option"]],
        mutes=mutes,
        today=TODAY,
    )
    return tuple(f.status for f in result.findings)


def test_active_mute_marks_matching_findings_muted() -> None:
    text = (
        "mutes:\n"
        "  - rule: deprecated-option\n"
        "    resource: '*default_store'\n"
        "    reason: removed with the next upgrade\n"
        "    expires: 2026-12-31\n"
    )
    mutes = parse_mutes(text, origin="mute.yaml")
    result = run_audit(
        collect_dir(FIXTURE),
        AuditContext(),
        [rules_by_id()["deprecated-option"]],
        mutes=mutes,
        today=TODAY,
    )
    by_resource = {str(f.resource): f for f in result.findings}
    muted = by_resource["option [glance_store] default_store"]
    assert muted.status is Status.MUTED
    assert muted.mute is not None
    assert muted.mute.reason == "removed with the next upgrade"
    assert by_resource["option [glance_store] stores"].status is Status.FAIL
    assert result.rules[0].verdict is Verdict.FAIL
    assert (result.rules[0].failed, result.rules[0].muted) == (1, 1)


def test_muting_every_finding_gives_a_muted_verdict() -> None:
    text = "- rule: deprecated-option\n  reason: accepted\n  expires: 2026-06-01\n"
    assert _run(text) == (Status.MUTED, Status.MUTED)


def test_expired_mute_no_longer_mutes_and_is_reported() -> None:
    text = "- rule: deprecated-option\n  reason: old waiver\n  expires: 2026-05-31\n"
    mutes = parse_mutes(text, origin="mute.yaml")
    result = run_audit(
        collect_dir(FIXTURE),
        AuditContext(),
        [rules_by_id()["deprecated-option"]],
        mutes=mutes,
        today=TODAY,
    )
    assert all(f.status is Status.FAIL for f in result.findings)
    assert all(f.mute is not None and f.mute.expired for f in result.findings)
    assert [m.reason for m in result.expired_mutes] == ["old waiver"]


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("- rule: x\n  reason: r\n", 1, "lacks 'expires'"),
        ("- rule: x\n  reason: r\n  expires: soon\n", 3, "not a date"),
        (
            "mutes:\n  - rule: x\n    reason: r\n    expires: 2026-01-01\n    owner: me\n",
            5,
            "unknown key",
        ),
        ("mutes: [\n", 2, "not valid YAML"),
        ("just text\n", 1, "expected a list"),
        ("- rule: x\n  reason: [a]\n  expires: 2026-01-01\n", 2, "non-empty string"),
    ],
)
def test_malformed_mute_file_names_file_and_line(text: str, line: int, words: str) -> None:
    with pytest.raises(MuteFileError) as info:
        parse_mutes(text, origin="mute.yaml")
    assert info.value.message.startswith(f"mute.yaml:{line}: ")
    assert words in info.value.message
    assert info.value.exit_code is ExitCode.BAD_INPUT


def test_empty_mute_file_mutes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "mute.yaml"
    path.write_text("# nothing muted yet\n")
    assert read_mutes(path) == ()


def test_unreadable_mute_file(tmp_path: Path) -> None:
    with pytest.raises(MuteFileError, match="cannot read the mute file"):
        read_mutes(tmp_path / "absent.yaml")
