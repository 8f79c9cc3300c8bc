"""Collect config fixtures into inventories and run rules on them, for the audit tests."""

from __future__ import annotations

import datetime
from dataclasses import replace
from pathlib import Path

from imageyard.audit.engine import AuditResult, run_audit
from imageyard.audit.registry import RULES, rules_by_id
from imageyard.audit.rule import AuditContext
from imageyard.collect.base import run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import discover
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory

ROOT = Path(__file__).resolve().parents[3]
AUDIT_FIXTURES = ROOT / "tests" / "fixtures" / "audit"
CONFIG_FIXTURES = ROOT / "tests" / "fixtures" / "configs"
TODAY = datetime.date(2026, 6, 1)


def collect_dir(path: Path) -> Inventory:
    """The inventory ``imageyard collect --config-dir path`` would write.

    A fixture with an ``inventory.json`` (images, API stores, Ceph clusters ...) adds what
    that snapshot holds to the configuration collected from the directory.
    """
    inv = run_collectors([ConfigCollector(discover(path))], Inventory())
    extra = path / "inventory.json"
    if not extra.is_file():
        return inv
    more = read_inventory(extra)
    return replace(
        inv,
        stores=inv.stores + more.stores,
        images=more.images,
        import_methods=more.import_methods,
        ceph_clusters=more.ceph_clusters,
        projects=more.projects,
        servers=more.servers,
        volumes=more.volumes,
        generated_at=more.generated_at or inv.generated_at,
        sources=inv.sources + more.sources,
        gaps=inv.gaps + more.gaps,
    )


def audit(inv: Inventory, *rule_ids: str, ctx: AuditContext | None = None) -> AuditResult:
    """Run the named rules (all when none) on ``inv``."""
    by_id = rules_by_id()
    rules = [by_id[r] for r in rule_ids] if rule_ids else list(RULES)
    return run_audit(inv, ctx or AuditContext(), rules, today=TODAY)


def relative(resource: str, base: Path) -> str:
    """A resource string with the fixture directory prefix dropped from file paths."""
    return resource.replace(f"{base}/", "")


def failing(result: AuditResult, base: Path) -> set[str]:
    """The resources of the findings, relative to ``base``."""
    return {relative(str(f.resource), base) for f in result.findings}


def fixture_cases() -> list[tuple[str, str]]:
    """(rule id, fixture name) for every fixture directory."""
    return sorted(
        (rule_dir.name, case.name)
        for rule_dir in AUDIT_FIXTURES.iterdir()
        if rule_dir.is_dir()
        for case in rule_dir.iterdir()
        if case.is_dir()
    )
