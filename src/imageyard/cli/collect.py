"""``imageyard collect``: configuration files (and, later, live sources) into a snapshot."""

from __future__ import annotations

import datetime
import sys
from pathlib import Path

import click

from imageyard import __version__
from imageyard.cli.summary import print_collect_summary
from imageyard.collect.base import run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import ConfigPaths, discover
from imageyard.errors import ExitCode, UsageError
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import dump_inventory, write_inventory

_FILE = click.Path(dir_okay=False, path_type=str)


def _paths(
    config_dir: str | None,
    glance_api: str | None,
    glance_import: str | None,
    nova: tuple[str, ...],
    cinder: tuple[str, ...],
    ceph: tuple[str, ...],
) -> tuple[ConfigPaths, ConfigPaths]:
    """(discovered, explicit) paths."""
    explicit = ConfigPaths(
        glance_api=glance_api, glance_import=glance_import, nova=nova, cinder=cinder, ceph=ceph
    )
    if config_dir is None and not explicit.items():
        raise UsageError(
            "nothing to collect: give --config-dir DIR or at least one --*-conf FILE",
            tip="imageyard collect --config-dir /etc --out inventory.json",
        )
    discovered = discover(config_dir) if config_dir is not None else ConfigPaths()
    return discovered, explicit


@click.command("collect")
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Find glance-api.conf, glance-image-import.conf, nova.conf, cinder.conf and "
    "ceph.conf (or ceph/*.conf) under DIR; a file not found is a gap.",
)
@click.option("--glance-api-conf", type=_FILE, help="glance-api.conf (must exist and parse).")
@click.option("--glance-import-conf", type=_FILE, help="glance-image-import.conf.")
@click.option("--nova-conf", type=_FILE, multiple=True, help="nova.conf; repeat per compute group.")
@click.option("--cinder-conf", type=_FILE, multiple=True, help="cinder.conf; repeatable.")
@click.option("--ceph-conf", type=_FILE, multiple=True, help="A cluster's ceph.conf; repeatable.")
@click.option(
    "-o",
    "--out",
    default="inventory.json",
    show_default=True,
    help="Where to write the snapshot ('-' for stdout).",
)
@click.option("-q", "--quiet", is_flag=True, help="No summary on stderr.")
def command(
    config_dir: str | None,
    glance_api_conf: str | None,
    glance_import_conf: str | None,
    nova_conf: tuple[str, ...],
    cinder_conf: tuple[str, ...],
    ceph_conf: tuple[str, ...],
    out: str,
    quiet: bool,
) -> int:
    """Collect an inventory snapshot from configuration files.

    Files named with their own flag must exist and parse (exit 5 otherwise); files that
    --config-dir does not find are recorded as gaps. Secrets are redacted as files are read.
    """
    discovered, explicit = _paths(
        config_dir, glance_api_conf, glance_import_conf, nova_conf, cinder_conf, ceph_conf
    )
    start = Inventory(
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        generator=f"imageyard {__version__}",
    )
    inventory = run_collectors([ConfigCollector(discovered, explicit)], start)
    if out == "-":
        sys.stdout.write(dump_inventory(inventory))
    else:
        write_inventory(inventory, Path(out))
    if not quiet:
        print_collect_summary(inventory, out)
    return int(ExitCode.OK)
