"""Human summaries: on stderr after a collection, or as ``show``'s own result on stdout.

Every value drawn from the snapshot (store ids and places, owners, pools, file paths, a
gap's error, a source's detail) goes through ``_text``: its control characters shown
(``terminal.one_line``), and its brackets escaped, so that rich neither obeys nor parses it
(an owner such as ``[/x]`` would otherwise be read as a closing tag and end the command).
"""

from __future__ import annotations

import io

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from imageyard.cli.outcome import grouped_gaps
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store
from imageyard.model.tally import ImageTally
from imageyard.terminal import one_line


def _text(value: object) -> str:
    """A value from the snapshot as rich markup that prints it as it is, controls shown."""
    return escape(one_line(str(value)))


def _console() -> Console:
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    return console


def _where(store: Store) -> str:
    if store.rbd_pool:
        return f"pool {store.rbd_pool} fsid {store.rbd_fsid or '?'}"
    return store.file_data_dir or store.s3_bucket or store.swift_container or ""


def _stores_table(inventory: Inventory) -> Table:
    table = Table(title="stores", title_justify="left", box=None, pad_edge=False)
    for col in ("id", "type", "weight", "default", "from", "where"):
        table.add_column(col)
    for s in inventory.stores:
        weight = "" if s.weight is None else str(s.weight)
        default = "yes" if s.is_default else ""
        cells = (s.id, s.type.value, weight, default, s.source.value, _where(s))
        table.add_row(*map(_text, cells))
    return table


def _images_line(tally: ImageTally) -> str:
    fmt = ", ".join(f"{n} {_text(f)}" for f, n in tally.formats.most_common())
    st = ", ".join(f"{n} {_text(s)}" for s, n in tally.statuses.most_common())
    return f"images: {tally.count} ({fmt}; {st})"


def _projects_line(inventory: Inventory, tally: ImageTally) -> str | None:
    """How many projects Keystone has, and the images whose owner project is gone."""
    owners = inventory.deleted_owners(tally.owners)
    if owners is None:
        return None
    orphans = sum(tally.owners[owner] for owner in owners)
    names = [_text(owner) for owner in sorted(owners)]
    more = ", ..." if len(names) > 5 else ""
    gone = f" ({', '.join(names[:5])}{more})" if owners else ""
    return (
        f"projects: {len(inventory.projects)}; images of deleted projects: {orphans}"
        f" from {len(owners)} owners{gone}"
    )


def print_collect_summary(inventory: Inventory, out: str | None) -> None:
    """What a collection run found, what it could not see, and where the snapshot goes."""
    console = _console()
    _summarise(console, inventory, ImageTally.of(inventory.images))
    if out is not None:
        console.print(f"snapshot: {'stdout' if out == '-' else _text(out)}")


def collect_summary(inventory: Inventory, path: str, tally: ImageTally | None = None) -> str:
    """The same summary as plain text (``imageyard show`` prints it as its result);
    ``tally``: that of the images when the inventory holds none (``read_tallied``)."""
    console = Console(file=io.StringIO(), width=160, no_color=True, highlight=False)
    console.soft_wrap = True
    _summarise(console, inventory, tally or ImageTally.of(inventory.images))
    console.print(f"snapshot: {_text(path)}")
    assert isinstance(console.file, io.StringIO)
    return console.file.getvalue()


def _summarise(console: Console, inventory: Inventory, tally: ImageTally) -> None:
    config = inventory.config
    if config.files:
        console.print(f"read {len(config.files)} configuration files:")
        for f in config.files:
            console.print(f"  {f.kind:<20} {_text(f.path)}")
    if inventory.stores:
        console.print(_stores_table(inventory))
    for ceph in config.ceph:
        fsid = ceph.fsid.value if ceph.fsid is not None else "?"
        console.print(_text(f"ceph.conf {ceph.cluster}: fsid {fsid} ({ceph.path})"))
    if tally.count:
        console.print(_images_line(tally))
    projects = _projects_line(inventory, tally)
    if projects is not None:
        console.print(projects)
    for cluster in inventory.ceph_clusters:
        pools = ", ".join(f"{_text(p.name)} ({len(p.images)} images)" for p in cluster.pools)
        console.print(f"ceph cluster {_text(cluster.fsid)}: {pools}")
    for warning in config.warnings:
        console.print(f"[yellow]warning[/]: {_text(warning)}")
    for group in grouped_gaps(inventory.gaps):
        console.print(f"[red]gap[/] {_text(group.line())}")
    console.print("sources:")
    for s in inventory.sources:
        state = "complete" if s.complete else "[red]INCOMPLETE[/]"
        console.print(f"  {_text(s.source):<8} {state:<10} {_text(s.detail)}")
