"""Section (0), startup errors first: every error the audit found that stops a service from
starting (or breaks imports), each fixed by a change of the design or listed to fix by hand.

Concepts: the design does not re-check the configuration; it reads the audit's findings of
the ``startup`` rules plus the two file-store rules that break imports and data
(``shared-file-store-datadir``, ``staging-dir-inside-file-store``). For each it either finds
the change of the layout that already fixes it (``enabled_backends``/``default_backend``),
adds the fix (``force_raw_images``, a bracketed list, a store's own datadir, a staging
directory outside every file store), or, when only the operator can fix it (an unknown store
type, a node's own URL), says so with the audit's remediation.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePath

from imageyard.design.model import Change, Decision, StorePlan
from imageyard.model.finding import Finding
from imageyard.model.inventory import Inventory

API, IMPORT, NOVA = "glance-api.conf", "glance-image-import.conf", "nova.conf"
BREAKING = frozenset({"shared-file-store-datadir", "staging-dir-inside-file-store"})
LAYOUT_FIXES = {
    "default-backend-not-enabled": (
        ("DEFAULT", "enabled_backends"),
        ("glance_store", "default_backend"),
    ),
    "reserved-store-id-enabled": (("DEFAULT", "enabled_backends"),),
    "default-store-not-loaded": (
        ("glance_store", "default_backend"),
        ("glance_store", "stores"),
        ("glance_store", "default_store"),
    ),
}
STAGING = ("/var/lib/glance/staging", "/var/lib/glance/os_glance_staging_store")
_KINDS = {"glance-api": API, "glance-image-import": IMPORT, "nova": NOVA}


@dataclass(frozen=True)
class Ctx:
    """What the fixes read."""

    inv: Inventory
    stores: tuple[StorePlan, ...]
    changes: tuple[Change, ...]


def blocking(findings: tuple[Finding, ...], startup_rules: frozenset[str]) -> list[Finding]:
    """The findings to fix before anything else."""
    return [f for f in findings if f.rule_id in startup_rules or f.rule_id in BREAKING]


def _file_of(ctx: Ctx, path: str | None) -> str | None:
    cfg = next((f for f in ctx.inv.config.files if f.path == path), None)
    return _KINDS.get(cfg.kind) if cfg is not None else None


def _option(text: str) -> tuple[str, str, str] | None:
    """'[section] key = value' -> (section, key, value)."""
    head, sep, value = text.partition(" = ")
    if not sep or not head.startswith("["):
        return None
    section, _, key = head[1:].partition("] ")
    return section, key, value


def _force_raw(ctx: Ctx, f: Finding) -> list[Change]:
    a = f.action
    if a is None or a.kind != "set-config-option":
        return []
    p = dict(a.params)
    why = "nova-compute refuses to start with images_type=rbd and force_raw_images=False"
    return [Change(NOVA, p["section"], p["key"], p["value"], why, "startup-fix", p["file"])]


def _brackets(ctx: Ctx, f: Finding) -> list[Change]:
    ev = f.evidence[0] if f.evidence else None
    found = _option(ev.text) if ev is not None else None
    file = _file_of(ctx, ev.path) if ev is not None else None
    if found is None or file is None or found[2].strip().startswith("["):
        return []  # bracketed already: an unknown item only the operator can correct
    items = [i.strip() for i in found[2].replace("\n", ",").split(",") if i.strip()]
    value = "[" + ",".join(items) + "]"
    why = "a bounds list option must be written in brackets or glance-api fails to load"
    return [Change(file, found[0], found[1], value, why, "startup-fix")]


def _datadirs(ctx: Ctx, f: Finding) -> list[Change] | str:
    store = f.resource.id
    text = f.evidence[0].text if f.evidence else ""
    sharing, _, shared = text.removeprefix("stores ").partition(
        " all use filesystem_store_datadir = "
    )
    ids = [i.strip() for i in sharing.split(",")]
    if not any(s.id == store and s.type == "file" for s in ctx.stores):
        return f"{store} is not enabled any more"
    if not shared or ids[0] == store:
        return f"{store} keeps {shared or 'its directory'}"
    why = (
        f"shares {shared} with {ids[0]}; existing images keep their absolute file:// paths, "
        "new ones go to the store's own directory"
    )
    value = f"{shared.rstrip('/')}-{store}"
    return [Change(API, store, "filesystem_store_datadir", value, why, "file-location-path")]


def _staging(ctx: Ctx, f: Finding) -> list[Change]:
    dirs = [e.text.rpartition(" = ")[2] for e in f.evidence if e.text.startswith("store ")]
    path = next((p for p in STAGING if not any(_inside(p, d) for d in dirs)), STAGING[-1])
    why = "the staging directory must not be inside a file store's directory"
    ev = f.evidence[0] if f.evidence else None
    if ev is not None and "node_staging_uri" in ev.text:
        return [
            Change(API, "DEFAULT", "node_staging_uri", f"file://{path}", why, "reserved-stores")
        ]
    section = "os_glance_staging_store"
    return [Change(API, section, "filesystem_store_datadir", path, why, "reserved-stores")]


def _inside(path: str, base: str) -> bool:
    return PurePath(path) == PurePath(base) or PurePath(base) in PurePath(path).parents


FIXERS: dict[str, Callable[[Ctx, Finding], list[Change] | str]] = {
    "nova-rbd-force-raw-off": _force_raw,
    "option-list-without-brackets": _brackets,
    "shared-file-store-datadir": _datadirs,
    "staging-dir-inside-file-store": _staging,
}


def _layout_fix(ctx: Ctx, f: Finding) -> Change | None:
    keys = LAYOUT_FIXES.get(f.rule_id, ())
    return next(
        (c for c in ctx.changes if c.file == API and not c.target and (c.section, c.key) in keys),
        None,
    )


def _same(a: Change, b: Change) -> bool:
    return (a.file, a.target, a.section, a.key) == (b.file, b.target, b.section, b.key)


def _no_fix(ctx: Ctx, f: Finding) -> list[Change] | str:
    return []


def fixes(ctx: Ctx, found: list[Finding]) -> tuple[tuple[Change, ...], tuple[str, ...]]:
    """(changes to add, one line per finding: what fixes it, or what to do by hand)."""
    added: list[Change] = []
    lines = []
    for f in found:
        head = f"{f.rule_id} ({f.resource})"
        result = FIXERS.get(f.rule_id, _no_fix)(ctx, f)
        if isinstance(result, str):
            lines.append(f"fixed: {head}: {result}")
            continue
        new = [c for c in result if not any(_same(c, o) for o in ctx.changes + tuple(added))]
        added += new
        done = result[0] if result else _layout_fix(ctx, f)
        if done is not None:
            lines.append(f"fixed: {head}: {done.file} [{done.section}] {done.key} = {done.value}")
        else:
            lines.append(f"by hand: {head}: {f.remediation or f.message}")
    return tuple(added), tuple(lines)


def decide_startup(lines: tuple[str, ...]) -> Decision | None:
    """The first decision of the memo: the startup errors and what fixes each."""
    if not lines:
        return None
    manual = sum(1 for line in lines if line.startswith("by hand"))
    return Decision(
        "startup.errors",
        "startup",
        "Startup errors (fix these first)",
        f"{len(lines)} found by the audit: {len(lines) - manual} fixed by this design, "
        f"{manual} by hand",
        "A service that does not start serves nothing, so these come first. Each line names "
        "the audit finding and the change of this design that fixes it, or what to do by "
        "hand; the audit (imageyard audit --rule startup) must report none of them afterwards.",
        ("startup-fix",),
        lines,
        warning=manual > 0,
    )
