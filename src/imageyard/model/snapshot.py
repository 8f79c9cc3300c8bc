"""Inventory snapshots: the versioned JSON file every offline stage reads.

Concepts: ``dump_inventory`` writes deterministic JSON (sorted keys, fixed indent), so two
equal inventories give byte-identical files. ``load_inventory`` checks ``schema_version``
before anything else: another major version is refused with a one-line message, a newer
minor is read (unknown keys ignored) and labelled with this version's schema, since that is
all the result holds. Every problem with the input is a ``SnapshotError`` naming the file
and, for schema problems, the path inside the document. This is the only module in
``model`` that touches the filesystem.

A snapshot is written in chunks (``dump_chunks``: the document around the image list, then
one image at a time), byte for byte what ``dump_inventory`` gives, so a catalog of 100,000
images is never one encoded tree or one string. A path ending in ``.gz`` is written
gzip-compressed; reading recognises gzip by its magic bytes, whatever the name.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace

from imageyard import gcpause
from imageyard.errors import ImageyardError, SnapshotError
from imageyard.files import decode_text, read_bytes, write_text
from imageyard.model.codec import DecodeError, decode, dumps, encode
from imageyard.model.inventory import SCHEMA_MAJOR, SCHEMA_VERSION, Inventory

MAX_SNAPSHOT_BYTES = 1 << 30
MAX_PROBLEMS = 20  # repetitions named in one error line
_VERSION = re.compile(r"(\d{1,6})\.(\d{1,6})")
_NOT_SNAPSHOT = "not a JSON inventory snapshot"


def dump_inventory(inv: Inventory) -> str:
    """The snapshot text of ``inv``."""
    return dumps(inv)


_IMAGES_EMPTY = '\n  "images": [],\n'
_INDENT = "\n    "


def _image_text(image: object) -> str:
    text = json.dumps(encode(image), sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False)
    return "    " + text.replace("\n", _INDENT)


def dump_chunks(inv: Inventory) -> Iterator[str]:
    """``dump_inventory(inv)`` in pieces: the images are encoded one at a time."""
    if not inv.images:
        yield dumps(inv)
        return
    head, found, tail = dumps(replace(inv, images=())).partition(_IMAGES_EMPTY)
    if not found:  # NOTE: "images" is never the last key, so this is only a safety net
        yield dumps(inv)
        return
    yield head + '\n  "images": [\n'
    last = len(inv.images) - 1
    for n, image in enumerate(inv.images):
        yield _image_text(image) + (",\n" if n < last else "\n")
    yield "  ],\n" + tail


def load_inventory(text: str, *, origin: str) -> Inventory:
    """Parse snapshot text; ``origin`` (a path or ``<stdin>``) prefixes every error."""
    with gcpause.paused():
        return _from_document(_parse_json(text, origin), origin)


def _from_document(document: dict[str, object], origin: str) -> Inventory:
    """The inventory a parsed snapshot document describes (call it with the cyclic collector
    paused: ``gcpause``)."""
    _check_version(document, origin)
    try:
        inv = decode(Inventory, document)
    except DecodeError as exc:
        raise SnapshotError(f"{origin}: {exc.message}") from None
    _check_consistency(inv, origin)
    inv = replace(inv, schema_version=SCHEMA_VERSION)
    gcpause.keep()
    return inv


def _check_consistency(inv: Inventory, origin: str) -> None:
    """What the types allow but a collection never writes: an image or store twice (every
    repetition named, at most ``MAX_PROBLEMS`` of them, on one line)."""
    problems: list[str] = []
    seen: dict[str, int] = {}
    for index, image in enumerate(inv.images):
        first = seen.setdefault(image.id, index)
        if first != index:
            problems.append(f"images[{index}].id {image.id!r} repeats images[{first}].id")
    stores: dict[tuple[str, str], int] = {}
    for index, store in enumerate(inv.stores):
        first = stores.setdefault((store.id, store.source.value), index)
        if first != index:
            problems.append(
                f"stores[{index}] repeats stores[{first}] "
                f"(id {store.id!r} from {store.source.value})"
            )
    if problems:
        more = len(problems) - MAX_PROBLEMS
        shown = problems[:MAX_PROBLEMS] + ([f"and {more} more"] if more > 0 else [])
        raise SnapshotError(f"{origin}: {'; '.join(shown)}")


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
    """Read and parse a snapshot file (gzip or not); every failure is a one-line SnapshotError."""
    name = os.fspath(path)
    data = read_bytes(name, "snapshot", MAX_SNAPSHOT_BYTES, SnapshotError)
    if data.startswith(_GZIP_MAGIC):
        data = _gunzip(name, data)
    # NOTE: the file's bytes and text are dropped as soon as they are parsed, so the peak
    # memory of a large snapshot is its document plus its inventory, not two copies more
    text = decode_text(name, data, "snapshot", SnapshotError)
    del data
    with gcpause.paused():
        document = _parse_json(text, name)
        del text
        return _from_document(document, name)


_GZIP_MAGIC = b"\x1f\x8b"


def _gunzip(name: str, data: bytes) -> bytes:
    """The content of a gzip snapshot, refused past the snapshot size limit."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        out = inflate.decompress(data, MAX_SNAPSHOT_BYTES + 1)
    except zlib.error as exc:
        raise SnapshotError(f"{name}: a damaged gzip snapshot ({exc})") from None
    if len(out) > MAX_SNAPSHOT_BYTES:
        raise SnapshotError(f"{name}: the snapshot is larger than the 1 GiB limit uncompressed")
    if not inflate.eof:
        raise SnapshotError(f"{name}: a truncated gzip snapshot")
    return out


def write_inventory(
    inv: Inventory,
    path: str | os.PathLike[str],
    inputs: Iterable[str | os.PathLike[str] | None] = (),
) -> None:
    """Write a snapshot (``-``: stdout): atomically for a regular file, else through it.

    Written in chunks, gzip-compressed when the name ends in ``.gz``. A snapshot larger
    than ``read_inventory`` accepts is refused rather than written (for a regular file,
    nothing is left behind).
    """
    name = os.fspath(path)
    write_text(_capped(dump_chunks(inv), name), name, "snapshot", inputs,
               compress=name != "-" and name.endswith(".gz"))  # fmt: skip


def _capped(chunks: Iterator[str], name: str) -> Iterator[str]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_SNAPSHOT_BYTES:
            raise ImageyardError(
                f"{name}: the snapshot would be more than the {MAX_SNAPSHOT_BYTES >> 30} GiB "
                "a snapshot may have; collect fewer sources or pools"
            )
        yield chunk
