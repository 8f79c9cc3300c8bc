"""Table: the terminal view, worst findings first, then unknowns and a summary.

The tables stream (``report.grid``): an audit of a large catalog has a row per image.
"""

from __future__ import annotations

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding
from imageyard.report import grid
from imageyard.report.view import summary_line

# ANSI SGR codes per severity (bold red, red, yellow, cyan)
_STYLE = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": ""}
_FINDING_COLUMNS = ("severity", "conf.", "rule", "resource", "message", "status")
_UNKNOWN_COLUMNS = ("rule", "resource", "missing")


def _status(f: Finding) -> str:
    if f.mute is None:
        return f.status.value
    return "muted" if not f.mute.expired else "fail (mute expired)"


def _finding_row(f: Finding) -> tuple[str, ...]:
    return (f.severity.value, f.confidence.value, f.rule_id, str(f.resource), f.message,
            _status(f))  # fmt: skip


def _lines(result: AuditResult, color: bool, width: int) -> list[str]:
    lines: list[str] = []
    if result.findings:
        rows = [_finding_row(f) for f in result.findings]
        styles = None
        if color:
            styles = [(_STYLE[f.severity.value], "", "", "", "", "") for f in result.findings]
        lines += grid.render("Findings", _FINDING_COLUMNS, rows, width=width, styles=styles)
    if result.unknowns:
        rows = [(u.rule_id, str(u.resource), u.reason) for u in result.unknowns]
        lines += grid.render("Could not check", _UNKNOWN_COLUMNS, rows, width=width)
    for m in result.expired_mutes:
        lines.append(f"expired mute {m.where}: {m.rule} {m.resource} ({m.expires.isoformat()})")
    lines.append(summary_line(result))
    return lines


def render(result: AuditResult, *, color: bool = False, width: int = 160) -> str:
    """The result as terminal tables (ANSI colours only when ``color``)."""
    return "\n".join(_lines(result, color, width)) + "\n"
