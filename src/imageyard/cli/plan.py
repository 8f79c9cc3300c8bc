"""``imageyard plan make`` and ``imageyard plan show``: write a plan file, read it back."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path

import click

from imageyard.cli.options import echo, inventory_input, output_option, write_output
from imageyard.cli.reclaim import _duration
from imageyard.design.site import load_site
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory
from imageyard.plan import dump_plan, file_fingerprint, make_plan, read_plan
from imageyard.plan.economics import CostModel, load_cost_model, parse_size, with_defaults
from imageyard.plan.policy import RETIRE_POLICIES, PlanPolicy, TierPolicy
from imageyard.plan.show import render_plan
from imageyard.simulate.inventory import image_sizes
from imageyard.simulate.trace import Trace
from imageyard.simulate.tracefile import read_trace


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


def _capacities(values: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    out = {}
    for store, size in _pairs("--capacity", values):
        try:
            out[store] = parse_size(size)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--capacity") from None
    return tuple(sorted(out.items()))


def _tier(opts: dict[str, object]) -> TierPolicy | None:
    if not opts["tier"]:
        return None
    return TierPolicy(
        hot_uses=int(opts["hot_uses"]),  # type: ignore[call-overload]
        hot_boots=int(opts["hot_boots"]),  # type: ignore[call-overload]
        window_days=int(opts["window"]),  # type: ignore[call-overload]
        cold_store=opts["cold_store"] or None,  # type: ignore[arg-type]
        golden_tag=str(opts["golden_tag"]),
    )


def _economics(inv: Inventory, opts: dict[str, object], tier: bool) -> CostModel:
    path = opts["cost_model"]
    model = load_cost_model(path) if isinstance(path, Path) else CostModel()
    flags = CostModel(
        tuple(sorted(_prices(opts["costs"]).items())),  # type: ignore[arg-type]
        _capacities(opts["capacities"]),  # type: ignore[arg-type]
    )
    model = model.merged(flags)
    return with_defaults(model, inv) if tier else model


def _trace(inv: Inventory, path: object) -> Trace | None:
    if not isinstance(path, Path):
        return None
    return read_trace(str(path), image_sizes(inv))


def tier_options(fn: Callable[..., int]) -> Callable[..., int]:
    """The placement-by-policy and cost-model options of ``plan make``."""
    options = [
        click.option(
            "--tier",
            is_flag=True,
            help="Placement by policy: hot and golden images on every site's Ceph store, "
            "cold ones on --cold-store (prices default by store type).",
        ),
        click.option(
            "--hot-uses",
            type=click.IntRange(min=1),
            default=3,
            show_default=True,
            metavar="N",
            help="With --tier: an image with N servers and volumes is hot.",
        ),
        click.option(
            "--hot-boots",
            type=click.IntRange(min=1),
            default=5,
            show_default=True,
            metavar="N",
            help="With --tier: an image booted N times within --window is hot.",
        ),
        click.option(
            "--window",
            type=click.IntRange(1, 36500),
            default=30,
            show_default=True,
            metavar="DAYS",
            help="With --tier: boots counted over the last DAYS (servers' creation times, or "
            "the boot trace's last DAYS).",
        ),
        click.option(
            "--cold-store",
            metavar="STORE",
            help="With --tier: where cold images go (a Swift, S3 or file store).",
        ),
        click.option(
            "--golden-tag",
            default="golden",
            show_default=True,
            metavar="TAG",
            help="With --tier: images with this tag (or public) are golden.",
        ),
        click.option(
            "--boot-trace",
            type=click.Path(path_type=Path),
            metavar="FILE",
            help="With --tier: boots from this trace (the CSV of 'imageyard simulate').",
        ),
        click.option(
            "--capacity",
            "capacities",
            multiple=True,
            metavar="STORE=SIZE",
            help="Most image bytes a store may hold (500G, 2T); copies beyond it are left "
            "out and listed; repeatable.",
        ),
        click.option(
            "--cost-model",
            type=click.Path(path_type=Path),
            metavar="FILE",
            help="YAML with each store's price and capacity (flags win).",
        ),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


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
    help="Also remove locations whose data is missing (when another location remains), "
    "hide unused duplicate images, move orphaned RBD images to the trash and purge trash "
    "entries whose deferment ended.",
)
@click.option(
    "--flatten",
    is_flag=True,
    help="With --reclaim: flatten the RBD clones that pin what reclaim would remove.",
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
@tier_options
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
    flatten: bool,
    grace: datetime.timedelta,
    keep: int | None,
    max_age: int | None,
    images: tuple[str, ...],
    site_file: Path | None,
    costs: tuple[str, ...],
    **tiering: object,
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
        flatten=flatten,
        keep=keep,
        max_age=max_age,
        tier=_tier(tiering),
        site=site_file.name if site_file is not None else "",
        grace_hours=grace.total_seconds() / 3600,
    )
    inv = read_inventory(inventory)
    plan = make_plan(
        inv,
        policy,
        inventory=inventory.name,
        inventory_fingerprint=file_fingerprint(inventory),
        site=site,
        model=_economics(inv, {**tiering, "costs": costs}, policy.tier is not None),
        trace=_trace(inv, tiering["boot_trace"]),
    )
    for u in plan.unplaced:
        echo(f"imageyard: not placed: {u.image_id} -> {u.store}: {u.reason}")
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
    write_output(render_plan(read_plan(plan_file)), out, "plan text", (plan_file,), human=True)
    return int(ExitCode.OK)
