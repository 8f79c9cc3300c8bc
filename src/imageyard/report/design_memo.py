"""The design memo as the report shows it: design's own result, read, never recomputed.

Concepts: ``imageyard design -f json`` writes the whole design as one document
(``imageyard.design/1``, see ``design/json_out.py``): decisions with their reasons, evidence
and facts, the stores, conversions, config changes with their diffs and the reclamation
steps. ``memo(doc)`` turns that document into a ``Memo`` the template only loops over: one
``MemoSection`` per part of the design (layout, format, config, cache, reclaim, hygiene),
each decision with its evidence and the facts it rests on, plus the section's own table
(stores, conversions, changes; with several sites, each site's Glance API), lists
(reclaim's orphans, pins, duplicates) and steps.
``read_design(path)`` reads such a file (a Markdown memo, ``design -f markdown``, is kept
as text); ``design_for_site`` runs design's public entry point and takes the same document
(``json_out.render``), so a file and a run show the same. Every text passes
``secrets.scrub``. A file that is not such a document is ``InputError`` (exit 5).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from imageyard import secrets
from imageyard.errors import InputError
from imageyard.files import parse_json, read_text
from imageyard.report.facts import human_bytes

SCHEMA = "imageyard.design/1"
MAX_DESIGN_BYTES = 256 * 2**20
MAX_LISTED = 20  # rows of a long table or list shown; the design's JSON lists every one
TITLES = (
    ("startup", "(0) Startup errors first"),
    ("layout", "(a) Store layout"),
    ("format", "(b) Format policy"),
    ("config", "(c) Configuration"),
    ("cache", "(d) Caches for the non-COW paths"),
    ("reclaim", "(e) Reclamation"),
    ("hygiene", "(f) Visibility, signing and retention"),
)


@dataclass(frozen=True)
class MemoDecision:
    """One decision: the choice, why, the data it was computed from, the facts cited."""

    title: str
    choice: str
    why: str
    evidence: tuple[str, ...]
    facts: tuple[str, ...]
    warning: bool


@dataclass(frozen=True)
class MemoTable:
    """Rows under headers, and how many rows the design has beyond those shown."""

    caption: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    more: int = 0
    key: str = ""  # names the table in the page (its id), when set


@dataclass(frozen=True)
class MemoList:
    """A titled list of entries (``more``: beyond those shown)."""

    title: str
    items: tuple[str, ...]
    more: int = 0


@dataclass(frozen=True)
class MemoStep:
    """One reclamation step: the safety check first, then the commands."""

    title: str
    why: str
    check: str
    commands: tuple[str, ...]


@dataclass(frozen=True)
class MemoDiff:
    """One file's unified diff and a one-line summary of it."""

    file: str
    summary: str
    text: str


@dataclass(frozen=True)
class MemoSection:
    """One part of the design."""

    key: str
    title: str
    decisions: tuple[MemoDecision, ...]
    tables: tuple[MemoTable, ...] = ()
    lists: tuple[MemoList, ...] = ()
    steps: tuple[MemoStep, ...] = ()
    diffs: tuple[MemoDiff, ...] = ()


@dataclass(frozen=True)
class Memo:
    """The design as the report shows it."""

    site: str
    release: str
    inputs: tuple[str, ...]
    summary: tuple[str, ...]
    notes: tuple[str, ...]
    audit: tuple[str, ...]
    sections: tuple[MemoSection, ...]
    facts: tuple[MemoList, ...]  # one per fact cited: id and kind, then text and source


