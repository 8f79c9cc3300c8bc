"""``imageyard plan make`` and ``imageyard plan show``: write a plan file, read it back."""

from __future__ import annotations

import datetime
from pathlib import Path

import click

from imageyard.cli.options import inventory_input, output_option, write_output
from imageyard.cli.reclaim import _duration
from imageyard.design.site import load_site
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.plan import dump_plan, file_fingerprint, make_plan, read_plan
from imageyard.plan.policy import RETIRE_POLICIES, PlanPolicy
from imageyard.plan.show import render_plan


def _pairs(flag: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    out = []
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left or not right:
            raise click.BadParameter(f"{value!r} is not NAME=VALUE", param_hint=flag)
        out.append((left, right))
    return out


def _prices(values: tuple[str, ...]) -> dict[str, float]:
    prices = {}
    for store, price in _pairs("--cost", values):
        try:
            prices[store] = float(price)
        except ValueError:
            raise click.BadParameter(f"{price!r} is not a number", param_hint="--cost") from None
        if not 0 <= prices[store] < 1e12:
            raise click.BadParameter(f"{price!r} is out of range", param_hint="--cost")
    return prices


@click.group("plan")
def command() -> None:
    """Make a plan file from a snapshot, or show one."""


@command.command("make")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@output_option("the plan", default="plan.json")
@click.option(
    "--place/--no-place",
    default=True,
    show_default=True,
    help="Copy raw images a Ceph consumer downloads into its Ceph store.",
)
@click.option(
    "--convert/--no-convert",
    default=True,
    show_default=True,
    help="Convert non-raw images a Ceph consumer cannot clone to raw.",
)
@click.option(
    "--retire",
    type=click.Choice(RETIRE_POLICIES),
    default="hide",
    show_default=True,
    help="What happens to a converted image's original (never deleted).",
)
@click.option(
    "--move",
    "moves",
    multiple=True,
    metavar="FROM=TO",
    help="Move every image of store FROM to store TO (copy, verify, delete); repeatable.",
)
@click.option(
    "--drop",
    "drops",
    multiple=True,
    metavar="STORE",
    help="Delete from STORE every image that has another copy; repeatable.",
)
@click.option(
    "--reclaim",
    is_flag=True,
    help="Also delete-from-store locations whose data is missing (when another copy "
    "remains) and hide unused duplicate images.",
)
@click.option(
    "--trash-days",
    type=click.IntRange(0, 3650),
    default=7,
    show_default=True,
    help="With --reclaim: days an RBD image moved to the trash stays restorable.",
)
@click.option(
    "--grace",
    default="24h",
    show_default=True,
    metavar="DURATION",
    callback=_duration,
    help="With --reclaim: spare data written this recently (36h, 2d, 90m; a bare number is "
    "hours), as 'imageyard reclaim --grace'.",
)
@click.option(
    "--keep",
    type=click.IntRange(min=1),
    default=None,
    metavar="N",
    help="Retention: per image family keep the newest N active images and retire (hide, then "
    "deactivate) older ones no server, volume or RBD clone uses.",
)
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    default=None,
    metavar="DAYS",
    help="With --keep: retire only images older than DAYS.",
)
@click.option(
    "--image",
    "images",
    multiple=True,
    metavar="PATTERN",
    help="Only images whose name or id matches this shell pattern; repeatable.",
)
@click.option(
    "--site",
    "site_file",
    type=click.Path(path_type=Path),
    default=None,
    metavar="FILE",
    help="Site description YAML (as for 'imageyard design'): pre-place in each site's own "
    "store every image the site boots (public, golden, used by its servers and volumes).",
)
@click.option(
    "--cost",
    "costs",
    multiple=True,
    metavar="STORE=PRICE",
    help="Price per GiB-month of a store, for the cost before/after; repeatable.",
)
def make(
    inventory: Path | None,
    out: str,
    place: bool,
    convert: bool,
    retire: str,
    moves: tuple[str, ...],
    drops: tuple[str, ...],
    reclaim: bool,
    trash_days: int,
    grace: datetime.timedelta,
    keep: int | None,
    max_age: int | None,
    images: tuple[str, ...],
    site_file: Path | None,
    costs: tuple[str, ...],
) -> int:
    """Write the plan for a snapshot: copies, conversions, edge copies, moves and drops.

    Exit code 3 when the plan has changes, 0 when there is nothing to do; a bad snapshot
    gives exit code 5.
    """
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard plan make INVENTORY")
    check_output(out, "plan", (inventory, site_file))
    site = load_site(site_file) if site_file is not None else None
    policy = PlanPolicy(
        place=place,
        convert=convert,
        retire=retire,  # type: ignore[arg-type]
        moves=tuple(_pairs("--move", moves)),
        drops=drops,
        images=images,
        reclaim=reclaim,
        trash_days=trash_days,
        keep=keep,
        max_age=max_age,
        site=site_file.name if site_file is not None else "",
        grace_hours=grace.total_seconds() / 3600,
    )
    prices = _prices(costs)
    plan = make_plan(
        read_inventory(inventory),
        policy,
        inventory=inventory.name,
        inventory_fingerprint=file_fingerprint(inventory),
        prices=prices,
        site=site,
    )
    write_output(dump_plan(plan), out, "plan", (inventory, site_file))
    click.echo(f"imageyard: {len(plan.actions)} actions -> {out}", err=True)
    return int(ExitCode.FINDINGS if plan.actions else ExitCode.OK)


@command.command("show")
@click.argument("plan_file", metavar="PLAN", type=click.Path(path_type=Path))
@output_option("the text")
def show(plan_file: Path, out: str) -> int:
    """Print a plan for humans: each action, bytes moved, cost before and after.

    A file that is not a plan gives exit code 5.
    """
    check_output(out, "plan text", (plan_file,))
    write_output(render_plan(read_plan(plan_file)), out, "plan text", (plan_file,))
    return int(ExitCode.OK)
