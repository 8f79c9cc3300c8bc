"""Table: the terminal view, one block per rule (worst first), then unknowns and a summary.

Concepts: findings are grouped by rule: a heading (severity, rule id, count, confidence,
title), then the rule's findings that share a cause (``report.groups``: a rule that fails per
image) as one row per cause with its count, severity, ``file:line`` and the first few
resources, then a table with one row per finding without a cause (its resource, the
``file:line`` it cites and the message). The view is the same whatever the order of the
result's findings and unknowns (``groups.grouped_sorted`` orders what it shows), so the CLI
does not order the results it only shows as a table. Unknowns are grouped the same way. A catalog of
100,000 images so gives about as many lines as one of 100; the full list is in JSON.
The tables stream (``report.grid``): ``chunks`` yields the view a rule's block at a time, a
large block a few thousand lines (whole rows) at a time (the CLI writes each as it comes).
The text is plain (no console markup), so ``[section]`` names print as written, and every
line fits ``width`` columns (80 included). A catalog value's newline, tab or other control
character is shown as a stand-in in its cell (``terminal.one_line``), so it cannot forge a line
or a row; with ``color`` the table shows every control character itself (its own ANSI
codes are then the only ones), else the writer does. The summary line ends the view once;
the CLI does not repeat it on stderr when the table goes to stdout.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator

from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Finding, Unknown
from imageyard.report import grid
from imageyard.report.groups import (
    Group,
    T,
    finding_key,
    first,
    grouped_sorted,
    per_rule,
    unknown_key,
)
from imageyard.report.view import summary_line
from imageyard.terminal import one_line, visible

# ANSI SGR codes per severity (bold red, red, yellow, cyan)
_STYLE = {"critical": "1;31", "high": "31", "medium": "33", "low": "36", "info": ""}
_FINDING_COLUMNS = ("resource", "file:line", "message")
_UNKNOWN_COLUMNS = ("resource", "missing")
_GROUP_COLUMNS = ("count", "severity", "cause", "file:line", "e.g.")
_UNKNOWN_GROUP_COLUMNS = ("count", "missing", "e.g.")
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
    return (one_line(str(f.resource)) + _status(f), _where(f), one_line(f.message))


def _heading(text: str, width: int, style: str, color: bool) -> list[str]:
    lines = textwrap.wrap(visible(text) if color else text, width) or [""]
    if color and style:
        lines[0] = f"\x1b[{style}m{lines[0]}\x1b[0m"
    return lines


def _untitled(units: Iterator[list[str]]) -> Iterator[list[str]]:
    """A table's units with its (empty) title line dropped."""
    yield next(units)[1:]
    yield from units


def _batched(first: list[str], units: Iterator[list[str]]) -> Iterator[list[str]]:
    """``first`` and then the tables' units, a few rows a block."""
    lines = first
    for unit in units:
        lines += unit
        if len(lines) >= BLOCK_LINES:
            yield lines
            lines = []
    yield lines


def _examples(group: Group[T]) -> str:
    return group.examples(lambda i: one_line(str(i.resource)), "\n")


def _group_row(g: Group[Finding]) -> tuple[str, ...]:
    lead = g.lead
    return (
        str(g.count),
        lead.severity.value + _status(lead),
        one_line(g.text),
        _where(lead),
        _examples(g),
    )


def _cause_table(groups: list[Group[Finding]], color: bool, width: int) -> Iterator[list[str]]:
    """One row per cause: count, severity, cause, ``file:line`` and the first resources."""
    rows = [_group_row(g) for g in groups]
    styles = [(_STYLE[g.lead.severity.value],) * 2 + ("",) * 3 for g in groups]
    yield from _untitled(
        grid.render_rows(
            "", _GROUP_COLUMNS, rows, width=width, styles=styles if color else None, clean=color
        )
    )


def _finding_table(found: list[Finding], color: bool, width: int) -> Iterator[list[str]]:
    """One row per finding: resource, ``file:line`` and message."""
    rows = [_finding_row(f) for f in found]
    styles = [(_STYLE[f.severity.value], "", "") for f in found] if color else None
    yield from _untitled(
        grid.render_rows("", _FINDING_COLUMNS, rows, width=width, styles=styles, clean=color)
    )


def _finding_tables(groups: list[Group[Finding]], color: bool, width: int) -> Iterator[list[str]]:
    caused = [g for g in groups if g.grouped]
    if caused:
        yield from _cause_table(caused, color, width)
    found = [g.lead for g in groups if not g.grouped]
    if found:
        yield from _finding_table(found, color, width)


def _finding_blocks(result: AuditResult, color: bool, width: int) -> Iterator[list[str]]:
    titles = {r.meta.id: r.meta.title for r in result.rules}
    for groups in per_rule(grouped_sorted(result.findings, finding_key)):
        lead = first(groups)
        worst, rule_id = lead.severity.value, lead.rule_id
        count = sum(g.count for g in groups)
        head = f"{worst.upper()} {rule_id} ({count}, confidence {lead.confidence.value})"
        title = titles.get(rule_id)
        heading = _heading(f"{head}: {title}" if title else head, width, _STYLE[worst], color)
        yield from _batched(heading, _finding_tables(groups, color, width))


def _unknown_tables(groups: list[Group[Unknown]], color: bool, width: int) -> Iterator[list[str]]:
    caused = [g for g in groups if g.grouped]
    if caused:
        rows = [(str(g.count), one_line(g.text), _examples(g)) for g in caused]
        units = grid.render_rows("", _UNKNOWN_GROUP_COLUMNS, rows, width=width, clean=color)
        yield from _untitled(units)
    single = [
        (one_line(str(g.lead.resource)), one_line(g.lead.reason)) for g in groups if not g.grouped
    ]
    if single:
        units = grid.render_rows("", _UNKNOWN_COLUMNS, single, width=width, clean=color)
        yield from _untitled(units)


def _unknown_blocks(result: AuditResult, color: bool, width: int) -> Iterator[list[str]]:
    yield [f"Could not check ({len(result.unknowns)})"]
    for groups in per_rule(grouped_sorted(result.unknowns, unknown_key)):
        heading = one_line(f"{groups[0].lead.rule_id} ({sum(g.count for g in groups)})")
        yield from _batched([heading], _unknown_tables(groups, color, width))


def _blocks(result: AuditResult, color: bool, width: int) -> Iterator[list[str]]:
    yield from _finding_blocks(result, color, width)
    if result.unknowns:
        yield from _unknown_blocks(result, color, width)
    lines: list[str] = []
    for m in result.expired_mutes:
        text = f"expired mute {m.where}: {m.rule} {m.resource} ({m.expires.isoformat()})"
        lines += textwrap.wrap(one_line(text), width)
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
