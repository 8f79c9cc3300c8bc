"""``imageyard reclaim``: what can be reclaimed, what pins images, what is duplicated."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import click

from imageyard.audit.mute import Mute, read_mutes
from imageyard.cli.options import (
    HUMAN,
    echo,
    fail_on_option,
    format_option,
    inventory_input,
    mute_option,
    output_option,
    write_output,
)
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.finding import Severity, Status
from imageyard.model.snapshot import read_inventory
from imageyard.reclaim import ReclaimResult, ReclaimSettings, analyse
from imageyard.reclaim.context import DEFAULT_STUCK_HOURS, DEFAULT_UNUSED_DAYS
from imageyard.reclaim.render import FORMATS, table
from imageyard.reclaim.render.document import summary_line

_SEVERITIES = [s.value for s in Severity]
_DURATION = re.compile(r"(\d{1,6})([smhd]?)")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "hours"}


def _duration(ctx: click.Context, param: click.Parameter, value: str) -> datetime.timedelta:
    match = _DURATION.fullmatch(value.strip())
    if match is None:
        raise click.BadParameter(f"{value!r} is not a duration such as 36h, 2d or 90m")
    return datetime.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


def _render(result: ReclaimResult, fmt: str, out: str) -> str:
    if fmt == "table" and out == "-":
        width = shutil.get_terminal_size((table.DEFAULT_WIDTH, 24)).columns
        return table.render(result, width=max(width, 40))
    return FORMATS[fmt](result)


def _exit_code(result: ReclaimResult, fail_on: str) -> int:
    if fail_on == "none":
        return int(ExitCode.OK)
    threshold = Severity(fail_on)
    failing = [
        i
        for i in result.items
        if i.finding.status is Status.FAIL and i.finding.severity.at_least(threshold)
    ]
    return int(ExitCode.FINDINGS) if failing else int(ExitCode.OK)


@click.command("reclaim")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@format_option(sorted(FORMATS), "table", envvar=True)
@output_option("the report")
@fail_on_option(_SEVERITIES, "high", "item")
@mute_option("rule (class), resource glob, reason, expires")
@click.option(
    "--grace",
    default="24h",
    show_default=True,
    metavar="DURATION",
    callback=_duration,
    help="Spare data written this recently (36h, 2d, 90m; a bare number is hours).",
)
@click.option(
    "--unused-days",
    type=click.IntRange(1, 36500),
    default=DEFAULT_UNUSED_DAYS,
    show_default=True,
    help="Report images nothing uses that are older than this.",
)
@click.option(
    "--stuck-hours",
    type=click.IntRange(1, 876000),
    default=DEFAULT_STUCK_HOURS,
    show_default=True,
    help="Report images queued, saving or importing for longer than this.",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def command(
    inventory: Path | None,
    fmt: str,
    out: str,
    fail_on: str,
    mute_file: Path | None,
    grace: datetime.timedelta,
    unused_days: int,
    stuck_hours: int,
    quiet: bool,
) -> int:
    """Find data no database points at, what pins images, duplicates and stale images.

    Read-only: nothing is deleted; each item carries the action a plan would take. A class
    whose inputs are incomplete (a gap, a pool or listing not read whole) is reported as
    unknown, never as reclaimable; data with watchers, written within --grace (or without
    a timestamp), or named unlike Glance's data in a shared pool is spared and counted.
    Unmuted items at or above --fail-on give exit code 3; a bad snapshot or mute file
    gives exit code 5.
    """
    if inventory is None:
        raise click.UsageError(
            "give the snapshot: imageyard reclaim INVENTORY (or --inventory FILE)"
        )
    check_output(out, "report", (inventory, mute_file))
    mutes: tuple[Mute, ...] = read_mutes(mute_file) if mute_file is not None else ()
    inv = read_inventory(inventory)
    settings = ReclaimSettings(grace=grace, unused_days=unused_days, stuck_hours=stuck_hours)
    result = analyse(inv, settings, mutes=mutes)
    text = _render(result, fmt, out)
    write_output(text, out, "report", (inventory, mute_file), human=fmt in HUMAN)
    if not quiet and not (fmt == "table" and out == "-"):
        echo(f"imageyard: {summary_line(result)}")
    return _exit_code(result, fail_on)
