"""A ``simulate placement -f json`` file read back, for the report's chart and design's (a).

Concepts: the report and the design memo cite the comparison, they never recompute it:
``read_placement(path)`` checks the schema and returns a ``PlacementSummary`` holding the
layouts' figures, the split search's points and where the prices and throughputs came
from. A file that is not such a document is ``InputError`` (exit 5).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from imageyard.errors import InputError
from imageyard.files import MiB, read_json
from imageyard.simulate.placement.plot import Figure
from imageyard.simulate.placement.render import SCHEMA

MAX_BYTES = 64 * MiB


@dataclass(frozen=True)
class LayoutFigures:
    """One layout's line of the comparison."""

    layout: str
    monthly_cost: float
    p50_seconds: float
    p95_seconds: float
    hot_images: int | None


@dataclass(frozen=True)
class PlacementSummary:
    """What a placement comparison says, as the report and the design cite it."""

    events: int
    images: int
    sites: tuple[str, ...]
    central_site: str
    layouts: tuple[LayoutFigures, ...]
    split: tuple[tuple[float, float], ...]  # (monthly cost, p95 seconds) per threshold
    target_p95: float
    target_met: bool
    prices: tuple[tuple[str, float], ...]
    costs_source: str

    def figure(self) -> Figure:
        """The cost against p95 plot's data."""
        marks = tuple((r.layout, r.monthly_cost, r.p95_seconds) for r in self.layouts)
        return Figure(self.split, marks)


def read_placement(path: str | os.PathLike[str]) -> PlacementSummary:
    """The comparison in ``path`` (``simulate placement -f json``)."""
    name = os.fspath(path)
    doc = read_json(path, "placement comparison", MAX_BYTES)
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(f'{name}: not a simulate placement result (no "schema": "{SCHEMA}")')
    try:
        return _summary(doc)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        reason = f"missing {exc}" if isinstance(exc, KeyError) else str(exc)
        raise InputError(f"{name}: not a simulate placement result ({reason})") from None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"not a number >= 0: {value!r}")
    return float(value)


def _layout(doc: Any) -> LayoutFigures:
    hot = doc.get("hot_images")
    return LayoutFigures(
        str(doc["layout"]), _number(doc["monthly_cost"]), _number(doc["p50_seconds"]),
        _number(doc["p95_seconds"]), None if hot is None else int(_number(hot)),
    )  # fmt: skip


def _summary(doc: dict[str, Any]) -> PlacementSummary:
    search, costs = doc["split_search"], doc["costs"]
    split = tuple((_number(p["monthly_cost"]), _number(p["p95_seconds"])) for p in search["tried"])
    prices = tuple((s, _number(costs[s]["gib_month"])) for s in ("ceph", "site", "cold"))
    return PlacementSummary(
        events=int(_number(doc["events"])),
        images=int(_number(doc["images"])),
        sites=tuple(str(s) for s in doc["sites"]),
        central_site=str(doc["central_site"]),
        layouts=tuple(_layout(r) for r in doc["layouts"]),
        split=split,
        target_p95=_number(search["target_p95_seconds"]),
        target_met=bool(search["met"]),
        prices=prices,
        costs_source=str(costs["source"]),
    )
