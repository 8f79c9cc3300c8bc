"""Section (a) cites a placement comparison (``simulate placement -f json``), never redoes it.

Concepts: when a boot trace or usage has been simulated, the comparison of layouts (all
images in the central Ceph store, the hot/cold split, copies at every site) on monthly
cost and p95 boot time is one more decision of section (a): the fastest layout, the
cheapest, and each layout's figures as evidence. Its provenance: prices and throughputs
are assumed when the comparison used the defaults, declared when they came from a cost
file, measured when probes measured the throughputs; the trace is declared (the operator
handed it in).
"""

from __future__ import annotations

from dataclasses import replace

from imageyard.design.model import Decision, Design
from imageyard.design.provenance import ASSUMED, DECLARED, MEASURED, datum
from imageyard.simulate.placement.result_file import LayoutFigures, PlacementSummary


def _name(r: LayoutFigures) -> str:
    return f"hot-cold ({r.hot_images} hot)" if r.hot_images is not None else r.layout


def _line(r: LayoutFigures) -> str:
    return (
        f"{_name(r)}: {r.monthly_cost:.2f} per month, boot p50 {r.p50_seconds:.1f} s, "
        f"p95 {r.p95_seconds:.1f} s"
    )


def _sources(p: PlacementSummary) -> tuple[str, str]:
    given = p.costs_source.split(";")[0].strip()
    prices = ASSUMED if given == "assumed" else DECLARED
    rates = MEASURED if "measured:" in p.costs_source else prices
    return prices, rates


def _rates_origin(source: str) -> str:
    return "the defaults" if source == "assumed" else f"from {source}"


def decide_placement(p: PlacementSummary) -> Decision:
    """The comparison as a decision of section (a)."""
    fastest = min(p.layouts, key=lambda r: (r.p95_seconds, r.monthly_cost))
    cheapest = min(p.layouts, key=lambda r: (r.monthly_cost, r.p95_seconds))
    prices, rates = _sources(p)
    where = f"{len(p.sites)} sites, central {p.central_site}" if len(p.sites) > 1 else "one site"
    evidence = (
        datum(DECLARED, f"boot trace: {p.events} boots of {p.images} images ({where})"),
        datum(prices, "price per GiB-month: " + ", ".join(f"{s} {v:g}" for s, v in p.prices)),
        datum(rates, "throughputs: " + _rates_origin(p.costs_source)),
        *(datum(rates, _line(r)) for r in p.layouts),
    )
    return Decision(
        "layout.placement",
        "layout",
        "Placement: cost against boot time",
        f"fastest: {_line(fastest)}; cheapest: {_line(cheapest)}",
        "From the simulate placement comparison over the boot trace: each boot timed by the "
        "path the layout gives its image at its site (clone, copy-image then clone, download "
        "and import, download-convert-import); the hot/cold split is the cheapest reaching "
        f"p95 {p.target_p95:.1f} s" + ("" if p.target_met else " (not reached: the fastest)"),
        ("cow-clone-rules", "nova-store-name", "copy-image-method"),
        evidence,
    )


def cite(design: Design, p: PlacementSummary) -> Design:
    """``design`` with the comparison after the last decision of section (a)."""
    decisions = list(design.decisions)
    last = max((n for n, d in enumerate(decisions) if d.section == "layout"), default=-1)
    decisions.insert(last + 1, decide_placement(p))
    return replace(design, decisions=tuple(decisions))
