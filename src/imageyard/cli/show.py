"""``imageyard show``: summarise an inventory snapshot (and check that it can be read)."""

from __future__ import annotations

from pathlib import Path

import click

from imageyard import gcpause
from imageyard.cli.options import inventory_input, output_option, quiet_option, write_output
from imageyard.cli.progress import TerminalSteps
from imageyard.cli.summary import collect_summary
from imageyard.errors import ExitCode
from imageyard.model.snapshot import read_tallied


@click.command("show")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@output_option("the summary")
@quiet_option()
def command(inventory: Path | None, out: str, quiet: bool) -> int:
    """Summarise the snapshot INVENTORY: files, stores, clusters, sources and gaps.

    The summary goes to stdout. A snapshot that is not JSON, or whose schema major version
    this imageyard does not know, is refused with exit code 5.
    """
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard show INVENTORY")
    with TerminalSteps(quiet=quiet) as steps:
        steps.begin(f"reading {inventory}")
        inv, tally = read_tallied(inventory)
        gcpause.hold(inv)
        steps.begin("summarising")
        summary = collect_summary(inv, str(inventory), tally)
        write_output(summary, out, "summary", (inventory,), human=True)
    return int(ExitCode.OK)
