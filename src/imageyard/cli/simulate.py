"""``imageyard simulate``: boot traces replayed against the image caches, and trace sources."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from imageyard.cli.options import HUMAN, echo, output_option, write_output
from imageyard.errors import ExitCode
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.simulate import cache, generate
from imageyard.simulate import inventory as from_inventory
from imageyard.simulate.cinder_cache import CinderCacheSettings
from imageyard.simulate.estimate import read_throughputs
from imageyard.simulate.glance_cache import GlanceCacheSettings
from imageyard.simulate.nova_base import NovaBaseSettings
from imageyard.simulate.render import FORMATS
from imageyard.simulate.sources import (
    ImportCounts,
    from_glance_log,
    from_nova_log,
)
from imageyard.simulate.sources import (
    from_inventory as servers_trace,
)
from imageyard.simulate.trace import TraceBuilder
from imageyard.simulate.tracefile import open_text, read_trace, trace_csv

GiB = 1 << 30


@click.group("simulate")
def group() -> None:
    """Replay boot traces against the image caches and against store layouts."""


def _cache_options(func: Any) -> Any:
    options = [
        click.option(
            "--glance-max-size",
            type=click.IntRange(min=0),
            metavar="BYTES",
            help="image_cache_max_size  [default: the snapshot's, else 10 GiB]",
        ),
        click.option(
            "--glance-nodes",
            type=click.IntRange(min=1),
            default=1,
            show_default=True,
            help="Glance API nodes, each with its own cache (round-robin).",
        ),
        click.option(
            "--glance-prune-interval",
            type=click.FloatRange(min=0),
            default=0.0,
            show_default=True,
            metavar="S",
            help="Seconds between pruner runs (0: after every download).",
        ),
        click.option(
            "--nova-manager-interval",
            type=click.IntRange(min=-1),
            metavar="S",
            help="[image_cache] manager_interval  [default: the snapshot's, else 2400]",
        ),
        click.option(
            "--nova-min-age",
            type=click.FloatRange(min=0),
            metavar="S",
            help="remove_unused_original_minimum_age_seconds  [default: the "
            "snapshot's, else 86400]",
        ),
        click.option(
            "--cinder-max-size-gb",
            type=click.IntRange(min=0),
            metavar="GB",
            help="image_volume_cache_max_size_gb (0: no limit)  [default: the snapshot's, else 0]",
        ),
        click.option(
            "--cinder-max-count",
            type=click.IntRange(min=0),
            metavar="N",
            help="image_volume_cache_max_count (0: no limit)  [default: the snapshot's, else 0]",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@group.command("cache")
@click.option(
    "--trace",
    "trace_path",
    required=True,
    metavar="CSV",
    help="Boots: time,image,host,az[,size][,lifetime] (see docs/simulate.md).",
)
@click.option(
    "--inventory",
    type=click.Path(dir_okay=False),
    metavar="SNAPSHOT",
    help="Image sizes for rows without one, and the cache options of its config.",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    type=click.Choice(cache.MODELS),
    help="Only this model; repeatable  [default: all three]",
)
@_cache_options
@click.option(
    "--instance-lifetime",
    type=click.FloatRange(min=0),
    default=math.inf,
    metavar="S",
    help="Seconds an instance lives when its row does not say [default: forever]",
)
@click.option(
    "--target-hit-rate",
    type=click.FloatRange(0, 1),
    metavar="R",
    help="Also find the smallest setting reaching this hit rate (e.g. 0.9).",
)
@click.option(
    "--glance-step",
    type=click.IntRange(min=1),
    default=GiB,
    show_default=True,
    metavar="BYTES",
    help="Granularity of the Glance size search.",
)
@click.option(
    "--probe-results",
    multiple=True,
    type=click.Path(dir_okay=False),
    metavar="JSON",
    help="Throughputs measured by 'imageyard probe -f json' for the boot estimate; repeatable.",
)
@click.option(
    "-f", "--format", "fmt", type=click.Choice(list(FORMATS)), default="table", show_default=True
)
@output_option("the results")
def cache_command(
    trace_path: str,
    inventory: str | None,
    models: tuple[str, ...],
    instance_lifetime: float,
    target_hit_rate: float | None,
    glance_step: int,
    probe_results: tuple[str, ...],
    fmt: str,
    out: str,
    **flags: Any,
) -> int:
    """Replay a boot trace against the Glance API cache, Nova's _base and Cinder's
    image-volume cache; report hit rate, bytes downloaded and a boot-time estimate.

    Each model sees the whole trace. With --target-hit-rate, also the smallest
    image_cache_max_size, image_volume_cache_max_size_gb and Nova minimum age reaching it.
    A bad trace, snapshot or probe result gives exit code 5.
    """
    check_output(out, "results", (trace_path, inventory, *probe_results))
    cfg = cache.CacheSettings(target_hit_rate=target_hit_rate, glance_step=glance_step)
    sizes: dict[str, int] = {}
    if inventory is not None:
        inv = read_inventory(Path(inventory))
        cfg, sizes = from_inventory.configured(inv, cfg), from_inventory.image_sizes(inv)
    cfg = _flags(cfg, flags)
    trace = read_trace(trace_path, sizes, instance_lifetime)
    rates = read_throughputs(probe_results)
    reports = cache.run(trace, models or cache.MODELS, cfg, rates)
    text = FORMATS[fmt](reports, len(trace), rates)
    write_output(text, out, "results", (trace_path,), human=fmt in HUMAN)
    return int(ExitCode.OK)


def _flags(cfg: cache.CacheSettings, flags: dict[str, Any]) -> cache.CacheSettings:
    def given(**pairs: str) -> dict[str, Any]:
        return {field: flags[flag] for field, flag in pairs.items() if flags[flag] is not None}

    glance = replace(
        cfg.glance,
        **given(
            max_size="glance_max_size", nodes="glance_nodes", prune_interval="glance_prune_interval"
        ),
    )
    nova = replace(
        cfg.nova,
        **given(manager_interval="nova_manager_interval", original_minimum_age="nova_min_age"),
    )
    cinder = replace(
        cfg.cinder, **given(max_size_gb="cinder_max_size_gb", max_count="cinder_max_count")
    )
    assert isinstance(glance, GlanceCacheSettings) and isinstance(nova, NovaBaseSettings)
    assert isinstance(cinder, CinderCacheSettings)
    return replace(cfg, glance=glance, nova=nova, cinder=cinder)


@group.command("generate")
@click.option(
    "--pattern",
    type=click.Choice(list(generate.PATTERNS)),
    default="zipf",
    show_default=True,
    help="zipf popularity, golden-image refresh or CI bursts.",
)
@click.option("--events", type=click.IntRange(min=1), default=10_000, show_default=True)
@click.option("--images", type=click.IntRange(min=1), default=200, show_default=True)
@click.option("--hosts", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--zones", type=click.IntRange(min=1), default=1, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=0.05,
    show_default=True,
    help="Boots per second.",
)
@click.option("--zipf-s", type=click.FloatRange(min=0), default=1.1, show_default=True)
@click.option(
    "--lifetime",
    type=click.FloatRange(min=0),
    default=math.inf,
    metavar="S",
    help="Instance lifetime in seconds  [default: forever]",
)
@output_option("the trace (CSV)")
def generate_command(pattern: str, out: str, **knobs: Any) -> int:
    """Write a synthetic boot trace (CSV), the same for the same seed."""
    check_output(out, "trace", ())
    trace = generate.PATTERNS[pattern](generate.GeneratorSettings(**knobs))
    write_output(trace_csv(trace), out, "trace", ())
    return int(ExitCode.OK)


@group.command("import")
@click.option(
    "--inventory",
    type=click.Path(dir_okay=False),
    metavar="SNAPSHOT",
    help="Servers (image, host, created_at) and image sizes.",
)
@click.option(
    "--glance-log",
    "glance_logs",
    multiple=True,
    metavar="FILE",
    help="A glance-api access log (uWSGI or eventlet/Apache lines); repeatable.",
)
@click.option(
    "--nova-log",
    "nova_logs",
    multiple=True,
    metavar="[HOST=]FILE",
    help="A nova-compute log of HOST (default: the file name); repeatable; needs "
    "--inventory for the instances' images.",
)
@output_option("the trace (CSV)")
def import_command(
    inventory: str | None, glance_logs: tuple[str, ...], nova_logs: tuple[str, ...], out: str
) -> int:
    """Write a boot trace (CSV) derived from an inventory's servers or from log lines.

    Without logs, every server of the snapshot booted from an image is one boot at its
    creation time. With logs, every image download in glance-api's access log and every
    "Creating image(s)" in nova-compute's log is one boot. Skipped records are counted on
    stderr.
    """
    files = (inventory, *glance_logs, *(n.partition("=")[2] or n for n in nova_logs))
    check_output(out, "trace", files)
    if inventory is None and (nova_logs or not glance_logs):
        raise click.UsageError("give --inventory (needed for servers and nova-compute logs)")
    inv = read_inventory(Path(inventory)) if inventory is not None else None
    builder, counts = TraceBuilder(), ImportCounts()
    sizes = from_inventory.image_sizes(inv) if inv is not None else {}
    for path in glance_logs:
        with open_text(path, "log", errors="replace") as lines:
            from_glance_log(lines, sizes, builder, counts)
    for spec in nova_logs:
        host, _, path = spec.partition("=") if "=" in spec else ("", "", spec)
        with open_text(path, "log", errors="replace") as lines:
            assert inv is not None
            from_nova_log(lines, host or Path(path).stem, inv, builder, counts)
    if inv is not None and not glance_logs and not nova_logs:
        servers_trace(inv, builder, counts)
    _report(counts)
    write_output(trace_csv(builder.build()), out, "trace", files)
    return int(ExitCode.OK)


def _report(counts: ImportCounts) -> None:
    skipped = ", ".join(f"{n} {why}" for why, n in sorted((counts.skipped or {}).items()))
    echo(f"imageyard: {counts.taken} boots" + (f"; skipped: {skipped}" if skipped else ""))


def _register() -> None:
    from imageyard.cli.simulate_placement import placement_command

    group.add_command(placement_command)


_register()
