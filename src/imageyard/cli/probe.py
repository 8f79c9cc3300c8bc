"""``imageyard probe``: perform the boot path ``paths`` predicts for one image, and time it."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from imageyard.cli.options import HUMAN, output_option, write_output
from imageyard.errors import ExitCode, UsageError
from imageyard.files import check_output
from imageyard.model.snapshot import read_inventory
from imageyard.simulate.probe import decide
from imageyard.simulate.probe.render import FORMATS
from imageyard.simulate.probe.run import ProbeTarget, probe


@click.group("probe")
def group() -> None:
    """Make a disk from an image the way Nova or Cinder would, under a scratch name, timed."""


def _common(func: Any) -> Any:
    options = [
        click.argument("image"),
        click.option(
            "--inventory",
            required=True,
            type=click.Path(dir_okay=False),
            metavar="SNAPSHOT",
            help="The snapshot 'imageyard collect' wrote "
            "(with this consumer's config): the path is decided from it.",
        ),
        click.option(
            "--ceph-conf",
            metavar="FILE",
            help="The consumer's ceph.conf  [default: the one its config names]",
        ),
        click.option(
            "--id",
            "user",
            metavar="USER",
            help="The cephx user  [default: the one its config names]",
        ),
        click.option(
            "--glance-endpoint",
            metavar="URL",
            default=None,
            help="Glance API for downloads and copy-image  [default: $OS_IMAGE_URL]",
        ),
        click.option(
            "--allow-copy-image",
            is_flag=True,
            help="Run the copy-image of the copy-to-store path (adds a location in "
            "Glance, as the boot would).",
        ),
        click.option(
            "-f",
            "--format",
            "fmt",
            type=click.Choice(list(FORMATS)),
            default="table",
            show_default=True,
        ),
        output_option("the result"),
        click.option("--hold-after", hidden=True, default=None),
    ]
    for option in reversed(options):
        func = option(func)
    return func


@group.command("boot")
@click.option(
    "--nova-conf",
    required=True,
    metavar="FILE",
    help="The compute group's nova.conf, as collected into the snapshot.",
)
@_common
def boot_command(nova_conf: str, **kwargs: Any) -> int:
    """Boot IMAGE's disk as the compute of --nova-conf would: clone; copy-image then clone;
    or download, convert and rbd import. Times each step; removes the scratch disk.

    Read-only towards Glance unless --allow-copy-image. Exit 130 when interrupted (the
    scratch disk and files are removed first).
    """
    return _probe("nova", nova_conf, None, **kwargs)


@group.command("volume")
@click.option(
    "--cinder-conf",
    required=True,
    metavar="FILE",
    help="The cinder.conf, as collected into the snapshot.",
)
@click.option("--backend", metavar="SECTION", help="Its RBD backend (when it has several).")
@_common
def volume_command(cinder_conf: str, backend: str | None, **kwargs: Any) -> int:
    """Create a volume from IMAGE as the Cinder RBD backend would: clone, or download,
    convert and rbd import. Times each step; removes the scratch volume.

    Exit 130 when interrupted (the scratch volume and files are removed first).
    """
    return _probe("cinder", cinder_conf, backend, **kwargs)


def _probe(
    kind: str,
    conf: str,
    backend: str | None,
    *,
    image: str,
    inventory: str,
    ceph_conf: str | None,
    user: str | None,
    glance_endpoint: str | None,
    allow_copy_image: bool,
    fmt: str,
    out: str,
    hold_after: str | None,
) -> int:
    check_output(out, "result", (inventory, conf))
    inv = read_inventory(Path(inventory))
    consumer = decide.find_consumer(inv, kind, conf, backend)
    found = decide.find_image(inv, image)
    verdict = decide.predict(inv, found, consumer)
    endpoint = glance_endpoint or os.environ.get("OS_IMAGE_URL")
    if not endpoint:
        raise UsageError("give --glance-endpoint (or set OS_IMAGE_URL)")
    target = ProbeTarget(
        ceph_conf=ceph_conf or consumer.ceph_conf,
        user=user or consumer.user,
        pool=consumer.pool,
        glance_endpoint=endpoint,
        token=os.environ.get("OS_AUTH_TOKEN") or None,
        allow_copy=allow_copy_image,
        hold_after=hold_after,
    )
    result = probe(found, consumer, verdict, target)
    write_output(FORMATS[fmt](result), out, "result", (inventory,), human=fmt in HUMAN)
    return int(ExitCode.OK)