def _s(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise ValueError(f"a text must not be {type(value).__name__}")
    return secrets.scrub(str(value))


def _texts(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError(f"a list must not be {type(value).__name__}")
    return tuple(_s(v) for v in value)


def _listed(items: list[Any]) -> tuple[list[Any], int]:
    return items[:MAX_LISTED], max(len(items) - MAX_LISTED, 0)


def _decision(d: dict[str, Any]) -> MemoDecision:
    return MemoDecision(
        title=_s(d["title"]), choice=_s(d["choice"]), why=_s(d["why"]),
        evidence=_texts(d.get("evidence", [])), facts=_texts(d["facts"]),
        warning=d.get("warning") is True,
    )  # fmt: skip


def _decisions(doc: dict[str, Any], key: str) -> tuple[MemoDecision, ...]:
    return tuple(_decision(d) for d in doc["decisions"] if d["section"] == key)


def _stores(doc: dict[str, Any]) -> MemoTable:
    headers = ("store", "type", "role", "weight", "default", "source", "description")
    rows = tuple(
        (_s(s["id"]), _s(s["type"]), _s(s["role"]), _s(s.get("weight", "-")) or "-",
         "yes" if s.get("is_default") is True else "", _s(s.get("source")),
         _s(s.get("description")))
        for s in doc["stores"]
    )  # fmt: skip
    return MemoTable("Stores", headers, rows)


def _weights(api: dict[str, Any]) -> str:
    pairs = [f"{_s(store)}={_s(weight)}" for store, weight in api["weights"]]
    return ", ".join(pairs) or "no weights (before Glance 27)"


def _api_row(api: dict[str, Any]) -> tuple[str, ...]:
    target = _s(api.get("target"))
    where = f"glance-api.conf ({target})" if target else "glance-api.conf"
    return (_s(api["site"]), where, _s(api["default"]), ", ".join(_texts(api["stores"])),
            _weights(api))  # fmt: skip


def _apis(doc: dict[str, Any]) -> tuple[MemoTable, ...]:
    """Each site's glance-api as the design planned it (``apis``: one per site when the
    design has several; none otherwise)."""
    apis = doc.get("apis", [])
    if not isinstance(apis, list):
        raise ValueError("apis must be a list")
    if len(apis) < 2:
        return ()
    headers = ("site", "file", "default store", "stores enabled", "weights")
    rows = tuple(_api_row(a) for a in apis)
    return (MemoTable(f"Glance API per site: {len(rows)}", headers, rows, key="apis"),)


def _size(value: Any) -> str:
    if value is None:
        return "?"
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"a size must be a whole number >= 0, not {value!r}")
    return human_bytes(value)


def _extra(c: dict[str, Any]) -> str:
    virtual = c.get("virtual_size")
    return "?" if virtual is None else _size(max(virtual - c["size"], 0))


def _conversions(doc: dict[str, Any]) -> tuple[MemoTable, ...]:
    # NOTE: the design's own order (most booted first); only the first rows are shown
    shown, more = _listed(doc["conversions"])
    if not shown:
        return ()
    total = sum(c["size"] for c in doc["conversions"])
    caption = f"Images to convert to raw: {len(doc['conversions'])}, {human_bytes(total)} now"
    headers = ("image", "name", "store", "format", "size", "extra as raw", "boots")
    rows = tuple(
        (_s(c["image_id"]), _s(c["name"]), _s(c["store"]), _s(c["disk_format"]),
         _size(c["size"]), _extra(c), _s(c.get("boots", 0)))
        for c in shown
    )  # fmt: skip
    return (MemoTable(caption, headers, rows, more),)


def _change_row(c: dict[str, Any]) -> tuple[str, ...]:
    where = f"{c['file']} ({c['target']})" if c.get("target") else c["file"]
    value = "(removed)" if c.get("value") is None else f"= {c['value']}"
    return (_s(where), _s(c["section"]), _s(c["key"]), _s(value), _s(c["why"]),
            _s(c.get("risk")))  # fmt: skip


def _changes(doc: dict[str, Any]) -> tuple[MemoTable, ...]:
    if not doc["changes"]:
        return ()
    headers = ("file", "section", "option", "value", "why", "risk")
    rows = tuple(_change_row(c) for c in doc["changes"])
    return (MemoTable(f"Options to change: {len(rows)}", headers, rows),)


def _diff_summary(text: str) -> str:
    lines = text.splitlines()
    added = sum(1 for x in lines if x.startswith("+") and not x.startswith("+++"))
    removed = sum(1 for x in lines if x.startswith("-") and not x.startswith("---"))
    return f"{added} lines added, {removed} removed"


def _diffs(doc: dict[str, Any]) -> tuple[MemoDiff, ...]:
    diffs = doc["diff"]
    if not isinstance(diffs, dict):
        raise ValueError("diff must map each file to its diff")
    return tuple(
        MemoDiff(_s(name), _diff_summary(_s(diffs[name])), _s(diffs[name]))
        for name in sorted(diffs)
    )


def _manual(doc: dict[str, Any]) -> tuple[MemoList, ...]:
    items = _texts(doc.get("manual", []))
    title = "Add by hand (values only you know; not written to any file)"
    return (MemoList(title, items),) if items else ()


def _reclaim_lists(doc: dict[str, Any]) -> tuple[MemoList, ...]:
    view = doc.get("reclaim")
    if view is None:
        return ()
    groups = [f"keep {g[0]}; copies {', '.join(g[1:])}" for g in view["duplicates"]]
    head = (
        f"Reclaim analysis (as imageyard reclaim reports it): "
        f"{human_bytes(view['reclaimable_bytes'])} reclaimable, {len(view['orphans'])} "
        f"orphans, {len(view['pins'])} pinned images, {len(groups)} duplicate groups"
    )
    found: tuple[tuple[str, list[Any]], ...] = (
        ("Orphans", view["orphans"]),
        ("Pinned (kept alive by clones: flatten them first)", view["pins"]),
        ("Duplicate groups", groups),
        ("Classes that could not be decided", view["unknown"]),
    )
    lists = [MemoList(_s(head), ())]
    for title, entries in found:
        shown, more = _listed(list(entries))
        if entries:
            lists.append(MemoList(title, _texts(shown), more))
    return tuple(lists)


def _steps(doc: dict[str, Any]) -> tuple[MemoStep, ...]:
    return tuple(
        MemoStep(_s(s["title"]), f"{_s(s['why'])} [{_s(s['fact'])}]", _s(s["check"]),
                 _texts(s["commands"]))
        for s in doc["steps"]
    )  # fmt: skip


def _section(doc: dict[str, Any], key: str, title: str) -> MemoSection | None:
    decisions = _decisions(doc, key)
    if key == "startup" and not decisions:
        return None
    if key == "layout":
        return MemoSection(key, title, decisions, tables=(_stores(doc), *_apis(doc)))
    if key == "format":
        return MemoSection(key, title, decisions, tables=_conversions(doc))
    if key == "config":
        return MemoSection(key, title, decisions, tables=_changes(doc), lists=_manual(doc),
                           diffs=_diffs(doc))  # fmt: skip
    if key == "reclaim":
        return MemoSection(key, title, decisions, lists=_reclaim_lists(doc), steps=_steps(doc))
    return MemoSection(key, title, decisions)


def _facts(doc: dict[str, Any]) -> tuple[MemoList, ...]:
    facts = doc["facts"]
    if not isinstance(facts, dict):
        raise ValueError("facts must map each fact id to the fact")
    return tuple(
        MemoList(f"{_s(fid)} ({_s(facts[fid]['kind'])})",
                 (_s(facts[fid]["text"]), f"Source: {_s(facts[fid]['source'])}"))
        for fid in sorted(facts)
    )  # fmt: skip


def memo(doc: dict[str, Any]) -> Memo:
    """The memo of one ``imageyard.design/1`` document (``ValueError``, ``KeyError``,
    ``TypeError`` on a malformed one)."""
    sections = (_section(doc, key, title) for key, title in TITLES)
    return Memo(
        site=_s(doc["site"]),
        release=_s(doc["release"]),
        inputs=_texts(doc["inputs"]),
        summary=_texts(doc.get("summary", [])),
        notes=_texts(doc.get("notes", [])),
        audit=tuple(f"{_s(rule)}: {_s(n)}" for rule, n in sorted(doc.get("audit", {}).items())),
        sections=tuple(s for s in sections if s is not None),
        facts=_facts(doc),
    )


def _reason(exc: Exception) -> str:
    return f"missing {exc}" if isinstance(exc, KeyError) else str(exc)


def memo_of(doc: Any, name: str) -> Memo:
    """``memo(doc)``, or ``InputError`` naming ``name`` when ``doc`` is not a design."""
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(f'{name}: not an imageyard design (no "schema": "{SCHEMA}")')
    try:
        return memo(doc)
    except (AttributeError, IndexError, KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{name}: not an imageyard design ({_reason(exc)})") from None


def read_design(path: str | os.PathLike[str]) -> Memo | str:
    """The memo of a ``design -f json`` file; a Markdown memo (``design -f markdown``) is
    returned as its text."""
    name = os.fspath(path)
    text = read_text(path, "design", MAX_DESIGN_BYTES)
    if not text.lstrip().startswith(("{", "[")):
        return secrets.scrub(text)
    return memo_of(parse_json(name, text), name)


def design_for_site(
    inventory: Path, site: Path, rule_settings: Mapping[str, str] | None = None
) -> Memo:
    """Run ``imageyard design`` on the snapshot and the site description (its own entry
    point, its own document, the audit's rule options), as the report shows it."""
    from imageyard.design import design_from, json_out

    run = design_from(inventory, site, None, rule_settings=rule_settings)
    # NOTE: the document exactly as 'design -f json' writes it
    return memo_of(json.loads(json_out.render(run.design, run.diffs)), os.fspath(site))
