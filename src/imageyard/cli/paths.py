"""``imageyard paths``: every image on every consumer, the path it takes, the location, why."""

from __future__ import annotations

import os
from pathlib import Path

import click

from imageyard import gcpause
from imageyard.audit.cow import consumers
from imageyard.cli.options import (
    HUMAN,
    echo,
    format_option,
    inventory_input,
    output_option,
    quiet_option,
    write_output,
)
from imageyard.cli.progress import TerminalSteps
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory
from imageyard.paths import build_paths
from imageyard.paths.render import FORMATS


def _check_consumer(inv: Inventory, consumer: str | None) -> None:
    names = [c.name for c in consumers(inv)]
    if consumer is not None and consumer not in names:
        known = ", ".join(names) or "none"
        raise click.BadParameter(
            f"no consumer {consumer!r} (known: {known})", param_hint="--consumer"
        )


@click.command("paths")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@format_option(
    FORMATS, "table", "table (grouped by path and cause), json or csv (every image x consumer)."
)
@output_option("the paths")
@click.option("--consumer", metavar="NAME", help="Only this consumer (e.g. cinder:ceph).")
@quiet_option("summary lines")
def command(inventory: Path | None, fmt: str, out: str, consumer: str | None, quiet: bool) -> int:
    """Show how each consumer makes a disk from each image: clone, copy-to-store-then-clone,
    download (with or without convert), error or refused, with the location and the reasons.

    Consumers are the Nova computes and Cinder RBD backends of the snapshot's config. A
    summary line per consumer ("N of M bootable images clone on <consumer>") goes to stderr
    (the table shows it too). A bad snapshot gives exit code 5.
    """
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard paths INVENTORY")
    check_output(out, "paths", (inventory,))
    # NOTE: the output is written while the rows are decided; a progress line on the
    # terminal the output goes to would be drawn among it
    with TerminalSteps(quiet=quiet or (out == "-" and os.isatty(1))) as steps:
        steps.begin(f"reading {inventory}")
        inv = read_inventory(inventory)
        gcpause.hold(inv)
        _check_consumer(inv, consumer)
        report = build_paths(inv, consumer=consumer, steps=steps)
        gcpause.hold(report)
        steps.begin(f"writing the {fmt} paths", total=report.images * len(report.consumers))
        write_output(FORMATS[fmt](report), out, "paths", (inventory,), human=fmt in HUMAN)
    if not quiet and not (fmt == "table" and out == "-"):
        for summary in report.summaries:
            echo(f"imageyard: {summary.line}")
    return int(ExitCode.OK)
