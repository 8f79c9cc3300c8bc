"""``imageyard design``: a storage design memo computed from an inventory and/or a site.

Concepts: inputs are a site description (``site.py``, greenfield) and an inventory
snapshot (brownfield); ``situation.py`` merges them with measured data winning. The
decision core is one module per memo section: ``layout`` (a), ``formats`` (b),
``changes`` (c), ``cachetune`` (d) and ``reclaim`` (e); each returns ``Decision`` records
that cite facts (``facts.py``); ``capacity`` checks what each store would hold against its
declared capacity and ``pain`` answers the declared pain points. ``diff`` turns the changes
into unified diffs against the current files, ``options`` checks every emitted name against
the real option lists, and ``memo``/``json_out``/``render`` print the result.
``design_from`` is the one entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from imageyard import gcpause
from imageyard.audit.release_infer import choose_release
from imageyard.audit.releases import Release
from imageyard.design.diff import FileDiff, file_diffs
from imageyard.design.engine import build_design
from imageyard.design.model import Design
from imageyard.design.site import Site, load_site
from imageyard.design.situation import measured_site, merge, shared_site
from imageyard.errors import ConfigFileError
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory
from imageyard.simulate.result_file import CacheSimulation, read_cache_simulation
from imageyard.steps import NO_STEPS, Steps

if TYPE_CHECKING:
    from imageyard.simulate.placement.result_file import PlacementSummary

__all__ = ["DesignRun", "design_from", "run_design"]


@dataclass(frozen=True)
class DesignRun:
    """A computed design and its file diffs."""

    design: Design
    diffs: tuple[FileDiff, ...]
    release_origin: str = ""  # where the target release came from (flag, site, inferred)


def run_design(
    site: Site,
    inv: Inventory | None,
    release: Release,
    *,
    with_audit: bool = True,
    rule_settings: Mapping[str, str] | None = None,
    cache_sim: CacheSimulation | None = None,
) -> DesignRun:
    """Design for already-loaded inputs (``rule_settings``: the audit's rule options;
    ``cache_sim``: a cache simulation sizing the caches)."""
    design = build_design(
        site, inv, release, with_audit=with_audit, rule_settings=rule_settings, cache_sim=cache_sim
    )
    return DesignRun(design, file_diffs(inv, design.changes))


def _placement(path: Path) -> PlacementSummary:
    """The placement comparison at ``path`` (``simulate placement -f json``)."""
    # NOTE: imported here: the placement simulator's modules are read only when one is cited
    from imageyard.simulate.placement.result_file import read_placement

    return read_placement(path)


def design_from(
    inventory: Path | None,
    site_file: Path | None,
    release: str | None,
    *,
    with_audit: bool = True,
    rule_settings: Mapping[str, str] | None = None,
    steps: Steps = NO_STEPS,
    placement: Path | None = None,
    cache_simulation: Path | None = None,
) -> DesignRun:
    """Load the inputs, merge them and design (``steps`` hears of each stage); section (a)
    cites the ``placement`` comparison (``simulate placement -f json``) when given, and the
    ``cache_simulation`` (``simulate cache -f json``) sizes the caches of (d) and (c)."""
    if inventory is not None:
        steps.begin(f"reading {inventory}")
    inv = read_inventory(inventory) if inventory is not None else None
    gcpause.hold(inv)
    if site_file is not None:
        steps.begin(f"reading {site_file}")
    declared = load_site(site_file) if site_file is not None else None
    steps.begin("designing")
    site = merge(measured_site(inv) if inv is not None else None, declared)
    clash = shared_site(site) if site_file is not None and inv is not None else None
    if clash is not None:
        raise ConfigFileError(str(site_file), f"{clash}")
    choice = choose_release(release, inv, declared.release if declared is not None else None)
    compared = _placement(placement) if placement is not None else None
    sim = read_cache_simulation(cache_simulation) if cache_simulation is not None else None
    run = run_design(
        site,
        inv,
        choice.release,
        with_audit=with_audit,
        rule_settings=rule_settings,
        cache_sim=sim,
    )
    if compared is not None:
        from imageyard.design.placement_cite import cite

        run = replace(run, design=cite(run.design, compared))
    return replace(run, release_origin=choice.detail)
