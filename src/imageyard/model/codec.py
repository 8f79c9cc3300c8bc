"""A type-hint-driven codec between frozen dataclasses and JSON-compatible data.

Concepts: the snapshot schema *is* the dataclasses. ``encode`` turns a dataclass tree into
dicts, lists and scalars; ``decode`` rebuilds it from the type hints of each class
(``typing.get_type_hints``). Supported field types: ``str``, ``int``, ``float``, ``bool``,
``None`` and ``X | None``, str-valued ``Enum``, ``tuple[X, ...]`` and fixed tuples, nested
dataclasses, ``dict[str, X]``, ``Literal`` strings, and a *tagged union* of dataclasses: every
member declares a ``kind`` field whose default is its tag, and the encoded object carries
``"kind"``. Nothing else (no list, set or Any) may appear in a snapshot class.

Decoding is forward compatible within a major version: unknown keys are ignored, missing
keys with defaults take the default, and an unknown enum value becomes the enum's
``UNKNOWN`` member when it has one. A missing required key or a wrong type raises
``DecodeError`` naming the path in the document (``images[3].locations[0].url: expected
str, got int``).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import json
import sys
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeVar, Union, cast, get_args, get_origin

from imageyard.errors import SnapshotError

T = TypeVar("T")
# Field metadata: the field's strings repeat across records (formats, owners, store ids,
# property keys): ``decode`` interns them, so each distinct value is held once.
INTERN: typing.Mapping[str, object] = types.MappingProxyType({"intern": True})
JSONValue = None | bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"]

_NONE = type(None)


class DecodeError(SnapshotError):
    """A document does not match the schema at ``path``."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path or '(top level)'}: {reason}")
        self.path = path
        self.reason = reason


# ---------------------------------------------------------------------------- encoding


