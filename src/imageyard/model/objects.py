"""What the backends of Glance's file, Swift and S3 stores hold, object by object.

Concepts: a ``StoreListing`` is one listing of one Glance store's backend: a file store's
datadir (one listing per datadir), a Swift container (one listing per container when the
store spreads images over several) or an S3 bucket. Each ``StoredObject`` is one file or
object in it, named relative to the datadir, or by its object key. ``complete`` False means
the listing failed or was cut short: its objects are then "unknown", never "absent", and
``error`` says why in one line (no secrets). ``foreign`` counts entries not shaped like
Glance's own names (a Glance image id, or an id-prefixed chunk of a segmented object):
another user of the same directory, container or bucket. Sizes are bytes; times are ISO 8601
UTC.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoredObject:
    """One file in a file store's datadir, or one object in a Swift container or S3 bucket."""

    name: str  # file name relative to the datadir, or object key
    size: int | None = None  # bytes
    modified: str | None = None  # ISO 8601 UTC


@dataclass(frozen=True)
class StoreListing:
    """What one Glance store's backend holds (one datadir, container or bucket)."""

    store: str  # the Glance store id (multi-store) or the store type (single store)
    kind: str  # "file" | "swift" | "s3"
    where: str  # datadir path, container or bucket name
    objects: tuple[StoredObject, ...] = ()
    complete: bool = True  # False: listing failed or was cut; objects mean "unknown"
    error: str | None = None  # one line, no secrets
    foreign: int = 0  # entries not shaped like Glance's own names
