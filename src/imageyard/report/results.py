"""Every offline result one snapshot gives, computed once for the report, diff and metrics.

Concepts: ``gather(inv)`` runs the audit (when the snapshot has a glance-api
configuration; else ``audit`` is None), the boot paths and the reclaim analysis with their
default settings. Everything is measured at the snapshot's collection time (the audit's
mute day, reclaim's ages), so one snapshot always gives the same results.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from imageyard.audit.engine import AuditResult, run_audit
from imageyard.audit.registry import RULES
from imageyard.audit.release_infer import choose_release
from imageyard.audit.rule import AuditContext
from imageyard.model.inventory import Inventory
from imageyard.paths import PathsReport, build_paths
from imageyard.reclaim import ReclaimResult, ReclaimSettings, analyse
from imageyard.reclaim.context import parse_time


@dataclass(frozen=True)
class Results:
    """A snapshot and what the offline stages say about it."""

    inventory: Inventory
    audit: AuditResult | None
    paths: PathsReport
    reclaim: ReclaimResult


def _day(inv: Inventory) -> datetime.date:
    when = parse_time(inv.generated_at)
    return when.date() if when is not None else datetime.date(1970, 1, 1)


def _audit(inv: Inventory, settings: Mapping[str, str]) -> AuditResult | None:
    if inv.config.glance_api is None:
        return None
    choice = choose_release(None, inv)
    ctx = AuditContext(release=choice.release, release_origin=choice.detail, settings=settings)
    return run_audit(inv, ctx, RULES, today=_day(inv))


def gather(inv: Inventory, rule_settings: Mapping[str, str] | None = None) -> Results:
    """Audit (with the rule options ``rule_settings``), paths and reclaim of ``inv``."""
    return Results(
        inventory=inv,
        audit=_audit(inv, rule_settings or {}),
        paths=build_paths(inv),
        reclaim=analyse(inv, ReclaimSettings()),
    )
