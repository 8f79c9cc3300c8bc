"""Helpers for the design tests: the example sites and fixture inventories, designed."""

from __future__ import annotations

import sys
from pathlib import Path

from imageyard.audit.releases import parse_release
from imageyard.design import DesignRun, run_design
from imageyard.design.site import load_site
from imageyard.design.situation import measured_site, merge

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = ROOT / "examples"
GOLD = ROOT / "tests" / "gold" / "design"
CONFIG_FIXTURES = ROOT / "tests" / "fixtures" / "configs"
EXAMPLE_NAMES = tuple(sorted(p.stem for p in EXAMPLES.glob("*.yaml")))
RENDERS = ("ini", "kolla", "osa", "charm", "operator")


def example(name: str) -> DesignRun:
    """The design of ``examples/<name>.yaml`` (greenfield, no audit)."""
    site = load_site(EXAMPLES / f"{name}.yaml")
    return run_design(site, None, parse_release(site.release), with_audit=False)


def fixture(name: str, release: str | None = None) -> DesignRun:
    """The design of a collected config fixture (brownfield, no audit)."""
    sys.path.insert(0, str(ROOT / "tests" / "unit" / "audit"))
    from audit_support import collect_dir  # type: ignore[import-not-found]

    inv = collect_dir(CONFIG_FIXTURES / name)
    site = merge(measured_site(inv), None)
    return run_design(site, inv, parse_release(release), with_audit=False)
