"""Table: the terminal view (rich), one block per rule, worst first, then unknowns.

Concepts: findings are grouped by rule (a heading with severity, rule id, title and count,
then one row per resource with the ``file:line`` it cites and the message); every cell is
a ``rich.text.Text``, so ``[section]`` names are printed as written, never read as console
markup. The whole view fits ``width`` columns (80 included): long cells wrap inside their
column. The summary line ends the view once; the CLI does not repeat it on stderr when the
table goes to stdout.
"""

from __future__ import annotations

import io

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding, Unknown
from imageyard.report.view import summary_line

_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan", "info": ""}
DEFAULT_WIDTH = 100


def _status(f: Finding) -> str:
    if f.mute is None:
        return ""
    return " (muted)" if not f.mute.expired else " (mute expired)"


def _where(f: Finding) -> str:
    cited = [e.where for e in f.evidence if e.path and e.line]
    return "\n".join(dict.fromkeys(cited))


def _groups(result: AuditResult) -> dict[str, list[Finding]]:
    """Findings per rule, rules in the order of their worst finding."""
    groups: dict[str, list[Finding]] = {}
    for f in result.findings:
        groups.setdefault(f.rule_id, []).append(f)
    return groups


def _heading(rule_id: str, found: list[Finding], titles: dict[str, str]) -> Text:
    worst = found[0].severity.value
    head = Text(f"{worst.upper()} ", style=_STYLE[worst])
    head.append(rule_id, style="bold")
    head.append(f" ({len(found)}, confidence {found[0].confidence.value})")
    title = titles.get(rule_id)
    if title:
        head.append(f": {title}")
    return head


def _rule_table(found: list[Finding]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
    table.add_column("resource", overflow="fold", ratio=2)
    table.add_column("file:line", overflow="fold", ratio=3)
    table.add_column("message", overflow="fold", ratio=5)
    for f in found:
        resource = Text(str(f.resource) + _status(f), style=_STYLE[f.severity.value])
        table.add_row(resource, Text(_where(f)), Text(f.message))
    return table


def _unknowns(console: Console, result: AuditResult) -> None:
    """One block per rule that could not check something: resource and what is missing."""
    groups: dict[str, list[Unknown]] = {}
    for u in result.unknowns:
        groups.setdefault(u.rule_id, []).append(u)
    console.print(Text(f"Could not check ({len(result.unknowns)})", style="bold"))
    for rule_id, unknowns in groups.items():
        table = Table(box=None, show_header=False, pad_edge=False, expand=True)
        table.add_column("resource", overflow="fold", ratio=2)
        table.add_column("missing", overflow="fold", ratio=5)
        for u in unknowns:
            table.add_row(Text(str(u.resource)), Text(u.reason))
        console.print(Text(f"{rule_id} ({len(unknowns)})", style="bold"))
        console.print(table)


def render(result: AuditResult, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """The result as terminal text ``width`` columns wide (ANSI colours only when ``color``)."""
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color, highlight=False
    )
    titles = {r.meta.id: r.meta.title for r in result.rules}
    for rule_id, found in _groups(result).items():
        console.print(_heading(rule_id, found, titles))
        console.print(_rule_table(found))
    if result.unknowns:
        _unknowns(console, result)
    for m in result.expired_mutes:
        console.print(
            Text(f"expired mute {m.where}: {m.rule} {m.resource} ({m.expires.isoformat()})")
        )
    console.print(Text(summary_line(result)))
    return buf.getvalue()
