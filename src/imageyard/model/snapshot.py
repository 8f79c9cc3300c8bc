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
gzip-compressed, one ending in ``.zst`` Zstandard-compressed. Reading recognises either by
its magic bytes, whatever the name, and is a stream too (``model.jsonstream``): the text is
parsed a chunk at a time and every list of records (images, servers, volumes ...) decoded
one record at a time, so the peak memory is the inventory plus one chunk, never the
document. A version error is still reported before any record's, and of several bad
fields the first in the schema's field order, as a whole-document decode would.

A snapshot in the layout ``dump_chunks`` writes is first read the fast way
(``model.fastread``: msgspec decodes batches of records straight into the dataclasses);
anything that read is not sure of is read again as above, which is the reference for
both the inventory and the errors.
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import gzip
import io
import json
import operator
import os
import re
import typing
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from typing import IO, cast

import msgspec
import zstandard

from imageyard import gcpause
from imageyard.errors import ImageyardError, SnapshotError
from imageyard.files import limit_text, open_input, write_text
from imageyard.model.codec import DecodeError, decode, dumps, encode
from imageyard.model.fastread import NotFast, read_fast
from imageyard.model.inventory import SCHEMA_MAJOR, SCHEMA_VERSION, Inventory
from imageyard.model.jsonstream import JsonStream
from imageyard.model.tally import ImageTally

MAX_SNAPSHOT_BYTES = 8 << 30
MAX_PROBLEMS = 20  # repetitions named in one error line
_VERSION = re.compile(r"(\d{1,6})\.(\d{1,6})")
_NOT_SNAPSHOT = "not a JSON inventory snapshot"
_NOT_UTF8 = "not UTF-8 text; the snapshot must be UTF-8"
_ID = operator.attrgetter("id")


def dump_inventory(inv: Inventory) -> str:
    """The snapshot text of ``inv``."""
    return dumps(inv)


_IMAGES_EMPTY = '\n  "images": [],\n'
_INDENT = "\n    "


# NOTE: the images are most of a snapshot's text, and the standard library's indenting
# encoder is pure Python (65 us an image); msgspec writes the same text in a sixth of that.
# Byte for byte the same: sorted keys, two-space indent, the same escapes, except that
# msgspec leaves DEL and non-ASCII characters as they are, which are escaped afterwards as
# ``ensure_ascii`` does. Safe only because an Image holds no float (test_model_snapshot).
_SORTED = msgspec.json.Encoder(order="sorted")
_UNESCAPED = re.compile("[^\x00-\x7e]")


def _escape(match: re.Match[str]) -> str:
    """``json.dumps``'s ``ensure_ascii`` escape of one character (a surrogate pair above
    U+FFFF)."""
    code = ord(match.group())
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 | (code >> 10):04x}\\u{0xDC00 | (code & 0x3FF):04x}"


def _image_text(image: object) -> str:
    """One image as the document holds it: ``dumps(image)``'s text, indented one level."""
    try:
        text = msgspec.json.format(_SORTED.encode(image), indent=2).decode()
    except UnicodeEncodeError:  # a lone surrogate, which JSON can only hold escaped
        text = json.dumps(encode(image), sort_keys=True, indent=2, allow_nan=False)
    if not text.isascii() or "\x7f" in text:
        text = _UNESCAPED.sub(_escape, text)
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
        try:
            return _checked(read_fast(io.BytesIO(text.encode()), _LISTS), origin)
        except (NotFast, UnicodeEncodeError):
            pass
        return _streamed(iter((text.removeprefix("\ufeff"),)), origin)


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not valid JSON")


_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _streamed(chunks: Iterator[str], origin: str) -> Inventory:
    """The inventory a snapshot's text describes, its image list (and every other list of
    records) decoded one record at a time (call it with the cyclic collector paused:
    ``gcpause``)."""
    stream = JsonStream(chunks, _JSON)
    parts = _Parts()
    try:
        if stream.peek_kind() != "{":
            stream.value()
            stream.end()
            raise SnapshotError(f"{origin}: {_NOT_SNAPSHOT} (top level is not an object)")
        for key in stream.members():
            parts.take(key, stream)
        stream.end()
    except (ValueError, RecursionError) as exc:
        reason = exc.args[0] if isinstance(exc, ValueError) and exc.args else "nested too deeply"
        raise SnapshotError(f"{origin}: {_NOT_SNAPSHOT} ({reason})") from None
    return _inventory(parts, origin)


