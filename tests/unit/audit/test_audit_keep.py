"""``run_audit(keep=...)``: the rules not kept are counted exactly as before, and only the
kept rules' findings and unknowns are held (design reads a few rules, not every finding)."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, collect_dir

from imageyard.audit.engine import run_audit
from imageyard.audit.mute import parse_mutes
from imageyard.audit.registry import RULES
from imageyard.audit.rule import AuditContext, Rule

TODAY = datetime.date(2026, 6, 1)
CASES = [
    AUDIT_FIXTURES / "deprecated-option" / "fail-legacy-stores",
    AUDIT_FIXTURES / "cow-not-eligible" / "fail-qcow2-and-file-only",
    AUDIT_FIXTURES / "cow-not-eligible" / "fail-missing-pool-and-unprotected-v1",
]
MUTES = parse_mutes(
    "mutes:\n"
    "  - rule: deprecated-option\n"
    "    resource: '*default_store'\n"
    "    reason: removed with the next upgrade\n"
    "    expires: 2026-12-31\n",
    origin="mute.yaml",
)


def _odd(rule: Rule) -> bool:
    return RULES.index(rule) % 2 == 1


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rules_not_kept_are_counted_only(case: Path) -> None:
    inv = collect_dir(case)
    whole = run_audit(inv, AuditContext(), RULES, mutes=MUTES, today=TODAY)
    some = run_audit(inv, AuditContext(), RULES, mutes=MUTES, today=TODAY, keep=_odd)
    assert some.rules == whole.rules
    kept = {r.id for r in RULES if _odd(r)}
    assert some.findings == tuple(f for f in whole.findings if f.rule_id in kept)
    assert some.unknowns == tuple(u for u in whole.unknowns if u.rule_id in kept)
    assert len(some.findings) + len(some.unknowns) < len(whole.findings) + len(whole.unknowns)
