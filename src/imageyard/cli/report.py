"""``imageyard report``: one self-contained HTML file of a snapshot and its results."""

from __future__ import annotations

import datetime
import os
from pathlib import Path

import click

from imageyard.cli.options import inventory_input, output_option, write_output
from imageyard.errors import ExitCode
from imageyard.files import check_output, read_text
from imageyard.model.snapshot import read_inventory
from imageyard.report import html
from imageyard.report.results import gather
from imageyard.report.simulation import Simulation, read_simulation

MAX_MEMO_BYTES = 16 * 2**20


def report_clock() -> datetime.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` (seconds) when set: a reproducible report."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    return datetime.datetime.now(datetime.UTC)


def _memo(path: Path | None) -> str | None:
    if path is None:
        return None
    return read_text(path, "design memo", MAX_MEMO_BYTES)


def _simulation(paths: tuple[Path, ...]) -> tuple[Simulation, ...]:
    return tuple(item for path in paths for item in read_simulation(path))


@click.command("report")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@click.option(
    "-f", "--format", "fmt", type=click.Choice(["html"]), default="html", show_default=True,
    help="Output format.",
)  # fmt: skip
@output_option("the report", default="report.html")
@click.option(
    "--design",
    "design_memo",
    type=click.Path(path_type=Path),
    metavar="MEMO",
    help="A design memo ('imageyard design -f markdown') to include.",
)
@click.option(
    "--simulation",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A cache simulation ('imageyard simulate cache -f json'): hit rate against size; "
    "or a placement comparison ('simulate placement -f json'): cost against p95; repeatable.",
)
def command(
    inventory: Path | None,
    fmt: str,
    out: str,
    design_memo: Path | None,
    simulation: tuple[Path, ...],
) -> int:
    """Write one self-contained HTML report of a snapshot: summary cards, charts, the
    findings (audit and reclaim) and images (stores, locations, path per consumer, pins)
    as paged, sortable, filterable tables, the gaps and the design memo, and with
    --simulation a hit rate against size chart per cache model, or a monthly cost against
    p95 boot time chart of a placement comparison.

    The file needs no network. SOURCE_DATE_EPOCH fixes its clock. A bad snapshot, memo or
    simulation gives exit code 5.
    """
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard report INVENTORY")
    inputs = (inventory, design_memo, *simulation)
    check_output(out, "report", inputs)
    memo, curves = _memo(design_memo), _simulation(simulation)
    text = html.render(gather(read_inventory(inventory)), report_clock(), memo, curves)
    write_output(text, out, "report", inputs)
    return int(ExitCode.OK)
