"""Compute a design: merge the inputs, run the section functions, check the options.

Concepts: ``build_design`` is pure: given the merged site, the inventory (or None) and the
target release it returns the same ``Design`` every time. Capacity (``capacity.py``) joins
section (a); the declared pain points (``pain.py``) add their decisions to sections (a), (b)
and (e) and open the memo's summary; section (f) states the audit's visibility and signing
findings and the retention selection (``hygiene.py``). Section (c) decisions summarise
the changes per file and carry the two-endpoint advice. Every change is checked against the
option tables of the target release and the whole design against itself
(``consistency.py``); an unknown option or a contradiction is a bug and raises.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from imageyard.audit.engine import AuditResult
from imageyard.audit.releases import Release
from imageyard.audit.rule import Rule
from imageyard.design import cache_cite
from imageyard.design.cachetune import CachePlan, decide_cache, plan_cache
from imageyard.design.capacity import Imbalance, decide_capacity, imbalance, plan_loads
from imageyard.design.changes import (
    Context,
    build_changes,
    is_placeholder,
    legacy_api,
    manual_items,
)
from imageyard.design.consistency import problems
from imageyard.design.formats import conversions, decide_formats
from imageyard.design.gating import MULTISTORE, decide_release, single_store
from imageyard.design.hygiene import AUDIT_RULES, decide_hygiene
from imageyard.design.layout import (
    cost_split,
    decide_layout,
    decide_migration,
    not_understood,
    plan_stores,
)
from imageyard.design.model import Change, Decision, Design, StorePlan
from imageyard.design.options import unknown_options
from imageyard.design.pain import (
    decide_duplicates,
    decide_slow_boot,
    duplicates_step,
    summary,
    with_boots,
)
from imageyard.design.placement import place
from imageyard.design.reclaim import plan_reclaim, reclaim_view
from imageyard.design.site import Site
from imageyard.design.startup import BREAKING, blocking, decide_startup, fixes
from imageyard.design.startup import Ctx as StartupCtx
from imageyard.design.topology import decide_sites, plan_apis, preplace_step
from imageyard.errors import DesignRefused
from imageyard.model.inventory import Inventory
from imageyard.reclaim import analyse
from imageyard.simulate.result_file import CacheSimulation


def _config_decisions(changes: tuple[Change, ...], site: Site) -> list[Decision]:
    per_file = Counter(c.file for c in changes)
    out = [
        Decision(
            f"config.{f}",
            "config",
            f"Changes to {f}",
            f"{n} options",
            "; ".join(
                f"{c.target + ': ' if c.target else ''}[{c.section}] {c.key}"
                for c in changes
                if c.file == f
            ),
            tuple(sorted({c.fact for c in changes if c.file == f})),
        )
        for f, n in per_file.items()
    ]
    if any(c.key == "show_image_direct_url" and c.value == "True" for c in changes) or any(
        b.type == "rbd" for b in site.backends
    ):
        out.append(
            Decision(
                "config.endpoints",
                "config",
                "Two glance-api endpoints",
                "internal (locations on) for Nova/Cinder; public (locations off) for users",
                "Clones need rbd locations, which must never reach end users: the diff is for the "
                "internal endpoint; the public one sets show_image_direct_url and "
                "show_multiple_locations to False.",
                ("ossn-0090",),
            )
        )
    return out


def _with_imbalance(decisions: list[Decision], found: Imbalance) -> list[Decision]:
    """The default-store and weights decisions, answering the store_imbalance pain point."""
    extra = {"layout.default_store": found.default_text, "layout.weights": found.weights_text}
    return [
        replace(d, why=f"{d.why} {extra[d.key]}".rstrip(), evidence=d.evidence + found.evidence)
        if extra.get(d.key)
        else d
        for d in decisions
    ]


def _multistore_now(inv: Inventory | None, major: int) -> bool:
    """The collected glance-api.conf is multi-store but the target release has none."""
    api = inv.config.glance_api if inv is not None else None
    return major < MULTISTORE and api is not None and api.is_multistore


def _inputs(site: Site, inv: Inventory | None) -> tuple[str, ...]:
    out = []
    if inv is not None:
        out.append(
            f"measured: inventory generated {inv.generated_at or '(unknown)'}, "
            f"{len(inv.images)} images, {len(inv.stores)} store records"
        )
    if site.name != "inventory":
        out.append(f"declared: site description {site.name!r}")
    return tuple(out)


def _audit(
    inv: Inventory | None, release: Release, with_audit: bool, settings: Mapping[str, str]
) -> AuditResult | None:
    if inv is None or not with_audit:
        return None
    from imageyard.audit.engine import run_audit
    from imageyard.audit.registry import RULES
    from imageyard.audit.rule import AuditContext

    ctx = AuditContext(release=release, settings=settings)
    return run_audit(inv, ctx, RULES, keep=_read_here)


def _read_here(rule: Rule) -> bool:
    """Whether the design reads ``rule``'s findings: the startup and breaking ones (section
    0) and those of the hygiene section; of every other rule it reads the counts alone."""
    return rule.meta.category == "startup" or rule.id in BREAKING or rule.id in AUDIT_RULES


def _audit_summary(result: AuditResult | None) -> tuple[tuple[str, int], ...]:
    """Each rule with findings and how many (failed and muted): the audit's own counts."""
    if result is None:
        return ()
    counts = ((r.meta.id, r.failed + r.muted) for r in result.rules)
    return tuple(sorted((rule, n) for rule, n in counts if n))


