"""The Markdown memo: the design read top to bottom, each decision with its reasons.

Concepts: one section per part of the design (a) to (f), each decision as a short block:
the choice, why (computed from the data), the evidence with its provenance, and the facts
it rests on with their upstream sources. The config diff and the reclamation steps are
printed in full; the facts cited are listed once at the end. The summary (declared pain
points, the clone path first, then capacity warnings) opens the memo.
"""

from __future__ import annotations

from imageyard.design.diff import FileDiff
from imageyard.design.facts import FACTS
from imageyard.design.model import Decision, Design
from imageyard.design.render import ini

GIB = 1024**3
_TITLES = {
    "startup": "(0) Startup errors first",
    "layout": "(a) Store layout",
    "format": "(b) Format policy",
    "config": "(c) Configuration",
    "cache": "(d) Caches for the non-COW paths",
    "reclaim": "(e) Reclamation",
    "hygiene": "(f) Visibility, signing and retention",
}


def _decision(d: Decision) -> list[str]:
    label = "**Warning:**" if d.warning else "**Decision:**"
    lines = [f"### {d.title}", "", f"{label} {d.choice}", "", f"**Why:** {d.why}", ""]
    if d.evidence:
        lines += ["**Data:**", *[f"- {e}" for e in d.evidence], ""]
    lines.append(
        "**Rests on:** "
        + "; ".join(f"{f} ({FACTS[f].kind})" if FACTS[f].kind != "fact" else f for f in d.facts)
    )
    return [*lines, ""]


def _stores_table(design: Design) -> list[str]:
    rows = [
        "| store | type | role | weight | default | source | description |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for s in design.stores:
        weight = "-" if s.weight is None else str(s.weight)
        rows.append(
            f"| {s.id} | {s.type} | {s.role} | {weight} | "
            f"{'yes' if s.is_default else ''} | {s.source} | {s.description} |"
        )
    return [*rows, ""]


def _conversions(design: Design) -> list[str]:
    if not design.conversions:
        return []
    rows = [
        "| image | name | store | format | size | virtual_size | extra | boots |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for c in design.conversions:
        extra = "?" if c.extra_bytes is None else f"{c.extra_bytes / GIB:.2f} GiB"
        rows.append(
            f"| {c.image_id} | {c.name} | {c.store} | {c.disk_format} | {c.size} | "
            f"{c.virtual_size if c.virtual_size is not None else '?'} | {extra} | {c.boots} |"
        )
    return [*rows, ""]


def _steps(design: Design) -> list[str]:
    lines: list[str] = []
    for n, s in enumerate(design.steps, 1):
        lines += [
            f"{n}. **{s.title}** ({s.why} [{s.fact}])",
            "",
            f"   Safety check first: `{s.check}`",
            "",
            "   ```sh",
            *[f"   {c}" for c in s.commands],
            "   ```",
            "",
        ]
    return lines


MAX_RECLAIM_LISTED = 10


def _listed(title: str, entries: list[str]) -> list[str]:
    if not entries:
        return []
    more = len(entries) - MAX_RECLAIM_LISTED
    tail = [f"- ... and {more} more (design -f json lists all)"] if more > 0 else []
    return [
        f"{title} ({len(entries)}):",
        *[f"- {e}" for e in entries[:MAX_RECLAIM_LISTED]],
        *tail,
        "",
    ]


def _reclaim(design: Design) -> list[str]:
    view = design.reclaim
    if view is None:
        return []
    unknown = f"; undecided classes: {', '.join(view.unknown)}" if view.unknown else ""
    lines = [
        f"Reclaim analysis (as `imageyard reclaim` reports it): {len(view.orphans)} orphans, "
        f"{len(view.pins)} pinned images, {len(view.duplicates)} duplicate groups{unknown}.",
        "",
    ]
    lines += _listed("Orphans", list(view.orphans))
    lines += _listed(
        "Pinned (kept alive by clones: flatten them first; with v1 clones a delete returns 409)",
        list(view.pins),
    )
    groups = [f"keep {g[0]}; copies {', '.join(g[1:])}" for g in view.duplicates]
    return lines + _listed("Duplicate groups", groups)


def _section(design: Design, section: str, diffs: tuple[FileDiff, ...]) -> list[str]:
    if section == "startup" and not any(d.section == "startup" for d in design.decisions):
        return []
    lines = [f"## {_TITLES[section]}", ""]
    if section == "layout":
        lines += _stores_table(design)
    for d in design.decisions:
        if d.section == section:
            lines += _decision(d)
    if section == "format":
        lines += _conversions(design)
    if section == "config":
        lines += ["```diff", ini.render(design, diffs).rstrip(), "```", ""]
        if design.manual:
            lines += [
                "Add by hand (values only you know; not written to any file):",
                *[f"- {m}" for m in design.manual],
                "",
            ]
    if section == "reclaim":
        lines += _reclaim(design) + _steps(design)
    return lines


def _facts(design: Design) -> list[str]:
    used = sorted(
        {f for d in design.decisions for f in d.facts}
        | {c.fact for c in design.changes}
        | {s.fact for s in design.steps}
    )
    lines = ["## Facts cited", ""]
    for fid in used:
        f = FACTS[fid]
        tag = " *(inference)*" if f.kind == "inference" else ""
        lines.append(f"- **{fid}**{tag}: {f.text} Source: {f.source}")
    return [*lines, ""]


def _header(design: Design) -> list[str]:
    lines = [
        f"# Glance storage design: {design.site}",
        "",
        f"Target release: {design.release}.",
        "",
    ]
    lines += ["Inputs:", *[f"- {i}" for i in design.inputs], ""]
    if design.notes:
        lines += [
            "Where measured and declared data disagree (measured wins):",
            *[f"- {n}" for n in design.notes],
            "",
        ]
    if design.summary:
        lines += ["## Summary", "", *[f"- {line}" for line in design.summary], ""]
    if design.audit:
        lines += [
            "Audit findings in the inventory this design addresses or lives with:",
            *[f"- {rule}: {n}" for rule, n in design.audit],
            "",
        ]
    return lines


def render(design: Design, diffs: tuple[FileDiff, ...]) -> str:
    lines = _header(design)
    for section in _TITLES:
        lines += _section(design, section, diffs)
    lines += _facts(design)
    return "\n".join(lines).rstrip() + "\n"
