"""Helpers shared by the renderers: INI fragments and the "cannot express" footer.

Concepts: a *fragment* is the set options of one file grouped by section, each preceded by
its reason, without the rest of the file: what override mechanisms (kolla config
overrides, OSA ``*_overrides`` dicts, glance-operator ``customServiceConfig``) merge on top
of the tool's own file. Removals cannot be expressed that way and are listed instead.
"""

from __future__ import annotations

from imageyard.design.diff import option_lines
from imageyard.design.model import Change, Design


def grouped(changes: tuple[Change, ...]) -> dict[str, list[Change]]:
    """Set-changes by section, in first-seen order."""
    out: dict[str, list[Change]] = {}
    for ch in changes:
        if ch.value is not None:
            out.setdefault(ch.section, []).append(ch)
    return out


def fragment(changes: tuple[Change, ...], indent: str = "") -> str:
    """An INI fragment of the set-changes, one comment line per option."""
    lines: list[str] = []
    for section, items in grouped(changes).items():
        lines.append(f"{indent}[{section}]")
        for ch in items:
            lines.append(f"{indent}# {ch.why} [{ch.fact}]")
            if ch.risk:
                lines.append(f"{indent}# RISK: {ch.risk}")
            lines += [f"{indent}{line}" for line in option_lines(ch)]
        lines.append("")
    return "\n".join(lines)


def removals(design: Design) -> list[str]:
    return [
        f"remove [{c.section}] {c.key} from {c.file} ({c.why})"
        for c in design.changes
        if c.value is None
    ]


def by_hand(design: Design) -> list[str]:
    """The values only the operator knows, for a renderer's footer."""
    return [f"add by hand: {m}" for m in design.manual]


def cannot(items: list[str], comment: str = "#") -> str:
    if not items:
        return ""
    body = "\n".join(f"{comment}   - {item}" for item in items)
    return f"{comment} This tool cannot express:\n{body}\n"


def targets(design: Design, file: str) -> list[str]:
    """The targets (compute group, site API, ...) that ``file`` has changes for, in order."""
    found: list[str] = []
    for c in design.changes_for(file):
        if c.target not in found:
            found.append(c.target)
    return found
