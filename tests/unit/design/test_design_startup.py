"""Startup errors first: every startup finding of the audit is fixed by the design (the audit
finds it no more in the rendered files) or listed to fix by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from design_support import ROOT

from imageyard.audit.releases import parse_release
from imageyard.design import DesignRun, run_design
from imageyard.design.situation import measured_site, merge
from imageyard.model.inventory import Inventory

sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
from audit_support import audit, collect_dir  # type: ignore[import-not-found]

AUDIT = ROOT / "tests" / "fixtures" / "audit"
RULES = (
    "default-backend-not-enabled",
    "reserved-store-id-enabled",
    "nova-rbd-force-raw-off",
    "option-list-without-brackets",
    "default-store-not-loaded",
    "shared-file-store-datadir",
    "staging-dir-inside-file-store",
    "store-type-unknown",
    "cache-without-self-reference-url",
)
CASES = [(r, p.name) for r in RULES for p in sorted((AUDIT / r).glob("fail-*"))]


def _design(path: Path) -> tuple[DesignRun, Inventory]:
    inv = collect_dir(path)
    return run_design(merge(measured_site(inv), None), inv, parse_release(None)), inv


def _rendered(run: DesignRun, source: Path, out: Path) -> Path:
    """The fixture directory with the design's files in place of the current ones."""
    for f in source.iterdir():
        if f.is_file():
            (out / f.name).write_bytes(f.read_bytes())
    for d in run.diffs:
        name = Path(d.path).name if d.before else d.file
        (out / name).write_text(d.after, encoding="utf-8")
    return out


@pytest.mark.parametrize(("rule", "case"), CASES)
def test_startup_finding_is_fixed_or_listed(rule: str, case: str, tmp_path: Path) -> None:
    source = AUDIT / rule / case
    run, inv = _design(source)
    decision = run.design.decision("startup.errors")
    assert decision is not None and decision is run.design.decisions[0]
    before = audit(inv, rule).findings
    lines = [e for e in decision.evidence if e.split(": ", 2)[1].startswith(rule)]
    assert len(lines) == len(before)
    after = audit(collect_dir(_rendered(run, source, tmp_path)), rule).findings
    fixed = {e.split(" (", 1)[1].split("): ")[0] for e in lines if e.startswith("fixed")}
    left = {str(f.resource).replace(str(tmp_path), str(source)) for f in after}
    assert not fixed & left, f"claimed fixed but the audit still finds {fixed & left}"
    if any(e.startswith("by hand") for e in lines):
        assert decision.warning


def test_no_startup_section_without_findings() -> None:
    run, _ = _design(ROOT / "tests" / "fixtures" / "configs" / "tripleo-dcn")
    assert run.design.decision("startup.errors") is None