def _startup(
    result: AuditResult | None,
    inv: Inventory | None,
    stores: tuple[StorePlan, ...],
    changes: tuple[Change, ...],
) -> tuple[tuple[Change, ...], Decision | None]:
    """Section (0): the audit's startup findings, each fixed here or listed by hand."""
    if result is None or inv is None:
        return changes, None
    startup_rules = frozenset(r.meta.id for r in result.rules if r.meta.category == "startup")
    # NOTE: the findings are only scanned when one of those rules has any (the audit counts)
    found = (
        blocking(result.findings, startup_rules)
        if any(r.failed + r.muted for r in result.rules if r.meta.id in startup_rules | BREAKING)
        else []
    )
    added, lines = fixes(StartupCtx(inv, stores, changes), found)
    return added + changes, decide_startup(lines)


def _cache_decisions(
    site: Site,
    stores: tuple[StorePlan, ...],
    cache: CachePlan,
    major: int,
    sim: CacheSimulation | None,
) -> list[Decision]:
    found = decide_cache(site, stores, cache, major)
    return found if sim is None else cache_cite.cite(found, sim)


def build_design(
    site: Site,
    inv: Inventory | None,
    release: Release,
    *,
    with_audit: bool = True,
    rule_settings: Mapping[str, str] | None = None,
    cache_sim: CacheSimulation | None = None,
) -> Design:
    """The design for ``site`` (merged inputs) at ``release`` (the audit with ``rule_settings``);
    ``cache_sim`` (``simulate cache -f json``) sizes the caches of (d) and (c) when given."""
    major = release.major
    pains = set(site.pain_points)
    wanted = plan_stores(site, major)
    stores = single_store(wanted, major)
    items = with_boots(conversions(inv, stores), inv, order="slow_first_boot" in pains)
    cache = plan_cache(site, stores)
    if cache_sim is not None:
        cache = cache_cite.sized(cache, cache_sim)
    refused = bool(not_understood(site)) or _multistore_now(inv, major) or not stores
    apis = plan_apis(site, stores, major)
    found = build_changes(Context(site, stores, cache, major, inv, refused, apis))
    manual = manual_items(found)
    changes = tuple(c for c in found if not is_placeholder(c))
    audited = _audit(inv, release, with_audit, rule_settings or {})
    changes, startup = _startup(audited, inv, stores, changes)
    backends = frozenset(b.name for b in site.cinder)
    bad = unknown_options(changes, stores, backends, major)
    if bad:
        names = ", ".join(f"{c.file} [{c.section}] {c.key}" for c in bad)
        raise AssertionError(f"design emitted options that do not exist: {names}")
    changes = place(inv, changes)
    split = cost_split(site, stores)
    loads = plan_loads(site, inv, stores, items, split)
    layout = decide_layout(site, stores, major) + decide_capacity(loads, stores)
    edge = decide_sites(site, stores, apis)
    if edge is not None:
        layout.insert(3, edge)
    if legacy_api(inv) is not None and not refused and major >= MULTISTORE:
        layout.append(decide_migration(stores))
    note = decide_release(wanted, stores, major, _multistore_now(inv, major))
    if note is not None:
        layout.insert(0, note)
    if "store_imbalance" in pains:
        layout = _with_imbalance(layout, imbalance(site, stores, loads, split))
    formats = decide_formats(site, stores, items)
    if "slow_first_boot" in pains:
        formats.insert(0, decide_slow_boot(site, inv, stores, items))
    decisions = (
        ([startup] if startup is not None else [])
        + layout
        + formats
        + _config_decisions(changes, site)
        + _cache_decisions(site, stores, cache, major, cache_sim)
    )
    analysed = analyse(inv) if inv is not None else None
    groups = analysed.duplicates if analysed is not None else ()
    dups = duplicates_step(inv, groups) if "duplication" in pains else None
    steps = plan_reclaim(inv, stores, items, dups, preplace_step(inv, stores), analysed)
    decisions.append(
        Decision(
            "reclaim.steps",
            "reclaim",
            "Reclamation",
            f"{len(steps)} steps",
            "; ".join(s.title for s in steps),
            tuple(sorted({s.fact for s in steps})),
        )
    )
    if dups is not None:
        decisions.append(decide_duplicates(inv, site, groups))
    decisions += decide_hygiene(inv, audited)
    design = Design(
        site=site.name,
        release=str(release),
        release_major=major,
        inputs=_inputs(site, inv),
        stores=stores,
        decisions=tuple(decisions),
        conversions=items,
        changes=changes,
        steps=steps,
        notes=site.notes,
        audit=_audit_summary(audited),
        summary=summary(tuple(decisions), site.pain_points),
        apis=apis,
        manual=manual,
        reclaim=reclaim_view(analysed) if analysed is not None else None,
    )
    wrong = problems(design)
    if wrong:
        raise DesignRefused(
            f"design refused: it would contradict itself: {'; '.join(wrong)}",
            tip="check the site description against the inventory (sites, clusters, stores)",
        )
    return design
