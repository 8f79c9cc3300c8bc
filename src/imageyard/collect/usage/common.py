"""What the Nova and Cinder collectors share: fields, gaps, and adding their part.

Concepts: both collectors page over one admin listing (``all_tenants=1``) and convert each
entry at once. Their result is complete only when every page was read, every entry had an
id, and the answer came with the admin-only attributes (``OS-EXT-SRV-ATTR:host``,
``os-vol-host-attr:host``). Without those the caller is not an admin, and Cinder then
silently lists only the caller's own project, so the listing cannot be trusted as the
whole cloud: that is recorded as a gap, never passed off as complete.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from imageyard.collect.base import Progress
from imageyard.collect.openstack.http import JsonHttp
from imageyard.collect.usage.paging import Listing, Walk, walk
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.inventory import Inventory

Entry = Mapping[str, Any]


def text(entry: Entry, key: str) -> str | None:
    """``entry[key]`` when it is a non-empty string, else None."""
    value = entry.get(key)
    return value if isinstance(value, str) and value else None


def integer(entry: Entry, key: str) -> int:
    """``entry[key]`` as an int (0 when absent or not a number)."""
    value = entry.get(key)
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return value
    try:
        return int(str(value))
    except ValueError:
        return 0


def flag(entry: Entry, key: str) -> bool:
    """``entry[key]`` as a bool; Cinder sends ``"true"`` / ``"false"`` strings."""
    value = entry.get(key)
    if isinstance(value, str):
        return value.strip().lower() in ("true", "1", "yes")
    return bool(value)


@dataclass(frozen=True)
class Run:
    """One listing walked and checked: its entries and the gaps found."""

    listing: Listing
    walk: Walk
    gaps: tuple[Gap, ...]

    @property
    def entries(self) -> tuple[Entry, ...]:
        """The entries read, without repeats."""
        return self.walk.entries


def admin_gap(source: str, scope: str, entries: Sequence[Entry], admin_key: str) -> Gap | None:
    """A gap when entries came back without the admin-only ``admin_key``."""
    if not entries or any(admin_key in e for e in entries):
        return None
    return Gap(
        source,
        scope,
        f"responses lack {admin_key}: the credentials are not admin, so the listing may "
        "hold only the caller's project and hosts are unknown",
    )


def run_listing(
    http: JsonHttp,
    listing: Listing,
    progress: Progress,
    admin_key: str,
) -> Run:
    """Walk ``listing`` with progress, then gather its gaps."""
    progress.start(listing.source)
    result = walk(http, listing, lambda n: progress.advance(listing.source, n))
    gaps: list[Gap] = []
    if result.gap is not None:
        gaps.append(result.gap)
    if result.skipped:
        message = f"{result.skipped} entries without an id were skipped"
        gaps.append(Gap(listing.source, listing.key, message))
    admin = admin_gap(listing.source, listing.key, result.entries, admin_key)
    if admin is not None:
        gaps.append(admin)
    return Run(listing, result, tuple(gaps))


def finish(
    inventory: Inventory,
    progress: Progress,
    run: Run,
    count: int,
    add: Callable[[Inventory], Inventory],
) -> Inventory:
    """Record the status and gaps of ``run`` and add the converted records via ``add``."""
    source = run.listing.source
    status = SourceStatus(
        source=source,
        complete=not run.gaps,
        items=count,
        detail=f"{count} {run.listing.key}, {run.walk.pages} pages",
    )
    progress.done(source, status)
    updated = add(inventory)
    return replace(
        updated,
        sources=(*updated.sources, status),
        gaps=updated.gaps + run.gaps,
    )
