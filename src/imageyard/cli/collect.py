"""``imageyard collect``: configuration files and live sources into one inventory snapshot."""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import click

from imageyard import __version__
from imageyard.cli.options import output_option, quiet_option
from imageyard.cli.outcome import nothing_collected, partial_exit
from imageyard.cli.progress import RichProgress
from imageyard.cli.summary import print_collect_summary
from imageyard.collect.base import run_collectors
from imageyard.collect.ceph.client import DEFAULT_TIMEOUT as CEPH_TIMEOUT
from imageyard.collect.configs import ConfigPaths, Overlay, discover, split_group
from imageyard.collect.openstack.probe import (
    DEFAULT_CONNECT_TIMEOUT,
    DEFAULT_READ_TIMEOUT,
    Timeouts,
)
from imageyard.collect.sources import (
    GLANCE_CONNECTIONS,
    SOURCES,
    CollectRequest,
    build_collectors,
)
from imageyard.errors import UsageError
from imageyard.files import check_output
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import write_inventory


class _Seconds(click.FloatRange):
    """0.1 to 3600 seconds; NaN is refused (FloatRange lets it through)."""

    name = "seconds"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        seconds = super().convert(value, param, ctx)
        if math.isnan(seconds):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        return float(seconds)


_SECONDS = _Seconds(min=0.1, max=3600)
_FILE = click.Path(path_type=str)  # the reader checks it (exit 5)


