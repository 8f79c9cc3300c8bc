"""Markdown: a summary, a findings table, the unknowns and expired mutes (for tickets, CI)."""

from __future__ import annotations

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding
from imageyard.report.view import summary_line


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _where(f: Finding) -> str:
    places = [e.where for e in f.evidence if e.where]
    return ", ".join(f"`{p}`" for p in places)


def _finding_row(f: Finding) -> str:
    status = f.status.value
    if f.mute is not None:
        status += f" ({'expired mute' if f.mute.expired else 'muted'}: {f.mute.reason})"
    cells = [
        f.severity.value,
        f.confidence.value,
        f"`{f.rule_id}`",
        str(f.resource),
        f.message,
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
    return head + [_finding_row(f) for f in result.findings]


def _unknowns(result: AuditResult) -> list[str]:
    if not result.unknowns:
        return []
    lines = ["", "## Could not check", ""]
    lines += [
        f"- `{u.rule_id}` {_cell(str(u.resource))}: {_cell(u.reason)}" for u in result.unknowns
    ]
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
