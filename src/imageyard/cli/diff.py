"""``imageyard diff``: what changed between two snapshots."""

from __future__ import annotations

from pathlib import Path

import click

from imageyard.audit.registry import RULES
from imageyard.audit.rule_options import parse_rule_options
from imageyard.cli.options import (
    HUMAN,
    format_option,
    output_option,
    rule_option_option,
    write_output,
)
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.report.drift import changed, document
from imageyard.report.drift_render import FORMATS
from imageyard.report.results import gather


@click.command("diff")
@click.argument("old", metavar="OLD", type=click.Path(path_type=Path))
@click.argument("new", metavar="NEW", type=click.Path(path_type=Path))
@format_option(sorted(FORMATS), "table")
@output_option("the drift")
@click.option("--exit-code", is_flag=True, help="Exit 3 when anything changed.")
@rule_option_option()
def command(
    old: Path, new: Path, fmt: str, out: str, exit_code: bool, rule_options: tuple[str, ...]
) -> int:
    """Compare two snapshots OLD and NEW: images added, removed, moved between stores or
    changed (disk format, status, visibility, hidden), bytes per store, new and fixed
    findings, clone share per consumer, reclaimable bytes.

    Exit code 0 (with --exit-code: 3 when anything changed); a bad snapshot gives 5, a bad
    --rule-option 2.
    """
    settings = parse_rule_options(rule_options, RULES)
    check_output(out, "drift", (old, new))
    doc = document(gather(read_inventory(old), settings), gather(read_inventory(new), settings))
    write_output(FORMATS[fmt](doc), out, "drift", (old, new), human=fmt in HUMAN)
    if exit_code and changed(doc):
        return int(ExitCode.FINDINGS)
    return int(ExitCode.OK)
