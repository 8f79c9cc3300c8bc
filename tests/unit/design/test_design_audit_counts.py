"""The design states the audit's results from the audit's own counts: the same rules and
numbers as counting the findings, muted ones included, and the same startup findings."""

from __future__ import annotations

import datetime
import sys
from collections import Counter

import pytest
from design_support import ROOT

from imageyard.audit.engine import run_audit
from imageyard.audit.mute import Mute
from imageyard.audit.registry import RULES
from imageyard.audit.rule import AuditContext
from imageyard.design import engine
from imageyard.design.startup import Ctx, blocking, decide_startup, fixes
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory

sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
from audit_support import TODAY, collect_dir  # type: ignore[import-not-found]

AUDIT = ROOT / "tests" / "fixtures" / "audit"
CASES = (
    "shared-file-store-datadir/fail-same-dir",
    "default-backend-not-enabled",
    "deprecated-option/fail-legacy-stores",
    "community-image-sprawl",
    "cow-not-eligible",
)


def _fixtures() -> list[Inventory]:
    found = []
    for case in CASES:
        path = AUDIT / case
        dirs = [path] if "/" in case else sorted(path.glob("fail-*"))
        found += [collect_dir(d) for d in dirs]
    return [*found, Inventory(images=tuple(Image(id=f"i{n}") for n in range(3)))]


@pytest.mark.parametrize("muted", [False, True])
def test_the_summary_and_the_startup_findings_are_those_of_the_findings(muted: bool) -> None:
    mutes = (Mute("*", "*", "accepted", datetime.date(2099, 1, 1), "mutes.yaml:1"),)
    seen_startup = 0
    for inv in _fixtures():
        result = run_audit(inv, AuditContext(), RULES, mutes=mutes if muted else (), today=TODAY)
        counted = Counter(f.rule_id for f in result.findings)
        assert engine._audit_summary(result) == tuple(sorted(counted.items()))
        startup = frozenset(r.meta.id for r in result.rules if r.meta.category == "startup")
        want = blocking(result.findings, startup)
        added, lines = fixes(Ctx(inv, (), ()), want)
        assert engine._startup(result, inv, (), ()) == (added, decide_startup(lines))
        seen_startup += bool(want)
    assert seen_startup >= 2
