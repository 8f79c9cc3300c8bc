"""A file store's datadir, listed on the collecting host.

Concepts: glance_store's file driver writes each image as ``<datadir>/<image_id>``, directly in
the datadir (``filesystem_store_datadir``, or each path of ``filesystem_store_datadirs``,
written ``path[:priority]``). Only that level is listed: a sub-directory or any other entry
is foreign. The datadir must be readable where ``collect`` runs (the glance-api host, or a
mount of the same share); when it is not, that datadir's listing is incomplete with the
cause.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from imageyard.collect.backends.listing import ListingError, iso_utc
from imageyard.model.objects import StoredObject


def datadirs(single: str | None, multiple: list[str]) -> tuple[str, ...]:
    """The datadirs a file store writes to: each ``path[:priority]`` of the multi-valued
    option when set, else the single one (glance_store refuses both at once)."""
    paths = [entry.rsplit(":", 1)[0].strip() if _has_priority(entry) else entry.strip()
             for entry in multiple]  # fmt: skip
    found = tuple(dict.fromkeys(p for p in paths if p))
    return found or ((single,) if single else ())


def _has_priority(entry: str) -> bool:
    head, sep, tail = entry.rpartition(":")
    return bool(sep and head and (not tail.strip() or tail.strip().lstrip("-").isdigit()))


def list_datadir(path: str) -> Iterator[StoredObject]:
    """Every entry directly in ``path``; raises ListingError when it cannot be read."""
    try:
        with os.scandir(path) as entries:
            for entry in entries:
                yield _entry(entry)
    except OSError as exc:
        raise ListingError(f"{path}: {exc.strerror or type(exc).__name__}") from None


def _entry(entry: os.DirEntry[str]) -> StoredObject:
    try:
        stat = entry.stat(follow_symlinks=False)
    except OSError:
        return StoredObject(entry.name)
    size = stat.st_size if entry.is_file(follow_symlinks=False) else None
    return StoredObject(entry.name, size=size, modified=iso_utc(stat.st_mtime))
