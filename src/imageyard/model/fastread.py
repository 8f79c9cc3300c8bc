"""The fast read of a snapshot in the layout imageyard writes, decoded straight into the model.

Concepts: every snapshot imageyard writes has one layout (``json.dumps`` with sorted keys
and a two-space indent): a member of the top-level object starts a line with two spaces
and a quote, and an element of a top-level list of records starts a line with four spaces
and ``{`` and ends on one with four spaces and ``}``. A raw newline cannot occur inside a
JSON string, so those lines are structure. ``read_fast`` cuts the bytes there and has
msgspec decode each piece straight into the model's dataclasses (calling their
``__post_init__``): about a megabyte of records at a time, then the other members as one
small object. Only the window being cut is ever in memory, never the document or a parsed
tree of it.

The layout is checked, never trusted: a piece is only accepted when it decodes whole (a
cut at any other place would leave a bracket or a brace open). Anything else (another
layout, a syntax error, a wrong type, an enum value this version does not know, a negative
size, a top-level key twice) raises ``NotFast``, and ``model.snapshot`` reads the input
again value by value, which gives the same inventory or the one-line error naming the
line or the field. So this module only changes how fast a snapshot is read.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Mapping
from typing import Any, Protocol

import msgspec

from imageyard.model import interning
from imageyard.model.codec import SIZE_FIELDS
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.mirror import mirror

BATCH_BYTES = 1 << 20
READ_BYTES = 1 << 20  # at least this much room for each read into the buffer
_BOM = b"\xef\xbb\xbf"
_MEMBER = re.compile(rb'  "([a-z0-9_]{1,64})": ')
_RECORDS_START = b"[\n    {"
_RECORD_CUT = b"\n    },\n"  # one record ends, another follows
_RECORDS_END = b"\n    }\n  ]"  # the last record ends, and the list
_MEMBER_ENDS = (b',\n  "', b"\n}")
Counted = Callable[[list[Any]], None]
_NEGATIVE = re.compile(rb'"(?:' + b"|".join(n.encode() for n in sorted(SIZE_FIELDS)) + rb')": -')
_MINUS = re.compile(rb'": -')  # NOTE: any negative number, a quick search before _NEGATIVE


# NOTE: the record classes that, built within a read (``interning.sharing``), refuse a
# negative size in their ``__post_init__`` (a ValueError, so NotFast): searching their text
# for one would cost a tenth of the read of 100,000 images
SIZED_ITSELF: frozenset[type] = frozenset({Image})


class Readable(Protocol):
    """Where the snapshot's bytes come from: a file's ``readinto`` (0 at the end)."""

    def readinto(self, buffer: memoryview, /) -> int: ...


class NotFast(Exception):
    """The input is not the common case: read it value by value (``model.snapshot``)."""


@functools.cache
def _decoder(tp: Any) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(tp)


def _decode(tp: Any, data: bytes | memoryview, *, sized: bool = False) -> Any:
    """``data`` decoded as ``tp``; a negative size, or anything msgspec refuses, is NotFast
    (``sized``: the records refuse a negative size themselves, the text is not searched)."""
    if not sized and _MINUS.search(data) and _NEGATIVE.search(data):
        raise NotFast("a negative size")
    try:
        return _decoder(tp).decode(data)
    except Exception as exc:  # NOTE: msgspec's errors, UnicodeDecodeError, __post_init__'s
        raise NotFast(str(exc)) from None


def decode_records(kind: type, data: bytes) -> list[Any]:
    """The records of the JSON list ``data``, each a ``kind``; NotFast as ``read_fast``."""
    return list(_decode(list[kind], data))  # type: ignore[valid-type]


class _Window:
    """The input's bytes, read into one buffer that is reused for the whole read;
    ``buf[pos:end]`` is not consumed yet (past ``end`` is stale)."""

    # NOTE: one buffer, its consumed part overwritten, rather than a new bytes object per
    # chunk and per batch: the pages of a 140 MB document are then touched once, the file
    # is read straight into it, and a batch is decoded in place (``decode``) rather than
    # copied into a list's brackets first

    def __init__(self, source: Readable) -> None:
        self.source = source
        self.buf = bytearray()
        self.pos = 0
        self.end = 0
        self.done = False

    def fill(self, want: int) -> None:
        """At least ``want`` bytes not consumed, unless the input ends first."""
        if self.end - self.pos >= want or self.done:
            return
        self._shift()
        room = self.pos + want + READ_BYTES
        if len(self.buf) < room:
            self.buf.extend(bytes(room - len(self.buf)))
        while self.end - self.pos < want:
            with memoryview(self.buf)[self.end :] as free:
                count = self.source.readinto(free)
            if not count:
                self.done = True
                return
            self.end += count

    def _shift(self) -> None:
        """What is not consumed, and the byte before it (see ``decode``), moved to the
        buffer's start."""
        start = max(self.pos - 1, 0)
        if start:
            with memoryview(self.buf) as view:
                view[: self.end - start] = view[start : self.end]  # NOTE: a memmove
            self.pos, self.end = self.pos - start, self.end - start

    def find(self, needles: tuple[bytes, ...]) -> int:
        """Where the first of ``needles`` starts (reading on as needed); NotFast if none."""
        while True:
            found = [i for i in (self.buf.find(n, self.pos, self.end) for n in needles) if i >= 0]
            if found:
                return min(found)
            if self.done:
                raise NotFast("the document ends early")
            self.fill(2 * (self.end - self.pos) + BATCH_BYTES)

    def take(self, text: bytes) -> bool:
        self.fill(len(text))
        if not self.buf.startswith(text, self.pos, self.end):
            return False
        self.pos += len(text)
        return True

    def startswith(self, text: bytes) -> bool:
        """True when the bytes not consumed start with ``text`` (reading on as needed)."""
        self.fill(len(text))
        return self.buf.startswith(text, self.pos, self.end)

    def decode(self, start: int, end: int, sink: _Sink) -> None:
        """``sink.add`` of ``buf[start:end]`` in brackets, a JSON list (``start`` > 0 and
        ``end`` < ``self.end``: the bytes either side are set to the brackets for the call,
        then restored)."""
        buf = self.buf
        before, after = buf[start - 1], buf[end]
        buf[start - 1], buf[end] = 0x5B, 0x5D  # "[" and "]"
        try:
            with memoryview(buf) as view, view[start - 1 : end + 1] as piece:
                sink.add(piece)
        finally:
            buf[start - 1], buf[end] = before, after