# NOTE: the lists of records in an inventory (images, servers, volumes, stores ...) are
# decoded element by element as they are parsed; the rest of the document is small.
_FIELDS = {f.name: n for n, f in enumerate(dataclasses.fields(Inventory))}
_LISTS = {
    name: args[0]
    for name, tp in typing.get_type_hints(Inventory).items()
    if typing.get_origin(tp) is tuple and len(args := typing.get_args(tp)) == 2
}


class _Parts:
    """What a snapshot's text gave so far: the small members as parsed, the lists of
    records decoded, and the first decode error of each list."""

    def __init__(self) -> None:
        self.rest: dict[str, object] = {}
        self.lists: dict[str, tuple[object, ...]] = {}
        self.errors: dict[str, DecodeError] = {}

    def take(self, key: str, stream: JsonStream) -> None:
        if key not in _LISTS or stream.peek_kind() != "[":
            self.rest[key] = stream.value()
            self.lists.pop(key, None)
            self.errors.pop(key, None)
            return
        self.rest.pop(key, None)
        self.errors.pop(key, None)
        self.lists[key] = tuple(self._decoded(key, stream))

    def _decoded(self, key: str, stream: JsonStream) -> Iterator[object]:
        kind = _LISTS[key]
        for index, item in enumerate(stream.items()):
            if key in self.errors:
                continue  # NOTE: parsed to the end all the same: a version error comes first
            try:
                yield decode(kind, item)
            except DecodeError as exc:
                self.errors[key] = _within(f"{key}[{index}]", exc)


def _within(step: str, exc: DecodeError) -> DecodeError:
    """``exc`` of one list element, its path prefixed with the element's place."""
    path = exc.path if not exc.path or exc.path.startswith("[") else f".{exc.path}"
    return DecodeError(step + path, exc.reason)


