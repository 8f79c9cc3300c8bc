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

import contextlib
import json
import os
import re
import stat
import tempfile
from dataclasses import replace
from pathlib import Path

from imageyard.errors import ImageyardError, SnapshotError
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
    try:
        size = os.stat(name).st_size
        if size > MAX_SNAPSHOT_BYTES:
            raise SnapshotError(f"{name}: {size} bytes is larger than the 1 GiB snapshot limit")
        data = Path(name).read_bytes()
    except FileNotFoundError:
        raise SnapshotError(f"{name}: no such file") from None
    except IsADirectoryError:
        raise SnapshotError(f"{name}: is a directory, not a snapshot file") from None
    except OSError as exc:
        raise SnapshotError(f"{name}: cannot read: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise SnapshotError(f"{name}: {_NOT_SNAPSHOT} (not UTF-8 text)") from None
    return load_inventory(text, origin=name)


def write_inventory(inv: Inventory, path: str | os.PathLike[str]) -> None:
    """Write a snapshot atomically: a temp file in the same directory, then ``os.replace``."""
    name = os.fspath(path)
    text = dump_inventory(inv)
    directory = os.path.dirname(os.path.abspath(name))
    try:
        fd, tmp = tempfile.mkstemp(prefix=".inventory-", suffix=".tmp", dir=directory)
    except OSError as exc:
        raise ImageyardError(f"{name}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            os.fchmod(handle.fileno(), _mode_for(name))
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, name)
    except OSError as exc:
        _remove_quietly(tmp)
        raise ImageyardError(f"{name}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        _remove_quietly(tmp)
        raise


def _mode_for(name: str) -> int:
    """Keep an existing file's permissions; a new snapshot is 0644 (mkstemp makes 0600)."""
    try:
        return stat.S_IMODE(os.stat(name).st_mode)
    except OSError:
        return 0o644


def _remove_quietly(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)
