"""``imageyard apply PLAN``: carry a plan out against live Glance, journaled and resumable."""

from __future__ import annotations

import os
import time
from pathlib import Path

import click

from imageyard.apply.actions import StepContext
from imageyard.apply.ceph import RbdBindings
from imageyard.apply.engine import ApplyOptions, Engine, Outcome
from imageyard.apply.glance import HttpGlance
from imageyard.apply.journal import Journal
from imageyard.apply.lock import default_lock_path, exclusive
from imageyard.apply.objects import StoreObjects
from imageyard.cli.collect import _image_url
from imageyard.cli.options import echo, say
from imageyard.cli.progress import TerminalSteps
from imageyard.collect.configs import collect_configs
from imageyard.collect.configs.paths import ConfigPaths
from imageyard.errors import ExitCode, UsageError
from imageyard.plan import read_plan

_SUFFIXES = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def _size(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    if value is None:
        return None
    text = value.strip().lower().removesuffix("ib").removesuffix("b")
    unit = text[-1:] if text[-1:] in _SUFFIXES else ""
    try:
        number = float(text[: len(text) - len(unit)])
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a size (e.g. 500G)") from None
    if not 0 <= number < 1e15:
        raise click.BadParameter(f"{value!r} is out of range")
    return int(number * _SUFFIXES[unit])


def _summary(outcome: Outcome, dry_run: bool) -> str:
    verb = "would be done" if dry_run else "done"
    parts = [f"{len(outcome.done)} {verb}"]
    for label, items in (
        ("failed", outcome.failed),
        ("stale", outcome.stale),
        ("not run", outcome.held),
    ):
        if items:
            parts.append(f"{len(items)} {label} (first: {items[0][0]}: {items[0][1]})")
    return "; ".join(parts)


def _store_objects(path: Path) -> StoreObjects:
    """The stores' backends as the glance-api configuration at ``path`` reaches them."""
    config, _ = collect_configs(ConfigPaths(glance_api=str(path)), explicit=True)
    if config.glance_api is None:
        raise UsageError(f"--glance-config: {path} holds no glance-api configuration")
    return StoreObjects(config.glance_api)


@click.command("apply")
@click.argument("plan_file", metavar="PLAN", type=click.Path(path_type=Path))
@click.option(
    "--journal",
    "journal_path",
    metavar="FILE",
    help="Append-only journal to resume from.  [default: PLAN.journal]",
)
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what would be done ('would ...'); change nothing, write no journal.",
)
@click.option("--only", multiple=True, metavar="ID", help="Run only this action; repeatable.")
@click.option("--stop-before", metavar="ID", help="Stop before this action.")
@click.option(
    "--max-deletes",
    type=click.IntRange(min=0),
    metavar="N",
    help="Run at most N destructive actions in this run.",
)
@click.option(
    "--max-bytes",
    callback=_size,
    metavar="SIZE",
    help="Copy, convert, flatten or purge at most SIZE bytes in this run (e.g. 500G).",
)
@click.option(
    "--yes-destroy",
    is_flag=True,
    help="Confirm destructive actions (deletes, trash moves and purges, flattens); "
    "required for them.",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Images worked on at once.",
)
@click.option("--os-cloud", envvar="OS_CLOUD", help="clouds.yaml entry (else the OS_* variables).")
@click.option(
    "--glance-endpoint", metavar="URL", help="Talk to this Glance API directly, without Keystone."
)
@click.option(
    "--ceph-conf",
    metavar="PATH",
    help="ceph.conf of the cluster, for RBD actions (trash, flatten) and for reading a "
    "convert-to-raw source in place from its RBD snapshot.",
)
@click.option("--ceph-user", metavar="NAME", help="cephx user for RBD actions.")
@click.option(
    "--glance-config",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="glance-api.conf, for removing file, S3 and Swift objects (its stores' options).",
)
@click.option(
    "--lock-file",
    metavar="FILE",
    help="Lock file  [default: one per Glance endpoint or cloud, in XDG_RUNTIME_DIR or /tmp].",
)
@click.option(
    "--step-timeout",
    type=click.FloatRange(1, 86400),
    default=1800.0,
    show_default=True,
    metavar="SECONDS",
    help="Give up waiting for one step after this long.",
)
def command(
    plan_file: Path,
    journal_path: str | None,
    dry_run: bool,
    only: tuple[str, ...],
    stop_before: str | None,
    max_deletes: int | None,
    max_bytes: int | None,
    yes_destroy: bool,
    parallel: int,
    os_cloud: str | None,
    glance_endpoint: str | None,
    ceph_conf: str | None,
    ceph_user: str | None,
    glance_config: Path | None,
    lock_file: str | None,
    step_timeout: float,
) -> int:
    """Apply a plan: copy, convert, retire and delete as planned, checking each step.

    Each action's precondition is checked against live Glance first; a plan whose images
    changed since it was made is refused (exit 7) before anything changes. Every step is
    journaled; run the same command again to resume. Exit 4 when actions are left (failed,
    held by a limit, --only or --stop-before); destructive actions need --yes-destroy
    (exit 2 otherwise). --dry-run prints the same steps as "would ..." and changes nothing.
    """
    plan = read_plan(plan_file)
    for flag, ids in (("--only", only), ("--stop-before", (stop_before,) if stop_before else ())):
        for action_id in ids:
            if plan.action(action_id) is None:
                raise UsageError(f"{flag}: no action {action_id!r} in {plan_file}")
    endpoint, token = _image_url(glance_endpoint, os_cloud, os.environ)
    glance = HttpGlance(os_cloud, endpoint=endpoint, token=token, timeout=60.0)
    options = ApplyOptions(
        dry_run=dry_run,
        only=frozenset(only),
        stop_before=stop_before,
        max_deletes=max_deletes,
        max_bytes=max_bytes,
        yes_destroy=yes_destroy,
        parallel=parallel,
    )
    rbd = RbdBindings(ceph_conf, ceph_user) if ceph_conf else None
    objects = _store_objects(glance_config) if glance_config is not None else None
    ctx = StepContext(
        glance,
        rbd,
        objects,
        ceph=rbd,
        poll=0.5,
        timeout=step_timeout,
        sleep=time.sleep,
        clock=time.monotonic,
    )
    lock = lock_file or default_lock_path(endpoint or os_cloud or "default")
    with exclusive(lock):
        journal = None
        if not dry_run:
            journal = Journal.open(journal_path or f"{plan_file}.journal", plan.fingerprint)
        try:
            with TerminalSteps() as steps:
                engine = Engine(plan, ctx, journal, options, say, steps)
                outcome = engine.run()
        finally:
            if journal is not None:
                journal.close()
    echo(f"imageyard: {_summary(outcome, dry_run)}")
    if outcome.stale:
        return int(ExitCode.STALE)
    if dry_run:
        return int(ExitCode.OK)
    return int(ExitCode.OK if outcome.complete else ExitCode.INCOMPLETE)
