"""Light stand-ins for record classes, for a read that checks every record but keeps none.

Concepts: ``mirror(cls)`` is a ``msgspec.Struct`` with the fields of the dataclass ``cls``
in the same order, with the same types (a nested record class replaced by its own mirror)
and the same defaults. msgspec checks a document against it exactly as against ``cls``
(the same required fields, types and unknown keys ignored), but builds no dataclass, runs
no ``__post_init__`` and interns nothing, which is most of the cost of decoding a record.
A size field (``codec.SIZE_FIELDS``) refuses a negative number, as ``codec.decode`` does.
So a command that only counts records (``show``) still refuses every snapshot the full
read refuses. Only for classes whose ``__post_init__`` refuses nothing else: one that
raises for another reason would refuse input the mirror accepts.
"""

from __future__ import annotations

import dataclasses
import functools
import operator
import types
import typing
from typing import Annotated, Any, Union, get_args, get_origin

import msgspec

from imageyard.model.codec import SIZE_FIELDS

_NOT_NEGATIVE = msgspec.Meta(ge=0)


@functools.cache
def mirror(cls: type) -> type[msgspec.Struct]:
    """The Struct that decodes like the dataclass ``cls`` (see the module)."""
    hints = typing.get_type_hints(cls)
    fields: list[tuple[str, Any, Any]] = []
    for f in dataclasses.fields(cls):
        tp = _mirrored(hints[f.name])
        if f.name in SIZE_FIELDS:
            tp = _not_negative(tp)
        if f.default is not dataclasses.MISSING:
            fields.append((f.name, tp, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            fields.append((f.name, tp, msgspec.field(default_factory=f.default_factory)))
        else:
            fields.append((f.name, tp))  # type: ignore[arg-type]
    # NOTE: required fields first is Python's rule for dataclasses too, so the order holds
    return msgspec.defstruct(f"{cls.__name__}Mirror", fields, gc=False)


def _mirrored(tp: Any) -> Any:
    """``tp`` with every record class in it replaced by its mirror."""
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return mirror(tp)
    origin, args = get_origin(tp), get_args(tp)
    if origin is tuple:
        return tuple[tuple(_mirrored(a) if a is not Ellipsis else a for a in args)]  # type: ignore[misc]
    if origin in (Union, types.UnionType):
        records = [a for a in args if isinstance(a, type) and dataclasses.is_dataclass(a)]
        if len(records) > 1:
            raise TypeError(f"{tp}: a union of record classes has no mirror")
        return functools.reduce(lambda a, b: a | b, map(_mirrored, args))
    if origin is not None and any(_has_record(a) for a in args):
        raise TypeError(f"{tp}: no mirror for records inside {origin}")
    return tp


def _not_negative(tp: Any) -> Any:
    """``tp`` with its numbers (``int``, ``float``) refusing a negative value."""
    if tp in (int, float):
        return Annotated[tp, _NOT_NEGATIVE]
    if get_origin(tp) in (Union, types.UnionType):
        return functools.reduce(operator.or_, map(_not_negative, get_args(tp)))
    return tp


def _has_record(tp: Any) -> bool:
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return True
    return any(_has_record(a) for a in get_args(tp))
