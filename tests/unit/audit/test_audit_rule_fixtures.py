"""Every rule on its named pass-* and fail-* config fixtures (tests/fixtures/audit/<id>/)."""

from __future__ import annotations

import pytest
from audit_support import AUDIT_FIXTURES, audit, collect_dir, failing, fixture_cases

from imageyard.audit.registry import RULES, rules_by_id

CASES = fixture_cases()


def _expected(case_dir: str) -> set[str]:
    path = AUDIT_FIXTURES / case_dir / "expected-resources.txt"
    return {line.strip() for line in path.read_text().splitlines() if line.strip()}


@pytest.mark.parametrize(("rule_id", "case"), CASES, ids=[f"{r}/{c}" for r, c in CASES])
def test_rule_on_fixture(rule_id: str, case: str) -> None:
    assert rule_id in rules_by_id(), f"fixtures for unregistered rule {rule_id}"
    base = AUDIT_FIXTURES / rule_id / case
    result = audit(collect_dir(base), rule_id)
    if case.startswith("pass-"):
        assert not result.findings, [f.message for f in result.findings]
        assert not result.unknowns, [u.reason for u in result.unknowns]
    else:
        assert case.startswith("fail-"), "fixture names start with pass- or fail-"
        assert failing(result, base) == _expected(f"{rule_id}/{case}")
        assert all(f.rule_id == rule_id for f in result.findings)
        assert all(
            str(f.resource).split(" ", 1)[1] in f.message or f.evidence for f in result.findings
        )


@pytest.mark.parametrize("rule_id", [r.id for r in RULES])
def test_every_rule_has_pass_and_fail_fixtures(rule_id: str) -> None:
    names = [case for rule, case in CASES if rule == rule_id]
    assert any(n.startswith("pass-") for n in names), f"{rule_id}: no pass-* fixture"
    assert any(n.startswith("fail-") for n in names), f"{rule_id}: no fail-* fixture"


def test_findings_cite_file_and_line_for_config_evidence() -> None:
    base = AUDIT_FIXTURES / "removed-option" / "fail-location-strategy"
    result = audit(collect_dir(base), "removed-option")
    cited = {(e.path, e.line) for f in result.findings for e in f.evidence if e.line}
    assert {p for p, _ in cited} == {str(base / "glance-api.conf")}
    assert all(line and line > 1 for _, line in cited)
