"""The audit engine: run the selected rules over an inventory and gather the results.

Concepts: ``select_rules`` picks rules by id or category (all when neither is given);
``run_audit`` runs each rule whose release gate admits the target, applies the mute
entries, and returns an ``AuditResult``: findings (failed and muted), unknowns, and one
``RuleOutcome`` per selected rule saying whether it passed, failed, could not decide, or
was skipped for the target release. A rule that raises is a bug and is not caught here:
turning it into "no findings" would hide it.
"""

from __future__ import annotations

import datetime
import enum
import operator
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from imageyard.audit.mute import Mute, apply_mutes, expired_mutes
from imageyard.audit.order import in_order
from imageyard.audit.releases import Release
from imageyard.audit.rule import AuditContext, Rule, RuleMeta
from imageyard.errors import UsageError
from imageyard.model.finding import Finding, Severity, Status, Unknown
from imageyard.model.inventory import Inventory
from imageyard.steps import NO_STEPS, Steps


class Verdict(enum.StrEnum):
    """One rule's overall result."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    MUTED = "muted"  # it failed, but every finding is muted
    SKIPPED = "skipped"  # the target release is outside the rule's gate


@dataclass(frozen=True)
class RuleOutcome:
    """Per-rule counts: failed and muted findings, unknowns, and the verdict."""

    meta: RuleMeta
    verdict: Verdict
    failed: int = 0
    muted: int = 0
    unknown: int = 0


@dataclass(frozen=True)
class AuditResult:
    """Everything ``imageyard audit`` reports: the findings and unknowns in ``sort_key``
    order (worst first), unless ``run_audit`` was told otherwise (``ordered``)."""

    release: Release
    rules: tuple[RuleOutcome, ...]
    findings: tuple[Finding, ...]
    unknowns: tuple[Unknown, ...]
    expired_mutes: tuple[Mute, ...] = ()
    inventory_generated_at: str = ""
    release_origin: str = ""

    def failing(self, threshold: Severity) -> tuple[Finding, ...]:
        """Unmuted findings at or above ``threshold``."""
        return tuple(
            f for f in self.findings if f.status is Status.FAIL and f.severity.at_least(threshold)
        )

    def fails(self, threshold: Severity) -> bool:
        """True when an unmuted finding is at or above ``threshold`` (``failing`` is not
        empty); ordered findings come worst first, so a failing result is settled at once."""
        return any(
            f.status is Status.FAIL and f.severity.at_least(threshold) for f in self.findings
        )

    def count(self, verdict: Verdict) -> int:
        """How many rules ended with ``verdict``."""
        return sum(1 for r in self.rules if r.verdict is verdict)


def select_rules(
    rules: Sequence[Rule], ids: Iterable[str] = (), categories: Iterable[str] = ()
) -> tuple[Rule, ...]:
    """The rules named by id or category, in registry order; all when neither is given."""
    wanted_ids, wanted_cats = set(ids), set(categories)
    unknown_ids = wanted_ids - {r.id for r in rules}
    unknown_cats = wanted_cats - {r.meta.category for r in rules}
    if unknown_ids or unknown_cats:
        names = ", ".join(sorted(unknown_ids | unknown_cats))
        raise UsageError(f"no such rule or category: {names}", tip="imageyard audit --list-rules")
    if not wanted_ids and not wanted_cats:
        return tuple(rules)
    return tuple(r for r in rules if r.id in wanted_ids or r.meta.category in wanted_cats)


def _outcome(meta: RuleMeta, failed: int, muted: int, unknown: int) -> RuleOutcome:
    if failed:
        verdict = Verdict.FAIL
    elif muted:
        verdict = Verdict.MUTED
    elif unknown:
        verdict = Verdict.UNKNOWN
    else:
        verdict = Verdict.PASS
    return RuleOutcome(meta, verdict, failed, muted, unknown)


def _run_one(
    rule: Rule,
    inv: Inventory,
    ctx: AuditContext,
    mutes: tuple[Mute, ...],
    today: datetime.date,
    keep: bool,
) -> tuple[RuleOutcome, list[Finding], list[Unknown]]:
    if not rule.meta.releases.admits(ctx.release.major):
        return RuleOutcome(rule.meta, Verdict.SKIPPED), [], []
    if not keep and rule.count is not None and not mutes:
        found, unknown = rule.count(inv, ctx)  # NOTE: no result is made at all
        return _outcome(rule.meta, found, 0, unknown), [], []
    if not keep:
        return _counted(rule.meta, rule(inv, ctx), mutes, today), [], []
    results = list(rule(inv, ctx))
    findings = [r for r in results if isinstance(r, Finding)]
    if mutes:
        findings = list(apply_mutes(findings, mutes, today))
    unknowns = [r for r in results if isinstance(r, Unknown)]
    failed = sum(1 for f in findings if f.status is Status.FAIL)
    return _outcome(rule.meta, failed, len(findings) - failed, len(unknowns)), findings, unknowns


def _counted(
    meta: RuleMeta,
    results: Iterable[Finding | Unknown],
    mutes: tuple[Mute, ...],
    today: datetime.date,
) -> RuleOutcome:
    """The outcome of a rule whose results are not kept, counted one at a time."""
    found = failed = unknown = 0
    for result in results:
        if isinstance(result, Unknown):
            unknown += 1
        elif isinstance(result, Finding):
            finding = apply_mutes((result,), mutes, today)[0] if mutes else result
            found += 1
            failed += finding.status is Status.FAIL
    return _outcome(meta, failed, found - failed, unknown)


# NOTE: sorted by sort_key (``audit.order``): how many of its parts most results share,
# and the fields that stand for them
_FINDING_SHARED, _FINDING_HEAD = 2, operator.attrgetter("severity", "rule_id")
_UNKNOWN_SHARED, _UNKNOWN_HEAD = 1, operator.attrgetter("rule_id")


def run_audit(
    inv: Inventory,
    ctx: AuditContext,
    rules: Sequence[Rule],
    *,
    mutes: tuple[Mute, ...] = (),
    today: datetime.date | None = None,
    steps: Steps = NO_STEPS,
    keep: Callable[[Rule], bool] | None = None,
    ordered: bool = True,
) -> AuditResult:
    """Run ``rules`` over ``inv`` for ``ctx`` and apply ``mutes`` as of ``today`` (``steps``
    hears of each rule done). ``keep``, when given, says which rules' findings and unknowns
    the result holds; the others are counted in their outcome only (a caller that reads a
    few rules' findings need not hold one per image of every rule), by the rule's ``count``
    when it has one and no mute is given. ``ordered=False`` leaves the findings and unknowns
    in the order the rules give them, for a caller that orders only what it shows (the
    table: ``report.groups.grouped_sorted``)."""
    day = today or datetime.date.today()
    outcomes: list[RuleOutcome] = []
    findings: list[Finding] = []
    unknowns: list[Unknown] = []
    for rule in rules:
        kept = keep is None or keep(rule)
        outcome, found, unsure = _run_one(rule, inv, ctx, mutes, day, kept)
        outcomes.append(outcome)
        findings += found
        unknowns += unsure
        steps.advance()
    if ordered:
        findings = in_order(findings, _FINDING_SHARED, _FINDING_HEAD)
        unknowns = in_order(unknowns, _UNKNOWN_SHARED, _UNKNOWN_HEAD)
    return AuditResult(
        release=ctx.release,
        rules=tuple(outcomes),
        findings=tuple(findings),
        unknowns=tuple(unknowns),
        expired_mutes=expired_mutes(mutes, day),
        inventory_generated_at=inv.generated_at,
        release_origin=ctx.release_origin,
    )
