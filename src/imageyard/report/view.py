"""Plain-data views of an audit result shared by the renderers.

Concepts: ``result_document`` turns an ``AuditResult`` into JSON-ready dicts and lists in a
fixed order; the JSON format prints it as is, and the other formats read the same pieces
so that every format says the same thing.
"""

from __future__ import annotations

import operator
from typing import Any

from imageyard.audit.engine import AuditResult, RuleOutcome, Verdict
from imageyard.audit.mute import Mute
from imageyard.model.finding import Evidence, Finding, MuteNote, ProposedAction, Status, Unknown

AUDIT_SCHEMA = "imageyard-audit/1"


def evidence_doc(ev: Evidence) -> dict[str, Any]:
    """One citation."""
    return {"text": ev.text, "path": ev.path, "line": ev.line}


def _mute_doc(note: MuteNote | None) -> dict[str, Any] | None:
    if note is None:
        return None
    return {
        "reason": note.reason,
        "expires": note.expires,
        "where": note.where,
        "expired": note.expired,
    }


def _action_doc(action: ProposedAction | None) -> dict[str, Any] | None:
    if action is None:
        return None
    return {"kind": action.kind, "params": dict(action.params)}


def _evidence_list(item: Finding | Unknown, encoded: object) -> object:
    return [evidence_doc(e) for e in item.evidence] if encoded is None else encoded


# NOTE: a finding's (an unknown's) document is the fields it shares with every finding of
# the same ``finding_key`` (``unknown_key``), then its own; a writer of many builds the
# shared part once per key and fills in each one's own fields (``OWN_*`` and its evidence)
FINDING_OWN = ("resource", "message", "remediation", "action")
UNKNOWN_OWN = ("resource", "reason")


def finding_key(f: Finding) -> tuple[object, ...]:
    """What ``finding_shared`` reads: findings with equal keys share that part."""
    return (f.rule_id, f.status, f.severity, f.confidence, f.cause, f.mute)


def finding_shared(f: Finding) -> dict[str, Any]:
    """The fields of ``finding_doc`` that ``finding_key`` determines."""
    return {
        "rule_id": f.rule_id,
        "status": f.status.value,
        "cause": f.cause,
        "severity": f.severity.value,
        "confidence": f.confidence.value,
        "mute": _mute_doc(f.mute),
    }


def finding_own(doc: dict[str, Any], f: Finding, evidence: object = None) -> dict[str, Any]:
    """``doc`` (``finding_shared(f)`` or a copy of an equal one) with ``f``'s own fields."""
    doc["resource"] = str(f.resource)
    doc["message"] = f.message
    doc["evidence"] = _evidence_list(f, evidence)
    doc["remediation"] = f.remediation
    doc["action"] = _action_doc(f.action)
    return doc


def finding_doc(f: Finding, evidence: object = None) -> dict[str, Any]:
    """One finding (``evidence``: its evidence list already encoded, else encoded here)."""
    return finding_own(finding_shared(f), f, evidence)


def unknown_key(u: Unknown) -> tuple[object, ...]:
    """What ``unknown_shared`` reads: unknowns with equal keys share that part."""
    return (u.rule_id, u.status, u.cause)


def unknown_shared(u: Unknown) -> dict[str, Any]:
    """The fields of ``unknown_doc`` that ``unknown_key`` determines."""
    return {"rule_id": u.rule_id, "status": u.status.value, "cause": u.cause}


def unknown_own(doc: dict[str, Any], u: Unknown, evidence: object = None) -> dict[str, Any]:
    """``doc`` (``unknown_shared(u)`` or a copy of an equal one) with ``u``'s own fields."""
    doc["resource"] = str(u.resource)
    doc["reason"] = u.reason
    doc["evidence"] = _evidence_list(u, evidence)
    return doc


def unknown_doc(u: Unknown, evidence: object = None) -> dict[str, Any]:
    """One check that could not be made (``evidence`` as for ``finding_doc``)."""
    return unknown_own(unknown_shared(u), u, evidence)


def rule_doc(outcome: RuleOutcome) -> dict[str, Any]:
    """One rule's metadata and verdict."""
    meta = outcome.meta
    return {
        "id": meta.id,
        "title": meta.title,
        "summary": meta.summary,
        "severity": meta.severity.value,
        "confidence": meta.confidence.value,
        "category": meta.category,
        "releases": str(meta.releases),
        "links": list(meta.links),
        "verdict": outcome.verdict.value,
        "failed": outcome.failed,
        "muted": outcome.muted,
        "unknown": outcome.unknown,
    }


def _expired_doc(mute: Mute) -> dict[str, Any]:
    return {
        "rule": mute.rule,
        "resource": mute.resource,
        "reason": mute.reason,
        "expires": mute.expires.isoformat(),
        "where": mute.where,
    }


# NOTE: a report's summary and the CLI's line on stderr count the findings of one result (at
# 100,000 images a pass over them costs some 0.02 s): the last tuple counted is remembered
_counted: list[tuple[tuple[Finding, ...], int]] = []
_STATUS = operator.attrgetter("status")


def _failed(findings: tuple[Finding, ...]) -> int:
    """How many of ``findings`` are not muted."""
    if not _counted or _counted[0][0] is not findings:
        _counted[:] = [(findings, operator.countOf(map(_STATUS, findings), Status.FAIL))]
    return _counted[0][1]


def summary_doc(result: AuditResult) -> dict[str, int]:
    """Counts of rules per verdict and of findings."""
    counts = {f"rules_{v.value}": result.count(v) for v in Verdict}
    counts["findings"] = _failed(result.findings)
    counts["findings_muted"] = len(result.findings) - counts["findings"]
    counts["unknowns"] = len(result.unknowns)
    return counts


def result_document(result: AuditResult) -> dict[str, Any]:
    """The whole result as JSON-ready data."""
    return {
        "schema": AUDIT_SCHEMA,
        "release": {
            "major": result.release.major,
            "series": result.release.series,
            "name": result.release.name,
            "origin": result.release_origin,
        },
        "inventory_generated_at": result.inventory_generated_at,
        "summary": summary_doc(result),
        "rules": [rule_doc(o) for o in result.rules],
        "findings": [finding_doc(f) for f in result.findings],
        "unknowns": [unknown_doc(u) for u in result.unknowns],
        "expired_mutes": [_expired_doc(m) for m in result.expired_mutes],
    }


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _origin(result: AuditResult) -> str:
    return f" [{result.release_origin}]" if result.release_origin else ""


def summary_line(result: AuditResult) -> str:
    """One sentence for stderr or a heading."""
    s = summary_doc(result)
    ran = len(result.rules) - s["rules_skipped"]
    return (
        f"{_n(ran, 'rule')} for {result.release}{_origin(result)}: {s['rules_pass']} passed, "
        f"{s['rules_fail']} failed, {s['rules_unknown']} unknown; "
        f"{_n(s['findings'], 'finding')}, {s['findings_muted']} muted, "
        f"{_n(s['unknowns'], 'unknown')}"
    )
