"""``imageyard audit``: run the audit rules over an inventory snapshot and report them."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from imageyard import gcpause
from imageyard.audit.engine import AuditResult, run_audit, select_rules
from imageyard.audit.mute import Mute, read_mutes
from imageyard.audit.registry import RULES
from imageyard.audit.release_infer import choose_release
from imageyard.audit.releases import parse_release
from imageyard.audit.rule import AuditContext
from imageyard.audit.rule_options import describe_options, parse_rule_options
from imageyard.cli.options import (
    HUMAN,
    echo,
    fail_on_option,
    format_option,
    inventory_input,
    mute_option,
    output_option,
    quiet_option,
    release_option,
    rule_option_option,
    write_output,
)
from imageyard.cli.progress import TerminalSteps
from imageyard.errors import ExitCode, InputError
from imageyard.files import check_output
from imageyard.model.finding import Severity
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory
from imageyard.report import FORMATS, table
from imageyard.report.view import summary_line
from imageyard.secrets import Scrubbed

DEFAULT_FAIL_ON = "high"
_SEVERITIES = [s.value for s in Severity]


def _list_rules() -> str:
    rows = []
    for r in RULES:
        rows.append(f"{r.id:40} {r.meta.severity.value:8} {r.meta.category:10} {r.meta.title}")
        rows += [f"    option {line}" for line in describe_options(r)]
    return "\n".join(rows) + "\n"


def _render(result: AuditResult, fmt: str, out: str) -> str | Iterator[str | Scrubbed]:
    if fmt == "table" and out == "-":
        # NOTE: COLUMNS, else the terminal's width, else the default (a pipe or a file)
        width = shutil.get_terminal_size((table.DEFAULT_WIDTH, 24)).columns
        return table.chunks(result, color=sys.stdout.isatty(), width=max(width, 40))
    if fmt == "table":
        return table.chunks(result)
    if fmt == "json":
        from imageyard.report import json_format  # NOTE: imported only for this format

        return json_format.chunks(result)
    return FORMATS[fmt](result)


def _require_glance_api(inv: Inventory, where: str) -> None:
    """Refuse a snapshot without any glance-api configuration: nothing can be judged."""
    if inv.config.glance_api is not None:
        return
    gaps = inv.gaps_for("config:glance-api")
    why = f" ({gaps[0].error})" if gaps else ""
    raise InputError(
        f"{where}: no glance-api configuration in this snapshot{why}",
        tip="collect with --config-dir DIR or --glance-api-conf FILE",
    )


def _exit_code(result: AuditResult, fail_on: str) -> int:
    if fail_on == "none":
        return int(ExitCode.OK)
    return int(ExitCode.FINDINGS) if result.fails(Severity(fail_on)) else int(ExitCode.OK)


@click.command("audit")
@inventory_input("The snapshot written by 'imageyard collect' (or give it as INVENTORY).")
@format_option(sorted(FORMATS), "table", envvar=True)
@output_option("the report")
@fail_on_option(_SEVERITIES, DEFAULT_FAIL_ON, "finding")
@mute_option("rule, resource glob, reason, expires")
@click.option(
    "--rule",
    "rule_ids",
    multiple=True,
    metavar="ID",
    help="Run only this rule (or every rule of this category); repeatable.",
)
@rule_option_option()
@release_option("inferred from the snapshot's Glance API, else latest released")
@click.option("--list-rules", is_flag=True, help="List the rules and their options and exit.")
@quiet_option("summary")
def command(
    inventory: Path | None,
    fmt: str,
    out: str,
    fail_on: str,
    mute_file: Path | None,
    rule_ids: tuple[str, ...],
    rule_options: tuple[str, ...],
    release: str | None,
    list_rules: bool,
    quiet: bool,
) -> int:
    """Check a snapshot's configuration against the audit rules.

    Findings at or above --fail-on (default high) that are not muted give exit code 3;
    checks that could not be made (a file not collected) are reported as unknown and do
    not change the exit code. A bad snapshot or mute file, or a snapshot without any
    glance-api configuration, gives exit code 5; an unknown rule or option, or a bad
    option value in --rule-option, exit code 2.
    """
    if list_rules:
        sys.stdout.write(_list_rules())
        return int(ExitCode.OK)
    if inventory is None:
        raise click.UsageError("give the snapshot: imageyard audit INVENTORY (or --inventory FILE)")
    if release is not None:
        parse_release(release)  # a bad --release is refused before anything is read
    settings = parse_rule_options(rule_options, RULES)
    rules = select_rules(
        RULES,
        ids=[r for r in rule_ids if "-" in r],
        categories=[r for r in rule_ids if "-" not in r],
    )
    check_output(out, "report", (inventory, mute_file))
    mutes: tuple[Mute, ...] = read_mutes(mute_file) if mute_file is not None else ()
    with TerminalSteps(quiet=quiet) as steps:
        steps.begin(f"reading {inventory}")
        inv = read_inventory(inventory)
        gcpause.hold(inv)
        _require_glance_api(inv, str(inventory))
        choice = choose_release(release, inv)
        ctx = AuditContext(release=choice.release, release_origin=choice.detail, settings=settings)
        steps.begin("audit rules", total=len(rules))
        # NOTE: the table orders only what it shows (its groups and their first members)
        ordered = fmt != "table"
        result = run_audit(inv, ctx, rules, mutes=mutes, steps=steps, ordered=ordered)
        gcpause.hold(result)
        steps.begin(f"writing the {fmt} report")
        text = _render(result, fmt, out)
    # NOTE: a coloured table shows its cells' control characters itself (its colours pass)
    colored = fmt == "table" and out == "-" and sys.stdout.isatty()
    write_output(text, out, "report", (inventory, mute_file), human=fmt in HUMAN and not colored)
    shown_on_stdout = fmt == "table" and out in (None, "-")  # the table ends with it
    if not quiet and not shown_on_stdout:
        echo(f"imageyard: {summary_line(result)}")
    return _exit_code(result, fail_on)
