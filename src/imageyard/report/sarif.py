"""SARIF 2.1.0: findings for code-scanning tools, config evidence as file:line locations.

Concepts: one run whose ``tool.driver.rules`` holds every rule that ran (id, name, short
and full description, help text and Markdown, default level), and one result per finding
(``kind: fail``) or unknown (``kind: open``, level ``none``). Severity maps to level:
critical and high are ``error``, medium ``warning``, low and info ``note``. Config
evidence becomes ``physicalLocation`` (artifact URI plus ``region.startLine``). A muted
finding carries an external suppression with the mute's reason.
"""

from __future__ import annotations

import json
from pathlib import PurePosixPath
from typing import Any

from imageyard import __version__
from imageyard.audit.engine import AuditResult, RuleOutcome
from imageyard.model.finding import Evidence, Finding, Severity, Status, Unknown

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS_BASE = "docs/rules/"

LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}


def _uri(path: str) -> str:
    pure = PurePosixPath(path)
    return pure.as_uri() if pure.is_absolute() else pure.as_posix()


def _location(ev: Evidence) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": _uri(ev.path or "")}}
    if ev.line is not None:
        physical["region"] = {"startLine": ev.line}
    return {"physicalLocation": physical, "message": {"text": ev.text}}


def _locations(evidence: tuple[Evidence, ...]) -> list[dict[str, Any]]:
    return [_location(ev) for ev in evidence if ev.path]


def _rule(outcome: RuleOutcome) -> dict[str, Any]:
    meta = outcome.meta
    links = "\n".join(f"- {link}" for link in meta.links)
    help_text = f"{meta.summary}\n\nHow to fix: {meta.remediation}"
    return {
        "id": meta.id,
        "name": meta.title,
        "shortDescription": {"text": meta.summary},
        "fullDescription": {"text": " ".join(meta.description.split())},
        "help": {
            "text": help_text,
            "markdown": f"{meta.summary}\n\n**How to fix:** {meta.remediation}\n\n{links}",
        },
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "tags": [meta.category],
            "severity": meta.severity.value,
            "confidence": meta.confidence.value,
            "docs": f"{DOCS_BASE}{meta.id}.md",
        },
    }


def _finding(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ruleId": f.rule_id,
        "ruleIndex": index[f.rule_id],
        "kind": "fail",
        "level": LEVELS[f.severity],
        "message": {"text": f.message},
        "locations": _locations(f.evidence),
        "properties": {
            "resource": str(f.resource),
            "severity": f.severity.value,
            "confidence": f.confidence.value,
            "remediation": f.remediation,
        },
    }
    if f.cause:
        out["properties"]["cause"] = f.cause
    if f.status is Status.MUTED and f.mute is not None:
        out["suppressions"] = [{"kind": "external", "justification": f.mute.reason}]
    return out


def _unknown(u: Unknown, index: dict[str, int]) -> dict[str, Any]:
    return {
        "ruleId": u.rule_id,
        "ruleIndex": index[u.rule_id],
        "kind": "open",
        "level": "none",
        "message": {"text": f"{u.resource}: could not check: {u.reason}"},
        "locations": _locations(u.evidence),
        "properties": {"resource": str(u.resource), **({"cause": u.cause} if u.cause else {})},
    }


def sarif_document(result: AuditResult) -> dict[str, Any]:
    """The SARIF log as JSON-ready data."""
    ran = [o for o in result.rules if o.verdict.value != "skipped"]
    index = {o.meta.id: i for i, o in enumerate(ran)}
    results = [_finding(f, index) for f in result.findings]
    results += [_unknown(u, index) for u in result.unknowns]
    driver = {
        "name": "imageyard",
        "version": __version__,
        "rules": [_rule(o) for o in ran],
    }
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "results": results,
                "properties": {"release": str(result.release)},
            }
        ],
    }


def render(result: AuditResult) -> str:
    """The result as a SARIF 2.1.0 log."""
    return json.dumps(sarif_document(result), indent=2, sort_keys=True) + "\n"
