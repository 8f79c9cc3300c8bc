"""One copy of each repeated value in records decoded elsewhere (``model.fastread``).

Concepts: the fields marked ``codec.INTERN`` hold values that repeat across records
(formats, owners, store ids, property pairs). ``codec.decode`` interns them as it goes;
a decoder that builds the dataclasses itself (msgspec) does not, so ``interner(cls)``
gives a function that goes over one record afterwards: each such string is replaced by
its interned copy, each non-empty tuple by the first equal tuple seen in this read (kept
in the ``table`` dict the caller passes, its strings interned), and the records nested in
it are visited the same way. Values stay equal; only the number of copies changes. The
function is generated once per class as straight-line code: it runs once per image.
"""

from __future__ import annotations

import dataclasses
import functools
import sys
import typing
from collections.abc import Callable
from typing import Any, get_args, get_origin

Interner = Callable[[object, dict[object, object]], None]


def _record_class(tp: Any) -> type | None:
    """The dataclass of a field typed ``X``, ``X | None`` or ``tuple[X, ...]``, else None."""
    args = [a for a in get_args(tp) if a is not type(None) and a is not Ellipsis]
    for candidate in (tp, *args):
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def _field_lines(f: dataclasses.Field[Any], tp: Any, names: dict[str, object]) -> list[str]:
    if f.metadata.get("intern"):
        if tp is str:
            return [f"    setter(o, {f.name!r}, intern(o.{f.name}))"]
        if get_origin(tp) is tuple:
            return [f"    v = o.{f.name}", f"    if v: setter(o, {f.name!r}, shared(v, table))"]
        return [
            f"    v = o.{f.name}",
            f"    if type(v) is str: setter(o, {f.name!r}, intern(v))",
        ]
    nested = _record_class(tp)
    if nested is None or not has_interned(nested):
        return []
    name = f"visit{len(names)}"
    names[name] = interner(nested)
    if get_origin(tp) is tuple:
        return [f"    for x in o.{f.name}: {name}(x, table)"]
    return [f"    v = o.{f.name}", f"    if v is not None: {name}(v, table)"]


def _shared(value: tuple[Any, ...], table: dict[object, object]) -> object:
    """The first tuple equal to ``value`` seen in this read, its strings interned (a tuple
    of strings, or of tuples of strings)."""
    found = table.get(value)
    if found is None:
        found = tuple(sys.intern(x) if type(x) is str else tuple(map(sys.intern, x)) for x in value)
        table[found] = found
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
    hints = typing.get_type_hints(cls)
    names: dict[str, object] = {
        "intern": sys.intern, "setter": object.__setattr__, "shared": _shared
    }  # fmt: skip
    body = ["    pass"]
    for f in dataclasses.fields(cls):
        body += _field_lines(f, hints[f.name], names)
    source = "def visit(o, table):\n" + "\n".join(body) + "\n"
    exec(compile(source, f"<imageyard interner {cls.__name__}>", "exec"), names)
    return typing.cast(Interner, names["visit"])
