"""``imageyard metrics``: a snapshot's figures in Prometheus text format."""

from __future__ import annotations

from pathlib import Path

import click

from imageyard.audit.registry import RULES
from imageyard.audit.rule_options import parse_rule_options
from imageyard.cli.options import inventory_input, output_option, rule_option_option, write_output
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.report import metrics
from imageyard.report.results import gather


@click.command("metrics")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@output_option("the metrics (a node-exporter textfile, e.g. DIR/imageyard.prom)")
@rule_option_option()
def command(inventory: Path | None, out: str, rule_options: tuple[str, ...]) -> int:
    """Write a snapshot's figures as Prometheus text (node-exporter textfile collector).

    Images and bytes per store, disk format and visibility; clone share per consumer;
    unmuted findings per rule and severity; reclaimable bytes per class; each source's
    collection time, items and gaps. No series is per image. A bad snapshot gives exit
    code 5; a bad --rule-option, exit code 2.
    """
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard metrics INVENTORY")
    settings = parse_rule_options(rule_options, RULES)
    check_output(out, "metrics", (inventory,))
    text = metrics.render_results(gather(read_inventory(inventory), settings))
    write_output(text, out, "metrics", (inventory,))
    return int(ExitCode.OK)
