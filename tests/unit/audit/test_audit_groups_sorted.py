"""``grouped_sorted`` groups results in any order as ``grouped`` groups them sorted.

The table orders only what it shows: ``grouped_sorted(items, key)`` must give exactly the
groups of ``grouped(sorted(items, key=sort_key), key)`` (the same counts, the same first
members, in the same order, ties included) for findings and unknowns in any order; and the
table of an audit run without ordering its results must be the table of the ordered run, on
every audit fixture and on random inventories seen by consumers of every kind.
"""

from __future__ import annotations

import operator
from pathlib import Path

import pytest
from audit_support import AUDIT_FIXTURES, collect_dir
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_cow_classes import CONSUMERS, inventories

from imageyard.audit.cow.table import VerdictTable
from imageyard.audit.engine import run_audit
from imageyard.audit.registry import RULES
from imageyard.audit.rule import AuditContext
from imageyard.model.finding import Confidence, Finding, Resource, Severity, Unknown
from imageyard.model.inventory import Inventory
from imageyard.report import table
from imageyard.report.groups import Group, finding_key, grouped, grouped_sorted, unknown_key

_KEY = operator.attrgetter("sort_key")
_TEXTS = st.sampled_from(("a", "a@n", "a-b", "ab", "b", "", "é"))
_RESOURCES = st.builds(Resource, st.sampled_from(("image", "store")), _TEXTS)
_FINDINGS = st.builds(
    Finding,
    rule_id=st.sampled_from(("cow-not-eligible", "non-raw-in-rbd")),
    resource=_RESOURCES,
    message=st.sampled_from(("m", "n")),
    severity=st.sampled_from((Severity.HIGH, Severity.LOW)),
    confidence=st.sampled_from((Confidence.HIGH, Confidence.LOW)),
    remediation=st.sampled_from(("r1", "r2")),  # in no key: tells equal keys apart
    cause=st.sampled_from(("", "c1", "c2")),
)
_UNKNOWNS = st.builds(
    Unknown,
    rule_id=st.sampled_from(("qcow2-backing-file", "raw-label-mismatch")),
    resource=_RESOURCES,
    reason=st.sampled_from(("x", "y")),
    cause=st.sampled_from(("", "c1", "c2")),
)
CASES = sorted(p for p in AUDIT_FIXTURES.glob("*/*") if p.is_dir())


def _shown(groups: list[Group[Finding]] | list[Group[Unknown]]) -> list[tuple[object, ...]]:
    """What a view reads of each group, members by identity."""
    return [(g.count, g.grouped, g.text, tuple(map(id, g.first))) for g in groups]


@given(st.lists(_FINDINGS, max_size=40))
def test_findings_group_as_when_sorted(findings: list[Finding]) -> None:
    want = grouped(sorted(findings, key=_KEY), finding_key)
    assert _shown(grouped_sorted(findings, finding_key)) == _shown(want)


@given(st.lists(_UNKNOWNS, max_size=40))
def test_unknowns_group_as_when_sorted(unknowns: list[Unknown]) -> None:
    want = grouped(sorted(unknowns, key=_KEY), unknown_key)
    assert _shown(grouped_sorted(unknowns, unknown_key)) == _shown(want)


def _same_table(inv: Inventory) -> None:
    ordered = run_audit(inv, AuditContext(), RULES)
    as_made = run_audit(inv, AuditContext(), RULES, ordered=False)
    assert sorted(as_made.findings, key=_KEY) == list(ordered.findings)
    assert table.render(as_made, width=120) == table.render(ordered, width=120)


@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_table_does_not_need_ordered_results_on_every_fixture(case: Path) -> None:
    _same_table(collect_dir(case))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(inventories())
def test_the_table_does_not_need_ordered_results_on_random_consumers(inv: Inventory) -> None:
    inv.derived("cow.verdicts", lambda: VerdictTable(inv, CONSUMERS))
    _same_table(inv)
