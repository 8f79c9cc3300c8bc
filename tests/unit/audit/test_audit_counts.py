"""A rule's ``count`` equals the tally of its results, and the engine counts by it.

Design reads only the counts of the per-image rules; ``Rule.count`` gives them without
making a finding. On every audit fixture, on random catalogs of every location form and
header, and on random inventories seen by consumers of every kind (no fsid included), each
rule's count must be exactly ``tally`` of what the rule yields; and ``run_audit`` with those
rules not kept must give the outcomes of the full audit without running their checks.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, TODAY, collect_dir
from hypothesis import HealthCheck, given, settings
from test_cow_classes import CONSUMERS, inventories
from test_format_first_headers import catalogs

from imageyard.audit.cow.table import VerdictTable
from imageyard.audit.engine import run_audit
from imageyard.audit.mute import parse_mutes
from imageyard.audit.registry import RULES
from imageyard.audit.rule import AuditContext, Rule, tally
from imageyard.model.finding import Outcome
from imageyard.model.inventory import Inventory

COUNTED = tuple(r for r in RULES if r.count is not None)
CASES = sorted(p for p in AUDIT_FIXTURES.glob("*/*") if p.is_dir())


def _agree(inv: Inventory) -> None:
    for rule in COUNTED:
        assert rule.count is not None
        assert rule.count(inv, AuditContext()) == tally(rule(inv, AuditContext())), rule.id


def test_the_per_image_rules_count() -> None:
    ids = {r.id for r in COUNTED}
    assert {"cow-not-eligible", "non-raw-in-rbd", "raw-label-mismatch"} <= ids
    assert "qcow2-backing-file" in ids


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_counts_equal_the_tally_on_every_fixture(case: Path) -> None:
    _agree(collect_dir(case))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(catalogs())
def test_counts_equal_the_tally_on_random_headers(inv: Inventory) -> None:
    _agree(inv)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_counts_equal_the_tally_on_random_consumers(inv: Inventory) -> None:
    inv.derived("cow.verdicts", lambda: VerdictTable(inv, CONSUMERS))
    _agree(inv)


def _unrunnable(rule: Rule) -> Rule:
    """``rule`` whose check must not run (its count answers)."""

    def check(inv: Inventory, ctx: AuditContext) -> list[Outcome]:
        raise AssertionError(f"{rule.id}: counted by running its check")

    return replace(rule, check=check) if rule.count is not None else rule


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_rules_not_kept_are_counted_without_their_results(case: Path) -> None:
    inv = collect_dir(case)
    whole = run_audit(inv, AuditContext(), RULES, today=TODAY)
    rules = tuple(map(_unrunnable, RULES))
    counted = run_audit(inv, AuditContext(), rules, today=TODAY, keep=lambda r: r.count is None)
    assert counted.rules == whole.rules
    assert counted.findings == tuple(f for f in whole.findings if f.rule_id not in _ids())


def _ids() -> set[str]:
    return {r.id for r in COUNTED}


def test_a_mute_makes_the_engine_read_the_results() -> None:
    inv = collect_dir(AUDIT_FIXTURES / "non-raw-in-rbd" / "fail-qcow2-in-rbd")
    mutes = parse_mutes(
        "mutes:\n"
        "  - rule: non-raw-in-rbd\n"
        "    resource: '*'\n"
        "    reason: converted next week\n"
        "    expires: 2026-12-31\n",
        origin="mute.yaml",
    )
    whole = run_audit(inv, AuditContext(), RULES, mutes=mutes, today=TODAY)
    some = run_audit(inv, AuditContext(), RULES, mutes=mutes, today=TODAY, keep=lambda r: False)
    assert some.rules == whole.rules
    muted = {o.meta.id: o.muted for o in some.rules}
    assert muted["non-raw-in-rbd"] > 0