def read_fast(
    source: Readable, lists: Mapping[str, type], counted: Mapping[str, Counted] = {}
) -> Inventory:
    """The inventory in ``source`` (the snapshot's bytes), its ``lists`` of records (member
    name -> record class) decoded a batch at a time; NotFast when it is not the layout
    imageyard writes or not data msgspec takes whole.

    A list named in ``counted`` is checked as strictly but not kept (it is empty in the
    result): each batch goes, decoded as the record class's mirror (``model.mirror``), to
    that function."""
    window = _Window(source)
    window.fill(BATCH_BYTES)
    window.take(_BOM)
    if not window.take(b"{\n"):
        raise NotFast("not the layout imageyard writes")
    small: list[bytes] = []
    records: dict[str, tuple[object, ...]] = {}
    seen: set[bytes] = set()
    with interning.sharing() as table:
        while True:
            key = _member(window, seen)
            name = key.decode()
            if name in lists and window.startswith(_RECORDS_START):
                window.pos += 2
                sink = _Counted(lists[name], counted[name]) if name in counted else None
                records[name] = _records(window, sink or _Records(lists[name], table))
            else:
                small.append(_small(window, key))
            if not window.take(b",\n"):
                break
    _end(window)
    inv: Inventory = _decode(Inventory, b"{" + b",".join(small) + b"}")
    return dataclasses.replace(inv, **records)  # type: ignore[arg-type]


