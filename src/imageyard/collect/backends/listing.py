"""Building one ``StoreListing`` from pages of names, bounded, with foreign names counted.

Concepts: every lister yields ``StoredObject`` records page by page; ``gather`` keeps at most
``limit`` of them (a listing cut there is incomplete, never "everything"), counts the names
not shaped like Glance's own, and turns a failure part-way into ``complete=False`` with the
one-line error, keeping nothing of what came before: a partial listing means "unknown".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from imageyard.collect.backends.naming import is_glance_name
from imageyard.model.objects import StoredObject, StoreListing

DEFAULT_LIMIT = 1_000_000
"""Objects kept per listing; a backend holding more is reported as cut (incomplete)."""


class ListingError(Exception):
    """A backend could not be listed; the message is one line without secrets."""


@dataclass(frozen=True)
class Target:
    """What one listing reads: the Glance store, its kind and where its data lives."""

    store: str
    kind: str
    where: str

    def failed(self, error: str) -> StoreListing:
        """An incomplete listing carrying ``error``."""
        return StoreListing(self.store, self.kind, self.where, complete=False, error=error)


def gather(target: Target, objects: Iterable[StoredObject], limit: int) -> StoreListing:
    """The listing of ``objects`` (read lazily), cut at ``limit``; failures become data."""
    kept: list[StoredObject] = []
    try:
        for obj in objects:
            if len(kept) >= limit:
                return target.failed(f"cut at {limit} objects (raise --backend-limit)")
            kept.append(obj)
    except ListingError as exc:
        return target.failed(str(exc))
    foreign = sum(1 for o in kept if not is_glance_name(target.kind, o.name))
    return StoreListing(target.store, target.kind, target.where, tuple(kept), foreign=foreign)


def iso_utc(stamp: datetime | float | None) -> str | None:
    """A datetime (naive means UTC) or POSIX time as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if stamp is None:
        return None
    if isinstance(stamp, int | float):
        stamp = datetime.fromtimestamp(stamp, UTC)
    aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
