"""Table: the terminal view, one block per rule (worst first), then unknowns and a summary.

Concepts: findings are grouped by rule: a heading (severity, rule id, count, confidence,
title), then a table with one row per resource, the ``file:line`` it cites and the message.
The tables stream (``report.grid``): an audit of a large catalog has a row per image, so
``chunks`` yields the view a rule's block at a time, a large block a few thousand lines (whole
rows) at a time (the CLI writes each as it comes), and is never one list of every line.
The text is plain (no console markup), so ``[section]`` names print as written, and every
line fits ``width`` columns (80 included). The summary line ends the view once; the CLI does
not repeat it on stderr when the table goes to stdout.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding, Unknown
from imageyard.report import grid
from imageyard.report.view import summary_line

# ANSI SGR codes per severity (bold red, red, yellow, cyan)
_STYLE = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": ""}
_FINDING_COLUMNS = ("resource", "file:line", "message")
_UNKNOWN_COLUMNS = ("resource", "missing")
DEFAULT_WIDTH = 160
BLOCK_LINES = 4096  # a rule's block is written this many lines (whole rows) at a time


def _status(f: Finding) -> str:
    if f.mute is None:
        return ""
    return " (muted)" if not f.mute.expired else " (mute expired)"


def _where(f: Finding) -> str:
    cited = [e.where for e in f.evidence if e.path and e.line]
    return "\n".join(dict.fromkeys(cited))


def _finding_row(f: Finding) -> tuple[str, ...]:
    return (str(f.resource) + _status(f), _where(f), f.message)


def _by_rule(items: tuple[Finding, ...] | tuple[Unknown, ...]) -> dict[str, list[object]]:
    groups: dict[str, list[object]] = {}
    for item in items:
        groups.setdefault(item.rule_id, []).append(item)
    return groups


def _heading(text: str, width: int, style: str, color: bool) -> list[str]:
    lines = textwrap.wrap(text, width) or [""]
    if color and style:
        lines[0] = f"\x1b[{style}m{lines[0]}\x1b[0m"
    return lines


def _batched(first: list[str], units: Iterator[list[str]]) -> Iterator[list[str]]:
    """``first`` and then the table's units (its title line dropped), a few rows a block."""
    lines = first + next(units)[1:]
    for unit in units:
        lines += unit
        if len(lines) >= BLOCK_LINES:
            yield lines
            lines = []
    yield lines


def _finding_blocks(result: AuditResult, color: bool, width: int) -> Iterator[list[str]]:
    titles = {r.meta.id: r.meta.title for r in result.rules}
    for rule_id, group in _by_rule(result.findings).items():
        found = [f for f in group if isinstance(f, Finding)]
        worst = found[0].severity.value
        head = f"{worst.upper()} {rule_id} ({len(found)}, confidence {found[0].confidence.value})"
        title = titles.get(rule_id)
        heading = _heading(f"{head}: {title}" if title else head, width, _STYLE[worst], color)
        rows = [_finding_row(f) for f in found]
        styles = [(_STYLE[f.severity.value], "", "") for f in found] if color else None
        units = grid.render_rows("", _FINDING_COLUMNS, rows, width=width, styles=styles)
        yield from _batched(heading, units)


def _unknown_blocks(result: AuditResult, width: int) -> Iterator[list[str]]:
    yield [f"Could not check ({len(result.unknowns)})"]
    for rule_id, group in _by_rule(result.unknowns).items():
        rows = [(str(u.resource), u.reason) for u in group if isinstance(u, Unknown)]
        units = grid.render_rows("", _UNKNOWN_COLUMNS, rows, width=width)
        yield from _batched([f"{rule_id} ({len(rows)})"], units)


def _blocks(result: AuditResult, color: bool, width: int) -> Iterator[list[str]]:
    yield from _finding_blocks(result, color, width)
    if result.unknowns:
        yield from _unknown_blocks(result, width)
    lines: list[str] = []
    for m in result.expired_mutes:
        text = f"expired mute {m.where}: {m.rule} {m.resource} ({m.expires.isoformat()})"
        lines += textwrap.wrap(text, width)
    yield lines + textwrap.wrap(summary_line(result), width)


def chunks(
    result: AuditResult, *, color: bool = False, width: int = DEFAULT_WIDTH
) -> Iterator[str]:
    """``render``'s text a block at a time (each ends with a newline)."""
    for lines in _blocks(result, color, width):
        if lines:
            yield "\n".join(lines) + "\n"


def render(result: AuditResult, *, color: bool = False, width: int = DEFAULT_WIDTH) -> str:
    """The result as terminal text ``width`` columns wide (ANSI colours only when ``color``)."""
    return "".join(chunks(result, color=color, width=width))
