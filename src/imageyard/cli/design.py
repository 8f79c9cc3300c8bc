"""``imageyard design``: the storage design memo, computed from an inventory and/or a site."""

from __future__ import annotations

from pathlib import Path

import click

from imageyard import gcpause
from imageyard.audit.registry import RULES
from imageyard.audit.rule_options import parse_rule_options
from imageyard.cli.options import (
    HUMAN,
    echo,
    format_option,
    inventory_input,
    output_option,
    quiet_option,
    release_option,
    rule_option_option,
    write_output,
)
from imageyard.cli.progress import TerminalSteps
from imageyard.design import design_from, json_out, memo
from imageyard.design.render import RENDERERS, renderer
from imageyard.errors import ExitCode, ImageyardError
from imageyard.files import check_output
from imageyard.secrets import scrub


def _config_name(d: object, used: set[str]) -> str:
    """A file name for one diff: its own name (a config directory has several), another
    site's or group's files prefixed by it, the parent directory added on a clash."""
    from imageyard.design.diff import FileDiff

    assert isinstance(d, FileDiff)
    if d.before:  # an existing file keeps its own name (a later file of a group too)
        name = Path(d.path).name
    elif d.target and d.target != d.path:
        name = f"{Path(d.target).name}-{d.file}"
    else:
        name = d.file
    if name in used:
        name = f"{Path(d.path).parent.name}-{name}"
    used.add(name)
    return name


def _write_configs(run_dir: Path, diffs: tuple[object, ...]) -> None:
    from imageyard.design.diff import FileDiff, masked

    used: set[str] = set()
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        for d in diffs:
            assert isinstance(d, FileDiff)
            (run_dir / _config_name(d, used)).write_text(scrub(masked(d.after)), encoding="utf-8")
    except OSError as exc:
        raise ImageyardError(f"{run_dir}: cannot write the config files ({exc.strerror})") from None


@click.command("design")
@inventory_input("Snapshot by 'imageyard collect' (measured data; or give it as INVENTORY).")
@click.option(
    "--site",
    "site_file",
    type=click.Path(path_type=Path),
    help="Site description YAML (declared data; see docs/site-schema.json).",
)
@release_option("the site's, else inferred from the inventory's Glance API, else latest released")
@format_option(["markdown", "json"], "markdown", "Output format of the memo.")
@click.option(
    "--render",
    "render",
    type=click.Choice(sorted(RENDERERS)),
    default=None,
    help="Print only the configuration, in this deployment tool's form.",
)
@click.option(
    "--write-configs",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="Also write the complete new config files into DIR; secret values are written "
    "as *** (copy them from the current files).",
)
@click.option("--no-audit", is_flag=True, help="Do not run the audit rules over the inventory.")
@click.option(
    "--placement",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A placement comparison ('imageyard simulate placement -f json') for section (a) to cite.",
)
@click.option(
    "--cache-simulation",
    type=click.Path(path_type=Path),
    metavar="FILE",
    help="A cache simulation ('imageyard simulate cache --target-hit-rate R -f json') whose "
    "smallest sizes set the caches of section (d) and the config.",
)
@rule_option_option()
@output_option()
@quiet_option("release line")
def command(
    inventory: Path | None,
    site_file: Path | None,
    release: str | None,
    fmt: str,
    render: str | None,
    write_configs: Path | None,
    no_audit: bool,
    placement: Path | None,
    cache_simulation: Path | None,
    rule_options: tuple[str, ...],
    out: str,
    quiet: bool,
) -> int:
    """Design the Glance store layout, format policy, config, caches and reclamation.

    Give --inventory (brownfield), --site (greenfield) or both (measured data wins). A
    missing or malformed input gives exit code 5; a bad --rule-option, exit code 2.
    """
    if inventory is None and site_file is None:
        raise click.UsageError("give --inventory FILE, --site FILE or both")
    settings = parse_rule_options(rule_options, RULES)
    inputs = (inventory, site_file, placement, cache_simulation)
    check_output(out, "design", inputs)
    with TerminalSteps(quiet=quiet) as steps:
        run = design_from(
            inventory,
            site_file,
            release,
            with_audit=not no_audit,
            rule_settings=settings,
            steps=steps,
            placement=placement,
            cache_simulation=cache_simulation,
        )
        gcpause.hold(run)
        steps.begin("writing the design")
        if render is not None:
            text = renderer(render)(run.design, run.diffs)
        elif fmt == "json":
            text = json_out.render(run.design, run.diffs)
        else:
            text = memo.render(run.design, run.diffs)
    write_output(text, out, "design", inputs, human=render is None and fmt in HUMAN)
    if not quiet:
        echo(f"imageyard: design for {run.design.release} [{run.release_origin}]")
    if write_configs is not None:
        _write_configs(write_configs, run.diffs)
    return int(ExitCode.OK)