def encode(obj: object) -> JSONValue:
    """Turn a dataclass tree into JSON-compatible data (dataclass -> dict, tuple -> list)."""
    if obj is None or (isinstance(obj, bool | int | str) and not isinstance(obj, enum.Enum)):
        return obj
    if isinstance(obj, enum.Enum):
        return _encode_enum(obj)
    if isinstance(obj, float):
        if obj != obj or obj in (float("inf"), float("-inf")):
            raise ValueError(f"cannot encode non-finite float {obj!r}")
        return obj
    if isinstance(obj, tuple):
        return [encode(item) for item in obj]
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: encode(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return _encode_dict(obj)
    raise TypeError(f"cannot encode {type(obj).__name__} (snapshot types only)")


def _encode_enum(obj: enum.Enum) -> str:
    if not isinstance(obj.value, str):
        raise TypeError(f"enum {type(obj).__name__} is not str-valued")
    return obj.value


def _encode_dict(obj: dict[object, object]) -> dict[str, JSONValue]:
    out: dict[str, JSONValue] = {}
    for key, value in obj.items():
        if not isinstance(key, str):
            raise TypeError(f"dict key {key!r} is not a str")
        out[key] = encode(value)
    return out


def dumps(obj: object) -> str:
    """Deterministic JSON text: sorted keys, two-space indent, ASCII only, final newline."""
    text = json.dumps(encode(obj), sort_keys=True, indent=2, ensure_ascii=True, allow_nan=False)
    return text + "\n"


# ---------------------------------------------------------------------------- decoding


def decode(cls: type[T], data: object) -> T:
    """Rebuild a ``cls`` instance from JSON-compatible ``data``; raises DecodeError."""
    try:
        return cast(T, _decoder(cast(Any, cls))(data))
    except _Fail as fail:
        raise DecodeError(_path(fail.where), fail.reason) from None


# NOTE: each type of the schema gets one decoder function, built once and cached, so a large
# snapshot costs one call per value and no type inspection. The path of a failure is only
# assembled when one happens: each level adds its own step while ``_Fail`` propagates.
Decoder = Callable[[object], object]


class _Fail(Exception):
    """A value does not match; ``where`` collects the path steps, innermost first."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.where: list[str] = []


def _path(where: list[str]) -> str:
    path = ""
    for step in reversed(where):
        path = path + step if step.startswith("[") or not path else f"{path}.{step}"
    return path


def _fail(want: str, data: object) -> _Fail:
    return _Fail(f"expected {want}, got {_kind_name(data)}")


@functools.cache
def _decoder(tp: Any) -> Decoder:
    origin = get_origin(tp)
    if tp is _NONE:
        return _decode_none
    if origin is Union or origin is types.UnionType:
        return _union_decoder(tp)
    if origin is Literal:
        return functools.partial(_decode_literal, get_args(tp))
    if origin is tuple:
        return _tuple_decoder(tp)
    if origin is dict:
        return _dict_decoder(tp)
    if isinstance(tp, type):
        return _class_decoder(tp)
    raise TypeError(f"unsupported type in snapshot schema: {tp!r}")


def _decode_none(data: object) -> None:
    if data is not None:
        raise _fail("null", data)


def _scalar(tp: type, name: str) -> Decoder:
    def decode_scalar(data: object) -> object:
        if type(data) is not tp:
            raise _fail(name, data)
        return data

    return decode_scalar


_SCALARS = {str: _scalar(str, "str"), int: _scalar(int, "int"), bool: _scalar(bool, "bool")}


def _class_decoder(tp: type) -> Decoder:
    if dataclasses.is_dataclass(tp):
        return _DataclassDecoder(tp)
    if issubclass(tp, enum.Enum):
        return functools.partial(_decode_enum, tp)
    if tp in _SCALARS:
        return _SCALARS[tp]
    if tp is float:
        return _decode_float
    raise TypeError(f"unsupported type in snapshot schema: {tp!r}")


def _kind_name(data: object) -> str:
    if data is None:
        return "null"
    if isinstance(data, list):
        return "list"
    if isinstance(data, dict):
        return "object"
    return type(data).__name__


def _decode_float(data: object) -> float:
    if type(data) not in (int, float):
        raise _fail("float", data)
    try:
        return float(cast(float, data))
    except OverflowError:
        raise _Fail("number too large for a float") from None


def _decode_enum(tp: type[enum.Enum], data: object) -> enum.Enum:
    if type(data) is not str:
        raise _fail("str", data)
    try:
        return tp(data)
    except ValueError:
        fallback = tp.__members__.get("UNKNOWN")
        if fallback is not None:
            return fallback
        allowed = ", ".join(repr(m.value) for m in tp)
        raise _Fail(f"expected one of {allowed}, got {data!r}") from None


def _decode_literal(allowed: tuple[object, ...], data: object) -> object:
    if data not in allowed or type(data) not in {type(a) for a in allowed}:
        raise _Fail(f"expected one of {', '.join(map(repr, allowed))}, got {data!r}")
    return data


def _items(decoders: Sequence[Decoder], data: list[object]) -> tuple[object, ...]:
    """Decode ``data[i]`` with ``decoders[i]``; a failure names its index."""
    out = []
    for i, (decoder, item) in enumerate(zip(decoders, data, strict=False)):
        try:
            out.append(decoder(item))
        except _Fail as fail:
            fail.where.append(f"[{i}]")
            raise
    return tuple(out)


def _tuple_decoder(tp: Any) -> Decoder:
    args = get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        if args[0] is str:
            return _decode_str_tuple

        def decode_tuple(data: object) -> tuple[object, ...]:
            if not isinstance(data, list):
                raise _fail("list", data)
            try:
                return tuple(map(item, data))
            except _Fail:
                _items([item] * len(data), data)  # again, one by one, to name the index
                raise

        return decode_tuple
    decoders = [_decoder(a) for a in args]
    all_str = all(a is str for a in args)

    def decode_fixed(data: object) -> tuple[object, ...]:
        if not isinstance(data, list):
            raise _fail("list", data)
        if len(data) != len(decoders):
            raise _Fail(f"expected list of {len(decoders)} items, got {len(data)}")
        if all_str and all(type(x) is str for x in data):
            return tuple(data)
        try:
            return tuple([d(x) for d, x in zip(decoders, data, strict=True)])
        except _Fail:
            _items(decoders, data)  # again, one by one, to name the index
            raise

    return decode_fixed


def _decode_str_tuple(data: object) -> tuple[object, ...]:
    if not isinstance(data, list):
        raise _fail("list", data)
    for item in data:
        if type(item) is not str:
            return _items([_SCALARS[str]] * len(data), data)  # names the bad item
    return tuple(data)


def _dict_decoder(tp: Any) -> Decoder:
    key_tp, value_tp = get_args(tp)
    if key_tp is not str:
        raise TypeError(f"unsupported dict key type in snapshot schema: {key_tp!r}")
    value = _decoder(value_tp)

    def decode_dict(data: object) -> dict[str, object]:
        if not isinstance(data, dict):
            raise _fail("object", data)
        out = {}
        for k, v in data.items():
            try:
                out[k] = value(v)
            except _Fail as fail:
                fail.where.append(f"[{json.dumps(k)}]")
                raise
        return out

    return decode_dict


def _union_decoder(tp: Any) -> Decoder:
    members = tuple(a for a in get_args(tp) if a is not _NONE)
    nullable = len(members) < len(get_args(tp))
    if len(members) == 1:
        inner = _decoder(members[0])
        if not nullable:
            return inner
        return lambda data: None if data is None else inner(data)
    tags = _union_tags(members)

    def decode_tagged(data: object) -> object:
        if data is None and nullable:
            return None
        if not isinstance(data, dict):
            raise _fail("object", data)
        kind = data.get("kind")
        if kind is None or not isinstance(kind, str) or kind not in tags:
            allowed = ", ".join(repr(t) for t in sorted(tags))
            fail = _Fail("missing required key" if kind is None else
                         f"expected one of {allowed}, got {kind!r}")  # fmt: skip
            fail.where.append("kind")
            raise fail
        return _decoder(tags[kind])(data)

    return decode_tagged


@functools.cache
def _union_tags(members: tuple[Any, ...]) -> dict[str, type]:
    """Map each member's ``kind`` tag to the member (members must be tagged dataclasses)."""
    tags: dict[str, type] = {}
    for member in members:
        tag = _tag_of(member) if isinstance(member, type) else None
        if tag is None or tag in tags:
            raise TypeError(f"union member {member!r} has no unique 'kind' tag")
        tags[tag] = member
    return tags


def _tag_of(cls: type) -> str | None:
    if not dataclasses.is_dataclass(cls):
        return None
    for f in dataclasses.fields(cls):
        if f.name == "kind" and isinstance(f.default, str):
            return f.default
    return None


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class _DataclassDecoder:
    """Decodes one dataclass: its fields' decoders are looked up on first use (the schema
    may refer to itself), then each object costs one decoder call per key present."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.fields: list[tuple[str, Decoder, bool]] | None = None

    def _plan(self) -> list[tuple[str, Decoder, bool]]:
        hints = _hints(self.cls)
        return [
            (f.name, _sized(f.name, _field_decoder(f, hints[f.name])), _required(f))
            for f in dataclasses.fields(self.cls)
            if f.init
        ]

    def __call__(self, data: object) -> object:
        if not isinstance(data, dict):
            raise _fail("object", data)
        if self.fields is None:
            self.fields = self._plan()
        kwargs: dict[str, object] = {}
        for name, decoder, required in self.fields:
            if name in data:
                try:
                    kwargs[name] = decoder(data[name])
                except _Fail as fail:
                    fail.where.append(name)
                    raise
            elif required:
                missing = _Fail("missing required key")
                missing.where.append(name)
                raise missing
        try:
            return self.cls(**kwargs)
        except (TypeError, ValueError) as exc:
            raise _Fail(f"invalid {self.cls.__name__}: {exc}") from None


def _field_decoder(f: dataclasses.Field[Any], tp: Any) -> Decoder:
    inner = _decoder(tp)
    if not f.metadata.get("intern"):
        return inner
    return _interning(tp, inner)


def _interning(tp: Any, inner: Decoder) -> Decoder:
    """``inner``, interning the strings it returns: ``str``, ``str | None``, ``tuple[str,
    ...]`` and ``tuple[tuple[str, str], ...]`` fields each get a decoder of their own."""
    intern = sys.intern
    args = get_args(tp)
    if tp is str or (len(args) == 2 and str in args and _NONE in args):

        def decode_str(data: object) -> object:
            return intern(data) if type(data) is str else inner(data)

        return decode_str
    if args == (str, Ellipsis):
        return lambda data: tuple(map(intern, cast(tuple[str, ...], inner(data))))
    if args == (tuple[str, str], Ellipsis):

        def decode_pairs(data: object) -> object:
            pairs = cast(tuple[tuple[str, str], ...], inner(data))
            return tuple([(intern(k), intern(v)) for k, v in pairs])

        return decode_pairs
    raise TypeError(f"interning is not supported for {tp!r}")


# Fields that hold a size in bytes (or GiB): a negative value is never collected.
SIZE_FIELDS = frozenset({"size", "virtual_size", "used"})


def _sized(name: str, decoder: Decoder) -> Decoder:
    """``decoder``, refusing a negative number when ``name`` is a size field."""
    if name not in SIZE_FIELDS:
        return decoder

    def decode_size(data: object) -> object:
        value = decoder(data)
        if isinstance(value, int | float) and value < 0:
            raise _Fail(f"a size cannot be negative, got {value!r}")
        return value

    return decode_size


def _required(f: dataclasses.Field[Any]) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


# ---------------------------------------------------------------------------- schema check


def check_schema(cls: type) -> tuple[type, ...]:
    """Check that every field reachable from ``cls`` uses a supported type.

    Returns the dataclasses found (``cls`` first); raises TypeError naming the bad field.
    """
    seen: dict[type, None] = {}
    _check(cls, cls.__name__, seen)
    return tuple(seen)


def _check(tp: Any, where: str, seen: dict[type, None]) -> None:
    origin, args = get_origin(tp), get_args(tp)
    if tp is _NONE or tp in (str, int, float, bool) or origin is Literal:
        return
    if origin is Union or origin is types.UnionType:
        members = tuple(a for a in args if a is not _NONE)
        if len(members) > 1:
            _union_tags(members)
        for a in members:
            _check(a, where, seen)
        return
    if origin is tuple or origin is dict:
        if origin is dict and args[0] is not str:
            raise TypeError(f"{where}: dict keys must be str")
        for a in args:
            if a is not Ellipsis:
                _check(a, where, seen)
        return
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        if not all(isinstance(m.value, str) for m in tp):
            raise TypeError(f"{where}: enum {tp.__name__} is not str-valued")
        return
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        _check_dataclass(tp, seen)
        return
    raise TypeError(f"{where}: unsupported type {tp!r} in snapshot schema")


def _check_dataclass(cls: type, seen: dict[type, None]) -> None:
    if cls in seen:
        return
    seen[cls] = None
    params = getattr(cls, "__dataclass_params__", None)
    if params is None or not params.frozen:
        raise TypeError(f"{cls.__name__}: snapshot dataclasses must be frozen")
    hints = _hints(cls)
    for f in dataclasses.fields(cls):
        _check(hints[f.name], f"{cls.__name__}.{f.name}", seen)
