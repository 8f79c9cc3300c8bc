"""``imageyard show``: summarise an inventory snapshot (and check that it can be read)."""

from __future__ import annotations

from pathlib import Path

import click

from imageyard.cli.summary import print_collect_summary
from imageyard.errors import ExitCode
from imageyard.model.snapshot import read_inventory


@click.command("show")
@click.argument("inventory", type=click.Path(path_type=Path))
def command(inventory: Path) -> int:
    """Summarise the snapshot INVENTORY: files, stores, clusters, sources and gaps.

    A snapshot that is not JSON, or whose schema major version this imageyard does not
    know, is refused with exit code 5.
    """
    inv = read_inventory(inventory)
    print_collect_summary(inv, str(inventory))
    return int(ExitCode.OK)
