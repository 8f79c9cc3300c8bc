"""Human summaries on stderr (data goes to stdout or files, never mixed with these)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from imageyard.model.inventory import Inventory


def print_collect_summary(inventory: Inventory, out: str) -> None:
    """What a collection run found, what it could not see, and where the snapshot went."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    if not console.is_terminal:
        console.width = max(console.width, 160)
    config = inventory.config
    console.print(f"read {len(config.files)} configuration files:")
    for f in config.files:
        console.print(f"  {f.kind:<20} {f.path}")
    if inventory.stores:
        table = Table(title="stores", title_justify="left", box=None, pad_edge=False)
        for col in ("id", "type", "weight", "default", "where"):
            table.add_column(col)
        for s in inventory.stores:
            where = s.rbd_pool and f"pool {s.rbd_pool} fsid {s.rbd_fsid or '?'}"
            where = where or s.file_data_dir or s.s3_bucket or s.swift_container or ""
            weight = "" if s.weight is None else str(s.weight)
            table.add_row(s.id, s.type.value, weight, "yes" if s.is_default else "", where)
        console.print(table)
    for ceph in config.ceph:
        fsid = ceph.fsid.value if ceph.fsid is not None else "?"
        console.print(f"ceph cluster {ceph.cluster}: fsid {fsid} ({ceph.path})")
    for warning in config.warnings:
        console.print(f"[yellow]warning[/]: {warning}")
    for gap in inventory.gaps:
        console.print(f"[red]gap[/] {gap.source}: {gap.scope}: {gap.error}")
    status = ", ".join(
        f"{s.source} {'complete' if s.complete else 'INCOMPLETE'}" for s in inventory.sources
    )
    console.print(f"snapshot: {'stdout' if out == '-' else out} ({status})")
