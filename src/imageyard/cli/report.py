"""``imageyard report``: one self-contained HTML file of a snapshot and its results."""

from __future__ import annotations

import datetime
import os
from collections.abc import Mapping
from pathlib import Path

import click

from imageyard.audit.registry import RULES
from imageyard.audit.rule_options import parse_rule_options
from imageyard.cli.options import inventory_input, output_option, rule_option_option, write_output
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.report import html
from imageyard.report.design_memo import Memo, design_for_site, read_design
from imageyard.report.results import gather
from imageyard.report.simulation import Simulation, read_simulation


def report_clock() -> datetime.datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` (seconds) when set: a reproducible report."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.datetime.fromtimestamp(int(epoch), datetime.UTC)
    return datetime.datetime.now(datetime.UTC)


def _memo(
    inventory: Path, design: Path | None, site: Path | None, settings: Mapping[str, str]
) -> Memo | str | None:
    if design is not None and site is not None:
        raise click.UsageError("give --design or --site, not both")
    if site is not None:
        return design_for_site(inventory, site, settings)
    return None if design is None else read_design(design)


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
    "design_file",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="The design to include: 'imageyard design -f json' (shown section by section) or "
    "a Markdown memo (shown as text).",
)
@click.option(
    "--site",
    "site_file",
    type=click.Path(path_type=Path),
    metavar="SITE",
    help="Run 'imageyard design' on the snapshot and this site description and include it.",
)
@click.option(
    "--simulation",
    multiple=True,
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A cache simulation ('imageyard simulate cache -f json'): hit rate against size; "
    "or a placement comparison ('simulate placement -f json'): cost against p95; repeatable.",
)
@rule_option_option()
def command(
    inventory: Path | None,
    fmt: str,
    out: str,
    design_file: Path | None,
    site_file: Path | None,
    simulation: tuple[Path, ...],
    rule_options: tuple[str, ...],
) -> int:
    """Write one self-contained HTML report of a snapshot: summary cards, charts, the
    findings (audit and reclaim) and images (stores, locations, path per consumer, pins)
    as paged, sortable, filterable tables, the gaps and the design memo (design's own
    result: --design FILE, or --site SITE to run the design), and with --simulation a hit
    rate against size chart per cache model, or a monthly cost against p95 boot time chart
    of a placement comparison.

    The file needs no network. SOURCE_DATE_EPOCH fixes its clock. A bad snapshot, design,
    site or simulation gives exit code 5; a bad --rule-option, exit code 2.
    """
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard report INVENTORY")
    settings = parse_rule_options(rule_options, RULES)
    inputs = (inventory, design_file, site_file, *simulation)
    check_output(out, "report", inputs)
    memo = _memo(inventory, design_file, site_file, settings)
    curves = _simulation(simulation)
    text = html.render_parts(
        gather(read_inventory(inventory), settings), report_clock(), memo, curves
    )
    write_output(text, out, "report", inputs, human=True)
    return int(ExitCode.OK)
