"""Audit stage: rules over an inventory snapshot, reported as findings and unknowns.

Concepts: a rule (``audit.rule``) is a pure function with metadata; ``audit.registry``
lists them; ``audit.engine.run_audit`` runs a selection for an ``AuditContext`` (target
release, settings), applies a mute file (``audit.mute``) and returns an ``AuditResult``
that the formats in ``imageyard.report`` render.
"""

from imageyard.audit.engine import AuditResult, RuleOutcome, Verdict, run_audit, select_rules
from imageyard.audit.mute import Mute, MuteFileError, read_mutes
from imageyard.audit.registry import RULES, rules_by_id
from imageyard.audit.releases import Release, parse_release
from imageyard.audit.rule import AuditContext, Rule, RuleMeta, rule

__all__ = [
    "RULES",
    "AuditContext",
    "AuditResult",
    "Mute",
    "MuteFileError",
    "Release",
    "Rule",
    "RuleMeta",
    "RuleOutcome",
    "Verdict",
    "parse_release",
    "read_mutes",
    "rule",
    "rules_by_id",
    "run_audit",
    "select_rules",
]
