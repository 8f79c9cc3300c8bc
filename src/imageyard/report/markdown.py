"""Markdown: a summary, a findings table, the unknowns and expired mutes (for tickets, CI).

Concepts: findings and unknowns that share a cause (``report.groups``) are one row or item
each, with their count and first resources ("and N more"), worst first, then largest;
the others are one row each, as the result orders them.
"""

from __future__ import annotations

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding, Unknown
from imageyard.report.groups import Group, finding_key, grouped, unknown_key
from imageyard.report.view import summary_line


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _where(f: Finding) -> str:
    places = [e.where for e in f.evidence if e.where]
    return ", ".join(f"`{p}`" for p in places)


def _resources(group: Group[Finding] | Group[Unknown]) -> str:
    """The resource, or for a group the count and the first resources."""
    if group.count == 1:
        return str(group.lead.resource)
    return f"{group.count} resources: {group.examples(lambda i: str(i.resource), ', ')}"


def _finding_row(group: Group[Finding]) -> str:
    f = group.lead
    status = f.status.value
    if f.mute is not None:
        status += f" ({'expired mute' if f.mute.expired else 'muted'}: {f.mute.reason})"
    cells = [
        f.severity.value,
        f.confidence.value,
        f"`{f.rule_id}`",
        _resources(group),
        group.text,
        _where(f),
        status,
    ]
    return "| " + " | ".join(_cell(c) for c in cells) + " |"


def _findings(result: AuditResult) -> list[str]:
    if not result.findings:
        return ["No findings."]
    head = [
        "| severity | confidence | rule | resource | message | evidence | status |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    return head + [_finding_row(g) for g in grouped(result.findings, finding_key)]


def _unknown_item(group: Group[Unknown]) -> str:
    u = group.lead
    return f"- `{u.rule_id}` {_cell(_resources(group))}: {_cell(group.text)}"


def _unknowns(result: AuditResult) -> list[str]:
    if not result.unknowns:
        return []
    lines = ["", "## Could not check", ""]
    lines += [_unknown_item(g) for g in grouped(result.unknowns, unknown_key)]
    return lines


def _expired(result: AuditResult) -> list[str]:
    if not result.expired_mutes:
        return []
    lines = ["", "## Expired mutes", ""]
    lines += [
        f"- `{m.rule}` {m.resource} (expired {m.expires.isoformat()}, {m.where}): {_cell(m.reason)}"
        for m in result.expired_mutes
    ]
    return lines


def render(result: AuditResult) -> str:
    """The result as a Markdown document."""
    lines = ["# imageyard audit", "", summary_line(result), "", "## Findings", ""]
    lines += _findings(result) + _unknowns(result) + _expired(result)
    return "\n".join(lines) + "\n"
