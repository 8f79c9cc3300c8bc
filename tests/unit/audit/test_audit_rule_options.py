"""``imageyard audit --rule-option RULE.KEY=VALUE``: declared options, checked, in effect."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, CONFIG_FIXTURES

from imageyard import cli
from imageyard.audit.registry import RULES
from imageyard.audit.rule import RuleOption, rule
from imageyard.audit.rule_options import parse_rule_options
from imageyard.errors import ExitCode, UsageError
from imageyard.model.snapshot import read_inventory, write_inventory

SPRAWL = AUDIT_FIXTURES / "community-image-sprawl" / "fail-old-unused-community"
OLD_UNUSED = "image 11111111-0000-4000-8000-000000000001"  # 516 days old at the snapshot


@pytest.fixture
def sprawl_inv(tmp_path: Path) -> Path:
    """The lab's configuration with the sprawl fixture's images, usage and projects."""
    config = tmp_path / "config.json"
    argv = ["collect", "-q", "--config-dir", str(CONFIG_FIXTURES / "lab"), "-o", str(config)]
    assert cli.run(argv) == 0
    catalog = read_inventory(SPRAWL / "inventory.json")
    merged = replace(catalog, config=read_inventory(config).config)
    out = tmp_path / "inventory.json"
    write_inventory(merged, out)
    return out


def _sprawl(inv: Path, capsys: pytest.CaptureFixture[str], *options: str) -> set[str]:
    argv = ["audit", "-q", str(inv), "-f", "json", "--rule", "community-image-sprawl"]
    argv += [a for o in options for a in ("--rule-option", o)]
    assert cli.run(argv) in (ExitCode.OK, ExitCode.FINDINGS)
    doc = json.loads(capsys.readouterr().out)
    return {f["resource"] for f in doc["findings"]}


def test_the_option_changes_what_the_rule_reports(
    sprawl_inv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _sprawl(sprawl_inv, capsys) == {OLD_UNUSED}
    assert _sprawl(sprawl_inv, capsys, "community-image-sprawl.max_age_days=600") == set()
    # the newer community image (31 days) is unused too: a shorter limit reports it as well
    found = _sprawl(sprawl_inv, capsys, "community-image-sprawl.max_age_days=30")
    assert found == {OLD_UNUSED, "image 44444444-0000-4000-8000-000000000004"}


def test_the_last_value_given_wins() -> None:
    settings = parse_rule_options(
        ["community-image-sprawl.max_age_days=10", "community-image-sprawl.max_age_days=20"],
        RULES,
    )
    assert dict(settings) == {"community-image-sprawl.max_age_days": "20"}


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("no-such-rule.days=3", "no rule 'no-such-rule'"),
        ("community-image-sprawl.days=3", "has no option 'days' (its options: max_age_days)"),
        ("community-image-sprawl.max_age_days=soon", "not a whole number >= 0"),
        ("community-image-sprawl.max_age_days=-5", "not a whole number >= 0"),
        ("public-image-foreign-owner.projects= , ", "an empty list"),
        ("community-image-sprawl.max_age_days", "expected RULE.KEY=VALUE"),
        ("max_age_days=3", "expected RULE.KEY=VALUE"),
    ],
)
def test_a_bad_option_is_one_line_and_exit_2(
    given: str, says: str, sprawl_inv: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UsageError, match=r".*"):
        parse_rule_options([given], RULES)
    assert cli.run(["audit", str(sprawl_inv), "--rule-option", given]) == ExitCode.USAGE
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith("imageyard: error: --rule-option") and says in first
    assert "Traceback" not in err


def test_list_rules_shows_each_option_with_its_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.run(["audit", "--list-rules"]) == ExitCode.OK
    out = capsys.readouterr().out
    assert "option community-image-sprawl.max_age_days (int, default 180):" in out
    assert "option public-image-foreign-owner.projects (list, default admin,service):" in out


def test_a_badly_declared_option_fails_when_decorated() -> None:
    with pytest.raises(ValueError, match="badly declared"):

        @rule(
            id="x-rule",
            title="t",
            severity="low",
            confidence="low",
            category="hygiene",
            remediation="r",
            options=(RuleOption("n", "int", "many", "h"),),
        )
        def check(inv: object, ctx: object) -> list[object]:
            """Doc."""
            return []


def _sprawl_series(inv: Path, tmp_path: Path, *options: str) -> list[str]:
    out = tmp_path / "metrics.prom"
    argv = ["metrics", str(inv), "-o", str(out)]
    assert cli.run(argv + [a for o in options for a in ("--rule-option", o)]) == ExitCode.OK
    rule = 'rule="community-image-sprawl"'
    return [line for line in out.read_text().splitlines() if rule in line]


def test_metrics_count_findings_with_the_options_given(sprawl_inv: Path, tmp_path: Path) -> None:
    assert [s.rsplit(" ", 1)[1] for s in _sprawl_series(sprawl_inv, tmp_path)] == ["1"]
    longer = _sprawl_series(sprawl_inv, tmp_path, "community-image-sprawl.max_age_days=600")
    assert longer == []


@pytest.mark.parametrize(
    "command",
    [["metrics", "{inv}"], ["report", "{inv}"], ["diff", "{inv}", "{inv}"], ["design", "{inv}"]],
    ids=lambda c: c[0],
)
def test_every_command_that_audits_refuses_a_bad_option(
    command: list[str], sprawl_inv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [a.format(inv=sprawl_inv) for a in command]
    argv += ["-o", str(tmp_path / "out"), "--rule-option", "no-such-rule.x=1"]
    assert cli.run(argv) == ExitCode.USAGE
    first = capsys.readouterr().err.splitlines()[0]
    assert first == "imageyard: error: --rule-option 'no-such-rule.x=1': no rule 'no-such-rule'"
    assert not (tmp_path / "out").exists()