def _member(window: _Window, seen: set[bytes]) -> bytes:
    """The key of the member that starts here (the window left at its value)."""
    window.fill(4096)
    match = _MEMBER.match(window.buf, window.pos, window.end)
    if match is None or match.group(1) in seen:
        raise NotFast("not the layout imageyard writes")
    seen.add(match.group(1))
    window.pos = match.end()
    return match.group(1)


def _small(window: _Window, key: bytes) -> bytes:
    """``"key": value`` of a member that is not a list of records."""
    end = window.find(_MEMBER_ENDS)
    value = bytes(window.buf[window.pos : end])
    window.pos = end
    return b'"' + key + b'": ' + value


def _records(window: _Window, records: _Sink) -> tuple[object, ...]:
    """The records of a list (the window at its first record), a batch at a time."""
    while True:
        window.fill(BATCH_BYTES)
        buf, pos, end = window.buf, window.pos, window.end
        cut = buf.rfind(_RECORD_CUT, pos, min(pos + BATCH_BYTES, end))
        if cut >= 0:
            try:
                window.decode(pos, cut + 6, records)
            except NotFast:
                # NOTE: the list may end before the cut (which is then in a later member)
                _last(window, records, buf.find(_RECORDS_END, pos, cut))
                return records.done()
            window.pos = cut + len(_RECORD_CUT)
            continue
        last = buf.find(_RECORDS_END, pos, end)
        if last >= 0:
            _last(window, records, last)
            return records.done()
        if window.done:
            raise NotFast("the document ends early")
        window.fill(2 * (end - pos))  # NOTE: a record larger than a batch


def _last(window: _Window, records: _Sink, last: int) -> None:
    """The last batch of a list, which ends at ``last`` (-1: it does not: NotFast)."""
    if last < 0:
        raise NotFast("not a list of records")
    window.decode(window.pos, last + 6, records)
    window.pos = last + len(_RECORDS_END)


class _Sink(Protocol):
    """Where the batches of one list of records go."""

    def add(self, data: memoryview) -> None: ...

    def done(self) -> tuple[object, ...]: ...


class _Counted:
    """The records of one list handed, a decoded batch at a time, to a function, not kept."""

    def __init__(self, kind: type, count: Counted) -> None:
        self.items = list[mirror(kind)]  # type: ignore[misc]
        self.count = count

    def add(self, data: memoryview) -> None:
        self.count(_decode(self.items, data, sized=True))  # NOTE: see ``model.mirror``

    def done(self) -> tuple[object, ...]:
        return ()


class _Records:
    """The records of one list as decoded so far, their repeated values interned (see
    ``model.interning``; ``table``: the tuples seen in this read) every ``INTERN_EVERY``
    records, which keeps the peak memory near the interned size (a class that interns
    its own values as msgspec builds it, ``Image``, is not visited again)."""

    INTERN_EVERY = 16384

    def __init__(self, kind: type, table: interning.Table) -> None:
        self.items = list[kind]  # type: ignore[valid-type]
        self.visit = interning.interner(kind) if interning.needs_visit(kind) else None
        self.sized = kind in SIZED_ITSELF
        self.table = table
        self.out: list[object] = []
        self.interned = 0

    def add(self, data: memoryview) -> None:
        self.out += _decode(self.items, data, sized=self.sized)
        if len(self.out) - self.interned >= self.INTERN_EVERY:
            self._intern()

    def _intern(self) -> None:
        visit, table = self.visit, self.table
        if visit is not None:
            for record in self.out[self.interned :]:
                visit(record, table)
        self.interned = len(self.out)

    def done(self) -> tuple[object, ...]:
        self._intern()
        return tuple(self.out)


def _end(window: _Window) -> None:
    """The object's closing brace, then only whitespace to the end of the input."""
    if not window.take(b"\n}"):
        raise NotFast("not the layout imageyard writes")
    while True:
        if window.buf[window.pos : window.end].strip():
            raise NotFast("extra data")
        window.pos = window.end
        if window.done:
            return
        window.fill(1)
