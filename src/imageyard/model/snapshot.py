"""Inventory snapshots: the versioned JSON file every offline stage reads.

Concepts: ``dump_inventory`` writes deterministic JSON (sorted keys, fixed indent), so two
equal inventories give byte-identical files. ``load_inventory`` checks ``schema_version``
before anything else: another major version is refused with a one-line message, a newer
minor is read (unknown keys ignored) and labelled with this version's schema, since that is
all the result holds. Every problem with the input is a ``SnapshotError`` naming the file
and, for schema problems, the path inside the document. This is the only module in
``model`` that touches the filesystem.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import replace

from imageyard.errors import ImageyardError, SnapshotError
from imageyard.files import read_text, write_text
from imageyard.model.codec import DecodeError, decode, dumps
from imageyard.model.inventory import SCHEMA_MAJOR, SCHEMA_VERSION, Inventory

MAX_SNAPSHOT_BYTES = 1 << 30
_VERSION = re.compile(r"(\d{1,6})\.(\d{1,6})")
_NOT_SNAPSHOT = "not a JSON inventory snapshot"


def dump_inventory(inv: Inventory) -> str:
    """The snapshot text of ``inv``."""
    return dumps(inv)


def load_inventory(text: str, *, origin: str) -> Inventory:
    """Parse snapshot text; ``origin`` (a path or ``<stdin>``) prefixes every error."""
    document = _parse_json(text, origin)
    _check_version(document, origin)
    try:
        inv = decode(Inventory, document)
    except DecodeError as exc:
        raise SnapshotError(f"{origin}: {exc.message}") from None
    return replace(inv, schema_version=SCHEMA_VERSION)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


def _parse_json(text: str, origin: str) -> dict[str, object]:
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        reason = exc.args[0] if isinstance(exc, ValueError) and exc.args else "nested too deeply"
        raise SnapshotError(f"{origin}: {_NOT_SNAPSHOT} ({reason})") from None
    if not isinstance(document, dict):
        raise SnapshotError(f"{origin}: {_NOT_SNAPSHOT} (top level is not an object)")
    return document


def _check_version(document: dict[str, object], origin: str) -> None:
    version = document.get("schema_version")
    if version is None:
        raise SnapshotError(f"{origin}: {_NOT_SNAPSHOT} (no schema_version)")
    match = _VERSION.fullmatch(version) if isinstance(version, str) else None
    if match is None:
        raise SnapshotError(f"{origin}: schema_version {version!r} is not MAJOR.MINOR")
    major = int(match.group(1))
    understood = f"{SCHEMA_MAJOR}.x"
    if major > SCHEMA_MAJOR:
        raise SnapshotError(
            f"{origin}: schema version {version} is newer than this imageyard understands "
            f"({understood}); upgrade imageyard"
        )
    if major < SCHEMA_MAJOR:
        raise SnapshotError(
            f"{origin}: schema version {version} is older than this imageyard reads "
            f"({understood}); collect a new snapshot"
        )


def read_inventory(path: str | os.PathLike[str]) -> Inventory:
    """Read and parse a snapshot file; every failure is a one-line SnapshotError."""
    name = os.fspath(path)
    text = read_text(name, "snapshot", MAX_SNAPSHOT_BYTES, SnapshotError)
    return load_inventory(text, origin=name)


def write_inventory(
    inv: Inventory,
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a snapshot (``-``: stdout): atomically for a regular file, else through it.

    A snapshot larger than ``read_inventory`` accepts is refused rather than written.
    """
    text = dump_inventory(inv)
    if len(text) > MAX_SNAPSHOT_BYTES:
        raise ImageyardError(
            f"{os.fspath(path)}: the snapshot would be {len(text)} bytes, more than the "
            f"{MAX_SNAPSHOT_BYTES >> 30} GiB a snapshot may have; collect fewer sources or pools"
        )
    write_text(text, os.fspath(path), "snapshot", inputs)
