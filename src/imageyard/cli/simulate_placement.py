"""``imageyard simulate placement``: store layouts compared on monthly cost and boot time."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from imageyard.cli.options import HUMAN, output_option, write_output
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.simulate import inventory as from_inventory
from imageyard.simulate.estimate import measured
from imageyard.simulate.placement import plot
from imageyard.simulate.placement.compare import compare
from imageyard.simulate.placement.costs import CostModel, read_costs, with_measured, with_prices
from imageyard.simulate.placement.load import load
from imageyard.simulate.placement.render import FORMATS
from imageyard.simulate.tracefile import read_trace

F = TypeVar("F", bound=Callable[..., Any])


def _price(store: str, default: float) -> Callable[[F], F]:
    return click.option(
        f"--{store}-gib-month",
        type=click.FloatRange(min=0),
        metavar="PRICE",
        help=f"Price per GiB-month of the {store} store  [default: the cost file's, else "
        f"{default:g}]",
    )


@click.command("placement")
@click.option(
    "--trace",
    "trace_path",
    required=True,
    metavar="CSV",
    help="Boots: time,image,host,az[,size][,lifetime]; the zones are the sites.",
)
@click.option(
    "--inventory",
    type=click.Path(dir_okay=False),
    metavar="SNAPSHOT",
    help="Image sizes for rows without one.",
)
@click.option(
    "--costs",
    "costs_path",
    type=click.Path(dir_okay=False),
    metavar="YAML",
    help="Cost model: price and download throughput per store, import, "
    "conversion, clone (see docs/simulate.md).",
)
@_price("ceph", 0.05)
@_price("site", 0.05)
@_price("cold", 0.01)
@click.option(
    "--central-zone",
    metavar="AZ",
    help="The zone of the central Ceph store  [default: the zone with most boots]",
)
@click.option(
    "--target-p95",
    type=click.FloatRange(min=0),
    metavar="S",
    help="p95 boot time the hot/cold split must reach  [default: all-ceph's]",
)
@click.option(
    "--probe-results",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="JSON",
    help="Throughputs measured by 'imageyard probe -f json'; "
    "repeatable; they win over the cost file.",
)
@click.option(
    "--plot",
    "plot_path",
    metavar="FILE",
    help="Also draw monthly cost against p95 boot time: FILE.svg, or FILE.png (needs Pillow).",
)
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(list(FORMATS)),
    default="table",
    show_default=True,
    help="Output format.",
)
@output_option("the comparison")
def placement_command(
    trace_path: str,
    inventory: str | None,
    costs_path: str | None,
    ceph_gib_month: float | None,
    site_gib_month: float | None,
    cold_gib_month: float | None,
    central_zone: str | None,
    target_p95: float | None,
    probe_results: tuple[str, ...],
    plot_path: str | None,
    fmt: str,
    out: str,
) -> int:
    """Compare store layouts on monthly cost and p50/p95 boot time over a boot trace:
    all images in the central Ceph store; a hot/cold split by popularity (every threshold
    tried, the cheapest reaching the p95 target kept); copies in every other site's Ceph
    store, made by the first boot there.

    Each boot's time comes from the path the layout gives its image at its site (clone,
    copy then clone, download and import, download, convert and import). A bad trace,
    snapshot, cost file or probe result gives exit code 5.
    """
    inputs = (trace_path, inventory, costs_path, *probe_results)
    check_output(out, "comparison", inputs)
    if plot_path is not None:
        plot.check_target(plot_path)
        check_output(plot_path, "plot", inputs)
    sizes = from_inventory.image_sizes(read_inventory(Path(inventory))) if inventory else {}
    costs = read_costs(costs_path) if costs_path else CostModel()
    costs = with_prices(
        costs, {"ceph": ceph_gib_month, "site": site_gib_month, "cold": cold_gib_month}
    )
    costs = with_measured(costs, measured(probe_results), ", ".join(probe_results))
    trace = read_trace(trace_path, sizes, math.inf)
    result = compare(load(trace, central_zone), costs, target_p95)
    write_output(FORMATS[fmt](result), out, "comparison", inputs, human=fmt in HUMAN)
    if plot_path is not None:
        plot.write(result, plot_path)
    return int(ExitCode.OK)
