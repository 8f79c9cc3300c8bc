"""``simulate placement``: the three layouts over one load, with the hot/cold search."""

from __future__ import annotations

from dataclasses import dataclass

from imageyard.simulate.placement import layouts
from imageyard.simulate.placement.costs import CostModel
from imageyard.simulate.placement.layouts import LayoutResult, SplitPoint
from imageyard.simulate.placement.load import Load


@dataclass(frozen=True)
class Comparison:
    """The layouts' results, the split search (every point, the target, whether it was
    met) and what they were computed from."""

    load: Load
    costs: CostModel
    layouts: tuple[LayoutResult, ...]
    split: tuple[SplitPoint, ...]
    target_p95: float
    target_met: bool
    target_origin: str


def compare(load: Load, costs: CostModel, target_p95: float | None = None) -> Comparison:
    """All-ceph, the chosen hot/cold split and site replicas; the split's every threshold."""
    central = layouts.all_ceph(load, costs)
    origin = "given" if target_p95 is not None else "all-ceph's p95"
    target = central.p95_seconds if target_p95 is None else target_p95
    points = layouts.sweep(load, costs)
    chosen, met = layouts.choose(points, target)
    split = layouts.hot_cold(load, costs, chosen.hot)
    replicas = layouts.site_replicas(load, costs)
    return Comparison(load, costs, (central, split, replicas), tuple(points), target, met, origin)
