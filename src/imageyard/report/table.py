"""Table: the terminal view (rich), worst findings first, then unknowns and a summary."""

from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table
from rich.text import Text

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding
from imageyard.report.view import summary_line

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": ""}


def _status(f: Finding) -> str:
    if f.mute is None:
        return f.status.value
    return "muted" if not f.mute.expired else "fail (mute expired)"


def _findings_table(result: AuditResult) -> Table:
    table = Table(title="Findings", show_lines=False, expand=False)
    for name in ("severity", "conf.", "rule", "resource", "message", "status"):
        table.add_column(name, overflow="fold")
    for f in result.findings:
        cells = (f.confidence.value, f.rule_id, str(f.resource), f.message, _status(f))
        table.add_row(Text(f.severity.value, style=_STYLE[f.severity.value]), *map(Text, cells))
    return table


def _unknowns_table(result: AuditResult) -> Table:
    table = Table(title="Could not check")
    for name in ("rule", "resource", "missing"):
        table.add_column(name, overflow="fold")
    for u in result.unknowns:
        table.add_row(*map(Text, (u.rule_id, str(u.resource), u.reason)))
    return table


def render(result: AuditResult, *, color: bool = False, width: int = 160) -> str:
    """The result as terminal tables (ANSI colours only when ``color``)."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    if result.findings:
        console.print(_findings_table(result))
    if result.unknowns:
        console.print(_unknowns_table(result))
    for m in result.expired_mutes:
        console.print(
            f"expired mute {m.where}: {m.rule} {m.resource} ({m.expires.isoformat()})", markup=False
        )
    console.print(summary_line(result), markup=False)
    return buf.getvalue()
