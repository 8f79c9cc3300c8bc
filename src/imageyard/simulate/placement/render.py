"""``simulate placement`` results: table, Markdown, JSON (``imageyard-simulate-placement/1``)."""

from __future__ import annotations

import json
from typing import Any

from imageyard.simulate.placement.compare import Comparison
from imageyard.simulate.placement.costs import STORES, CostModel
from imageyard.simulate.placement.layouts import PATHS, LayoutResult, SplitPoint

SCHEMA = "imageyard-simulate-placement/1"
GiB = 1 << 30
MB = 1e6


def _costs(costs: CostModel) -> dict[str, Any]:
    doc: dict[str, Any] = {
        name: {
            "gib_month": getattr(costs, name).gib_month,
            "download_bps": getattr(costs, name).download_bps,
        }
        for name in STORES
    }
    doc.update(
        import_bps=costs.import_bps,
        convert_bps=costs.convert_bps,
        clone_seconds=costs.clone_seconds,
        source=costs.source,
    )
    return doc


def _layout(r: LayoutResult) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "layout": r.layout,
        "monthly_cost": round(r.monthly_cost, 4),
        "p50_seconds": round(r.p50_seconds, 3),
        "p95_seconds": round(r.p95_seconds, 3),
        "mean_seconds": round(r.mean_seconds, 3),
        "paths": dict(r.paths),
        "stored_bytes": dict(r.stored),
    }
    if r.hot_images is not None:
        doc["hot_images"] = r.hot_images
    return doc


def _point(p: SplitPoint) -> dict[str, Any]:
    return {
        "hot_images": p.hot,
        "monthly_cost": round(p.monthly_cost, 4),
        "p50_seconds": round(p.p50_seconds, 3),
        "p95_seconds": round(p.p95_seconds, 3),
    }


def document(c: Comparison) -> dict[str, Any]:
    """The JSON document of ``c``."""
    split = next(r for r in c.layouts if r.layout == "hot-cold")
    return {
        "schema": SCHEMA,
        "events": c.load.events,
        "images": len(c.load.images),
        "sites": list(c.load.sites),
        "central_site": c.load.central,
        "costs": _costs(c.costs),
        "layouts": [_layout(r) for r in c.layouts],
        "split_search": {
            "target_p95_seconds": round(c.target_p95, 3),
            "target": c.target_origin,
            "met": c.target_met,
            "hot_images": split.hot_images,
            "tried": [_point(p) for p in c.split],
        },
    }


def render_json(c: Comparison) -> str:
    """``document`` as sorted JSON."""
    return json.dumps(document(c), indent=2, sort_keys=True) + "\n"


def _head(c: Comparison) -> str:
    sites = len(c.load.sites)
    where = f"{sites} sites (central: {c.load.central})" if sites > 1 else "one site"
    return f"{c.load.events} boots of {len(c.load.images)} images at {where}"


def _name(r: LayoutResult, images: int) -> str:
    return f"hot-cold ({r.hot_images} of {images} hot)" if r.hot_images is not None else r.layout


def _rows(c: Comparison) -> list[list[str]]:
    rows = []
    for r in c.layouts:
        paths = dict(r.paths)
        rows.append([
            _name(r, len(c.load.images)), f"{r.monthly_cost:.2f}", f"{r.p50_seconds:.1f}",
            f"{r.p95_seconds:.1f}", f"{r.mean_seconds:.1f}", *(str(paths[p]) for p in PATHS),
            ", ".join(f"{s} {b / GiB:.1f}" for s, b in r.stored),
        ])  # fmt: skip
    return rows


HEADERS = ["layout", "cost/month", "p50 s", "p95 s", "mean s", "clone", "copy+clone",
           "download", "download+convert", "stored GiB"]  # fmt: skip


def _search_line(c: Comparison) -> str:
    split = next(r for r in c.layouts if r.layout == "hot-cold")
    if not c.target_met:
        return (
            f"no hot/cold split reaches p95 <= {c.target_p95:.1f} s ({c.target_origin}); "
            f"the fastest keeps {split.hot_images} images hot"
        )
    return (
        f"cheapest hot/cold split with p95 <= {c.target_p95:.1f} s ({c.target_origin}): "
        f"{split.hot_images} images hot ({len(c.split)} splits evaluated)"
    )


def _rates(costs: CostModel) -> str:
    return (
        f"download ceph {costs.ceph.download_bps / MB:.0f} MB/s, cold "
        f"{costs.cold.download_bps / MB:.0f} MB/s, convert {costs.convert_bps / MB:.0f} MB/s, "
        f"import {costs.import_bps / MB:.0f} MB/s, clone {costs.clone_seconds:.2f} s "
        f"({costs.source})"
    )


def _prices(costs: CostModel) -> str:
    return ", ".join(f"{n} {getattr(costs, n).gib_month:g}" for n in STORES)


def render_table(c: Comparison) -> str:
    """Aligned columns, one row per layout."""
    rows = [HEADERS, *_rows(c)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADERS))]
    lines = [
        _head(c),
        f"price per GiB-month: {_prices(c.costs)}",
        f"throughputs: {_rates(c.costs)}",
        "",
    ]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [
            v.rjust(w) for v, w in zip(row[1:-1], widths[1:-1], strict=True)
        ]
        lines.append("  ".join([*cells, row[-1]]).rstrip())
    return "\n".join([*lines, "", _search_line(c)]) + "\n"


def render_markdown(c: Comparison) -> str:
    """A Markdown section: the inputs, one table row per layout, the search."""
    lines = [
        "## Placement: cost against boot time", "",
        f"{_head(c)}. Price per GiB-month: {_prices(c.costs)}. Throughputs: {_rates(c.costs)}.",
        "", "| " + " | ".join(HEADERS) + " |", "|" + " --- |" * len(HEADERS),
    ]  # fmt: skip
    lines += ["| " + " | ".join(row) + " |" for row in _rows(c)]
    return "\n".join([*lines, "", _search_line(c) + "."]) + "\n"


FORMATS = {"table": render_table, "markdown": render_markdown, "json": render_json}
