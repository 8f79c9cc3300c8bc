"""One copy of each repeated value in records decoded elsewhere (``model.fastread``).

Concepts: the fields marked ``codec.INTERN`` hold values that repeat across records
(formats, owners, store ids, property pairs). ``codec.decode`` interns them as it goes;
a decoder that builds the dataclasses itself (msgspec) does not, so ``interner(cls)``
gives a function that goes over one record afterwards: each such string is replaced by
its interned copy, each non-empty tuple by the first equal tuple seen in this read (kept
in the ``Table``, a dict, the caller passes, its strings interned), and the records nested
in it are visited the same way. Values stay equal; only the number of copies changes.

The function is generated once per class as straight-line code, the records nested in
it inlined: a field of a class with ``__slots__`` is set through its slot's own setter,
and a tuple already in the table costs one lookup.

A record class that is built by the hundred thousand (``Image``) interns its own values
as it is built, while its new strings are still in the processor's cache, which costs
about half as much as a visit afterwards: it is registered with ``interns_itself``, and
its ``__post_init__`` asks ``current()`` for the table of the read under way (one is set
by ``sharing()`` around a read; outside one, nothing is interned). A field it keeps sorted
(an image's tags and properties) goes through ``shared_sorted``: the table remembers each
tuple as read with the shared tuple of its items sorted, so a value that repeats across
a catalog is sorted once a read, not once an image (and a tuple is never sorted because
an equal one of an unsorted field, an image's stores, was seen first).
"""

from __future__ import annotations

import contextlib
import contextvars
import dataclasses
import functools
import sys
import types
import typing
from collections.abc import Callable, Iterator
from typing import Any, TypeVar, get_args, get_origin


class Table(dict[object, object]):
    """The tuples shared in one read, each its own key (``shared``), and ``in_order``: each
    tuple as read -> the shared tuple of its items sorted (``shared_sorted``)."""

    __slots__ = ("in_order",)

    def __init__(self) -> None:
        super().__init__()
        self.in_order: dict[object, object] = {}


Interner = Callable[[object, Table], None]
_C = TypeVar("_C", bound=type)
_TABLE: contextvars.ContextVar[Table | None] = contextvars.ContextVar("table", default=None)
_SELF_INTERNING: set[type] = set()


@contextlib.contextmanager
def sharing() -> Iterator[Table]:
    """A table of shared tuples for the records built inside the block (``current``)."""
    table = Table()
    token = _TABLE.set(table)
    try:
        yield table
    finally:
        _TABLE.reset(token)


# NOTE: the context variable's own method, not a function around it: asked once per image
current: Callable[[], Table | None] = _TABLE.get
"""The table of the read under way (``sharing``), or None."""


def interns_itself(cls: _C) -> _C:
    """Register ``cls`` as interning its own values when built inside ``sharing``."""
    _SELF_INTERNING.add(cls)
    return cls


def needs_visit(cls: type) -> bool:
    """True when records of ``cls`` decoded by msgspec are to be visited by ``interner``."""
    return cls not in _SELF_INTERNING and has_interned(cls)


def _record_class(tp: Any) -> type | None:
    """The dataclass of a field typed ``X``, ``X | None`` or ``tuple[X, ...]``, else None."""
    args = [a for a in get_args(tp) if a is not type(None) and a is not Ellipsis]
    for candidate in (tp, *args):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


class _Source:
    """The lines of a generated visit function and the names they use."""

    def __init__(self) -> None:
        self.lines = ["def visit(o, table):", "    get = table.get"]
        self.names: dict[str, object] = {
            "intern": sys.intern, "setter": object.__setattr__, "shared": shared
        }  # fmt: skip

    def setter(self, cls: type, name: str, obj: str) -> str:
        """The call that sets ``obj.name`` to ``w`` (the slot's setter when it has one)."""
        slot = cls.__dict__.get(name)
        if not isinstance(slot, types.MemberDescriptorType):
            return f"setter({obj}, {name!r}, w)"
        key = f"set_{len(self.names)}"
        self.names[key] = slot.__set__
        return f"{key}({obj}, w)"

    def record(self, cls: type, obj: str, indent: str) -> None:
        """The lines that intern the fields of the ``cls`` record named ``obj``."""
        hints = typing.get_type_hints(cls)
        for f in dataclasses.fields(cls):
            self.field(cls, f, hints[f.name], obj, indent)

    def field(self, cls: type, f: dataclasses.Field[Any], tp: Any, obj: str, ind: str) -> None:
        value = f"v{len(ind)}"
        if f.metadata.get("intern"):
            store = self.setter(cls, f.name, obj)
            self.lines.append(f"{ind}{value} = {obj}.{f.name}")
            if get_origin(tp) is tuple:
                new = f"get({value}) or shared({value}, table)"
                self.lines.append(f"{ind}if {value}: w = {new}; {store}")
            else:
                self.lines.append(f"{ind}if type({value}) is str: w = intern({value}); {store}")
            return
        nested = _record_class(tp)
        if nested is None or not has_interned(nested):
            return
        item = f"x{len(ind)}"
        if get_origin(tp) is tuple:
            self.lines.append(f"{ind}for {item} in {obj}.{f.name}:")
        else:
            self.lines += [f"{ind}{item} = {obj}.{f.name}", f"{ind}if {item} is not None:"]
        self.record(nested, item, ind + "    ")


def shared(value: tuple[Any, ...], table: Table) -> Any:
    """The first tuple equal to ``value`` seen in this read, its strings interned (a tuple
    of strings, or of tuples of strings)."""
    found = table.get(value)
    if found is None:
        found = tuple(sys.intern(x) if type(x) is str else tuple(map(sys.intern, x)) for x in value)
        table[found] = found
    return found


def shared_sorted(value: tuple[Any, ...], table: Table) -> Any:
    """``shared`` of ``value``'s items sorted; each tuple as read is sorted once a read."""
    found = table.in_order.get(value)
    if found is None:
        found = table.in_order[value] = shared(tuple(sorted(value)), table)
    return found


@functools.cache
def has_interned(cls: type) -> bool:
    """True when ``cls`` or a record nested in it has a field marked ``INTERN``."""
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        nested = _record_class(hints[f.name])
        if f.metadata.get("intern") or (nested is not None and has_interned(nested)):
            return True
    return False


@functools.cache
def interner(cls: type) -> Interner:
    """The function that interns one ``cls`` record's values in place (see the module)."""
    source = _Source()
    source.record(cls, "o", "    ")
    text = "\n".join(source.lines) + "\n"
    exec(compile(text, f"<imageyard interner {cls.__name__}>", "exec"), source.names)
    return typing.cast(Interner, source.names["visit"])