def _first_field(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def _inventory(parts: _Parts, origin: str) -> Inventory:
    """The inventory from its parts: version first, then the first error in field order."""
    _check_version(parts.rest, origin)
    errors = list(parts.errors.values())
    try:
        inv = decode(Inventory, parts.rest)
    except DecodeError as exc:
        errors.append(exc)
    if errors:
        first = min(errors, key=lambda e: _FIELDS.get(_first_field(e.path), -1))
        raise SnapshotError(f"{origin}: {first.message}")
    return _checked(replace(inv, **parts.lists), origin)  # type: ignore[arg-type]


def _checked(inv: Inventory, origin: str, image_ids: Iterable[str] | None = None) -> Inventory:
    """``inv`` as decoded, its version checked and labelled with this version's schema
    (``image_ids``: those of its images when they are not in it)."""
    _check_version({"schema_version": inv.schema_version}, origin)
    inv = replace(inv, schema_version=SCHEMA_VERSION)
    ids = map(_ID, inv.images) if image_ids is None else image_ids
    _check_consistency(inv, ids, origin)
    gcpause.keep()
    return inv


def _check_consistency(inv: Inventory, image_ids: Iterable[str], origin: str) -> None:
    """What the types allow but a collection never writes: an image or store twice (every
    repetition named, at most ``MAX_PROBLEMS`` of them, on one line)."""
    problems: list[str] = []
    ids = list(image_ids)
    # NOTE: the common case is checked in C; a dict's peak is lower than a set's (it grows
    # by larger steps: at 1,000,000 ids 44 MiB against 48)
    if len(dict.fromkeys(ids)) != len(ids):
        problems += _repeated_ids(ids)
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


def _repeated_ids(ids: list[str]) -> Iterator[str]:
    seen: dict[str, int] = {}
    for index, image_id in enumerate(ids):
        first = seen.setdefault(image_id, index)
        if first != index:
            yield f"images[{index}].id {image_id!r} repeats images[{first}].id"


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
    """Read and parse a snapshot file (plain, gzip or Zstandard, recognised by content) as a
    stream: the file's text is never whole in memory; every failure is a one-line
    SnapshotError."""
    name = os.fspath(path)
    with (
        open_input(name, "snapshot", MAX_SNAPSHOT_BYTES, SnapshotError) as handle,
        gcpause.paused(),
    ):
        try:
            return _checked(read_fast(_Unpacked(name, handle), _LISTS), name)
        except NotFast:
            handle.seek(0)
        return _streamed(_text_chunks(name, _unpacked(name, handle)), name)


def read_tallied(path: str | os.PathLike[str]) -> tuple[Inventory, ImageTally]:
    """The snapshot at ``path`` as ``read_inventory`` reads it (the same checks, the same
    errors), but its images only tallied (``model.tally``): the inventory has none.

    For a summary: the images are checked and counted a batch at a time and never built,
    so this is several times faster than the full read, and its memory a batch's."""
    name = os.fspath(path)
    with (
        open_input(name, "snapshot", MAX_SNAPSHOT_BYTES, SnapshotError) as handle,
        gcpause.paused(),
    ):
        tally = ImageTally()
        try:
            inv = read_fast(_Unpacked(name, handle), _LISTS, {"images": tally.add})
            tally.add(list(inv.images))  # NOTE: a list in another layout is decoded whole
            return _checked(replace(inv, images=()), name, tally.ids), tally
        except NotFast:
            handle.seek(0)
        inv = _streamed(_text_chunks(name, _unpacked(name, handle)), name)
    return replace(inv, images=()), ImageTally.of(inv.images)


CHUNK_BYTES = 1 << 20
_GZIP_MAGIC = b"\x1f\x8b"
_ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"


def _unpacked(name: str, handle: IO[bytes]) -> Iterator[bytes]:
    """The content of a snapshot file in chunks, refused past the snapshot size limit."""
    source = _Unpacked(name, handle)
    while chunk := source.read(CHUNK_BYTES):
        yield chunk


class _Unpacked:
    """The content of a snapshot file (``handle``, decompressed), read in chunks (``read``)
    or into a buffer (``readinto``, the fast read's), refused past the snapshot size limit."""

    def __init__(self, name: str, handle: IO[bytes]) -> None:
        self.name = name
        self.source, self.kind = _opener(handle)
        self.total = 0

    def read(self, size: int) -> bytes:
        with self._reading():
            chunk = self.source.read(size)
        self._count(len(chunk))
        return chunk

    def readinto(self, buffer: memoryview, /) -> int:
        with self._reading():
            count = self.source.readinto(buffer)
        self._count(count)
        return count

    @contextlib.contextmanager
    def _reading(self) -> Iterator[None]:
        try:
            yield
        except EOFError:
            raise SnapshotError(f"{self.name}: a truncated {self.kind} snapshot") from None
        except (OSError, zlib.error, zstandard.ZstdError) as exc:
            raise SnapshotError(f"{self.name}: a damaged {self.kind} snapshot ({exc})") from None

    def _count(self, size: int) -> None:
        self.total += size
        if self.total > MAX_SNAPSHOT_BYTES:
            raise SnapshotError(
                f"{self.name}: the snapshot is larger than the "
                f"{limit_text(MAX_SNAPSHOT_BYTES)} limit uncompressed"
            )


def _opener(handle: IO[bytes]) -> tuple[io.BufferedIOBase, str]:
    """``handle``, or a decompressing reader over it, and the format's name."""
    magic = handle.read(4)
    handle.seek(0)
    if magic.startswith(_GZIP_MAGIC):
        return gzip.GzipFile(fileobj=handle, mode="rb"), "gzip"
    if magic == _ZSTD_MAGIC:
        reader = zstandard.ZstdDecompressor().stream_reader(handle, read_across_frames=True)
        return cast(io.BufferedIOBase, reader), "Zstandard"
    return cast(io.BufferedIOBase, handle), "plain"


def _text_chunks(name: str, chunks: Iterator[bytes]) -> Iterator[str]:
    """UTF-8 text in chunks (a BOM dropped); NUL bytes or bad UTF-8 name their line."""
    utf8 = codecs.getincrementaldecoder("utf-8")()
    line = 1
    for n, chunk in enumerate(chunks):
        nul = chunk.find(b"\x00")
        if nul >= 0:
            where = line + chunk.count(b"\n", 0, nul)
            raise SnapshotError(
                f"{name}:{where}: binary content (NUL byte); the snapshot must be text"
            )
        try:
            text = utf8.decode(chunk)
        except UnicodeDecodeError as exc:
            where = line + chunk.count(b"\n", 0, max(exc.start, 0))
            raise SnapshotError(
                f"{name}:{where}: not UTF-8 text; the snapshot must be UTF-8"
            ) from None
        line += chunk.count(b"\n")
        yield text.removeprefix("\ufeff") if n == 0 else text
    try:
        utf8.decode(b"", final=True)
    except UnicodeDecodeError:
        raise SnapshotError(f"{name}:{line}: {_NOT_UTF8}") from None


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
    compress = next((c for c in ("gz", "zst") if name != "-" and name.endswith(f".{c}")), "")
    write_text(_capped(dump_chunks(inv), name), name, "snapshot", inputs, compress=compress)


def _capped(chunks: Iterator[str], name: str) -> Iterator[str]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if size > MAX_SNAPSHOT_BYTES:
            raise ImageyardError(
                f"{name}: the snapshot would be more than the {limit_text(MAX_SNAPSHOT_BYTES)} "
                "a snapshot may have; collect fewer sources or pools"
            )
        yield chunk