def _http_urls(
    ctx: click.Context, param: click.Parameter, value: str | tuple[str, ...] | None
) -> str | tuple[str, ...] | None:
    """Refuse anything that is not an http(s) URL with a host, at the command line."""
    for url in (value,) if isinstance(value, str) else value or ():
        try:
            parts = urlsplit(url)
            parts.port  # noqa: B018 (parses the port)
        except ValueError as exc:
            raise click.BadParameter(f"{url!r} is not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise click.BadParameter(f"{url!r} is not an http(s) URL", ctx=ctx, param=param)
    return value


def _group(kind: str, value: str) -> tuple[str, tuple[Overlay, ...]]:
    files = tuple(os.path.abspath(p.strip()) for p in value.split(",") if p.strip())
    main, overlays = split_group(kind, files)
    if main is None:
        raise click.BadParameter(f"{value!r} names no file")
    return main, overlays


def explicit_paths(
    glance_api: tuple[str, ...],
    glance_import: str | None,
    nova: tuple[str, ...],
    cinder: tuple[str, ...],
    ceph: tuple[str, ...],
) -> ConfigPaths:
    """The files named on the command line, as absolute paths, grouped per instance."""
    api_main, overlays = split_group("glance-api", tuple(os.path.abspath(p) for p in glance_api))
    novas = [_group("nova", v) for v in nova]
    cinders = [_group("cinder", v) for v in cinder]
    for _, more in novas + cinders:
        overlays += more
    return ConfigPaths(
        glance_api=api_main,
        glance_import=os.path.abspath(glance_import) if glance_import else None,
        nova=tuple(main for main, _ in novas),
        cinder=tuple(main for main, _ in cinders),
        ceph=tuple(os.path.abspath(p) for p in ceph),
        overlays=overlays,
    )


def _image_url(
    glance_endpoint: str | None, os_cloud: str | None, environ: Mapping[str, str]
) -> tuple[str | None, str | None]:
    """``--glance-endpoint``, else the ``OS_IMAGE_URL`` + ``OS_AUTH_TOKEN`` pair (no Keystone).

    The pair is what the glance client honours without Keystone; it is used only when no
    cloud is named (``--os-cloud``, ``OS_CLOUD``, ``OS_AUTH_URL``).
    """
    url = environ.get("OS_IMAGE_URL")
    keystone = os_cloud or environ.get("OS_CLOUD") or environ.get("OS_AUTH_URL")
    if glance_endpoint or keystone or not url:
        return glance_endpoint, None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise UsageError(f"OS_IMAGE_URL {url!r} is not an http(s) URL")
    token = environ.get("OS_AUTH_TOKEN") or environ.get("OS_TOKEN")
    return url, token or None


def _sources(value: str) -> tuple[str, ...] | None:
    if value == "auto":
        return None
    return tuple(s.strip() for s in value.split(",") if s.strip())


@click.command("collect")
@click.option(
    "--config-dir",
    type=click.Path(file_okay=False, path_type=str),
    help="Find glance-api.conf, glance-image-import.conf, nova.conf, cinder.conf and "
    "ceph.conf (or ceph/*.conf) under DIR; a file not found is a gap.",
)
@click.option(
    "--glance-api-conf",
    type=_FILE,
    multiple=True,
    help="glance-api.conf (must exist and parse); repeat to add the files glance-api reads "
    "after it, in order (a later file wins).",
)
@click.option("--glance-import-conf", type=_FILE, help="glance-image-import.conf.")
@click.option(
    "--nova-conf",
    metavar="FILE[,FILE...]",
    multiple=True,
    help="nova.conf; repeat per compute group; a comma list is one group's files in load "
    "order (e.g. nova.conf,nova-compute.conf).",
)
@click.option(
    "--cinder-conf",
    metavar="FILE[,FILE...]",
    multiple=True,
    help="cinder.conf; repeatable; a comma list is one host's files in load order.",
)
@click.option("--ceph-conf", type=_FILE, multiple=True, help="A cluster's ceph.conf; repeatable.")
@click.option(
    "--sources",
    default="auto",
    show_default=True,
    help=f"Comma list of {', '.join(SOURCES)}; 'auto' reads each one whose inputs are given.",
)
@click.option("--os-cloud", envvar="OS_CLOUD", help="clouds.yaml entry (else the OS_* variables).")
@click.option(
    "--glance-endpoint",
    metavar="URL",
    callback=_http_urls,
    help="Talk to this Glance API directly, without Keystone (e.g. http://127.0.0.1:9292).",
)
@click.option(
    "--glance-node",
    "glance_nodes",
    metavar="URL",
    callback=_http_urls,
    multiple=True,
    help="A Glance API node whose image cache to read (GET /v2/cache); repeatable.",
)
@click.option(
    "--members/--no-members",
    default=False,
    show_default=True,
    help="Also read each shared image's members (one request per shared image).",
)
@click.option(
    "--glance-connections",
    type=click.IntRange(1, 32),
    default=GLANCE_CONNECTIONS,
    show_default=True,
    metavar="N",
    help="Read the image list on up to N connections at once, adding one while the "
    "throughput grows (1: one after the other).",
)
@click.option(
    "--glance-db",
    metavar="URL",
    envvar="IMAGEYARD_GLANCE_DB",
    help="Read the images from Glance's database instead of its image API: a SQLAlchemy "
    "URL (postgresql://USER@HOST/glance, mysql+pymysql://...; a read-only user is "
    "enough; env IMAGEYARD_GLANCE_DB). Stores, import methods and caches still come from "
    "the API when one is given.",
)
@click.option("--ceph-user", metavar="NAME", help="cephx user for Ceph (e.g. a read-only one).")
@click.option("--ceph-pool", "ceph_pools", multiple=True, help="Only these pools; repeatable.")
@click.option("--rbd-watchers", is_flag=True, help="Also count watchers (one call per image).")
@click.option(
    "--backend-limit",
    type=click.IntRange(min=1),
    metavar="N",
    help="backends: keep at most N objects per datadir, bucket or container; a longer "
    "listing is recorded as cut (incomplete).  [default: 1000000]",
)
@click.option(
    "--connect-timeout",
    type=_SECONDS,
    default=DEFAULT_CONNECT_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up connecting to an HTTP endpoint (Glance, Keystone, Nova, Cinder) after this long.",
)
@click.option(
    "--read-timeout",
    type=_SECONDS,
    default=DEFAULT_READ_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up waiting for an HTTP answer (each read) after this long.",
)
@click.option(
    "--ceph-timeout",
    type=_Seconds(min=1, max=3600),
    default=CEPH_TIMEOUT,
    show_default=True,
    metavar="SECONDS",
    help="Give up connecting to Ceph, and on each monitor or OSD operation, after this long "
    "(whole seconds; also for the rbd/ceph CLI fallback).",
)
@output_option("the snapshot", default="inventory.json")
@click.option(
    "--allow-partial",
    is_flag=True,
    help="Exit 0 even when a requested source collected nothing (its gaps are recorded).",
)
@quiet_option("summary")
def command(
    config_dir: str | None,
    glance_api_conf: tuple[str, ...],
    glance_import_conf: str | None,
    nova_conf: tuple[str, ...],
    cinder_conf: tuple[str, ...],
    ceph_conf: tuple[str, ...],
    sources: str,
    os_cloud: str | None,
    glance_endpoint: str | None,
    glance_nodes: tuple[str, ...],
    members: bool,
    glance_connections: int,
    glance_db: str | None,
    ceph_user: str | None,
    ceph_pools: tuple[str, ...],
    rbd_watchers: bool,
    backend_limit: int | None,
    connect_timeout: float,
    read_timeout: float,
    ceph_timeout: float,
    out: str,
    allow_partial: bool,
    quiet: bool,
) -> int:
    """Collect an inventory snapshot from config files, Glance, Ceph, Nova and Cinder.

    Files named with their own flag must exist and parse (exit 5 otherwise); files that
    --config-dir does not find, and live sources that fail, are recorded as gaps, and the
    snapshot says per source whether it is complete. A requested source that collects
    nothing gives exit 6 (0 with --allow-partial); when nothing at all is collected no
    snapshot is written (exit 1). Secrets are never written.
    """
    glance_endpoint, glance_token = _image_url(glance_endpoint, os_cloud, os.environ)
    request = CollectRequest(
        sources=_sources(sources),
        discovered=discover(config_dir) if config_dir is not None else ConfigPaths(),
        explicit=explicit_paths(
            glance_api_conf, glance_import_conf, nova_conf, cinder_conf, ceph_conf
        ),
        os_cloud=os_cloud,
        glance_endpoint=glance_endpoint,
        glance_token=glance_token,
        glance_nodes=glance_nodes,
        glance_members=members,
        glance_connections=glance_connections,
        glance_db=glance_db,
        ceph_user=ceph_user,
        ceph_pools=ceph_pools or None,
        rbd_watchers=rbd_watchers,
        backend_limit=backend_limit,
        timeouts=Timeouts(connect_timeout, read_timeout),
        ceph_timeout=ceph_timeout,
    )
    inputs = tuple(path for _, path in request.explicit.items())
    check_output(out, "snapshot", inputs)
    collectors = build_collectors(request)
    start = Inventory(
        generated_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        generator=f"imageyard {__version__}",
    )
    if quiet:
        inventory = run_collectors(collectors, start)
    else:
        with RichProgress() as progress:
            inventory = run_collectors(collectors, start, progress)
    nothing = nothing_collected(inventory)
    if not quiet:
        print_collect_summary(inventory, None if nothing else out)
    if nothing:
        raise nothing
    write_inventory(inventory, out, inputs)
    code, problem = partial_exit(inventory, allow_partial)
    if problem is not None:
        click.echo(f"imageyard: error: {problem}", err=True)
    return code
