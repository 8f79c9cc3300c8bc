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
import types
import typing
from typing import Any, Literal, TypeVar, Union, cast, get_args, get_origin

from imageyard.errors import SnapshotError

T = TypeVar("T")
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
    return cast(T, _decode(cls, data, ""))


def _decode(tp: Any, data: object, path: str) -> object:
    origin = get_origin(tp)
    if tp is _NONE:
        return _expect(data is None, None, "null", data, path)
    if origin is Union or origin is types.UnionType:
        return _decode_union(tp, data, path)
    if origin is Literal:
        return _decode_literal(tp, data, path)
    if origin is tuple:
        return _decode_tuple(tp, data, path)
    if origin is dict:
        return _decode_dict(tp, data, path)
    if isinstance(tp, type):
        return _decode_class(tp, data, path)
    raise TypeError(f"unsupported type in snapshot schema: {tp!r}")


def _decode_class(tp: type, data: object, path: str) -> object:
    if dataclasses.is_dataclass(tp):
        return _decode_dataclass(tp, data, path)
    if issubclass(tp, enum.Enum):
        return _decode_enum(tp, data, path)
    if tp is bool:
        return _expect(type(data) is bool, data, "bool", data, path)
    if tp is int:
        return _expect(type(data) is int, data, "int", data, path)
    if tp is float:
        return _decode_float(data, path)
    if tp is str:
        return _expect(type(data) is str, data, "str", data, path)
    raise TypeError(f"unsupported type in snapshot schema: {tp!r}")


def _expect(ok: bool, value: object, want: str, data: object, path: str) -> object:
    if not ok:
        raise DecodeError(path, f"expected {want}, got {_kind_name(data)}")
    return value


def _kind_name(data: object) -> str:
    if data is None:
        return "null"
    if isinstance(data, list):
        return "list"
    if isinstance(data, dict):
        return "object"
    return type(data).__name__


def _decode_float(data: object, path: str) -> float:
    if type(data) not in (int, float):
        raise DecodeError(path, f"expected float, got {_kind_name(data)}")
    try:
        return float(cast(float, data))
    except OverflowError:
        raise DecodeError(path, "number too large for a float") from None


def _decode_enum(tp: type[enum.Enum], data: object, path: str) -> enum.Enum:
    if type(data) is not str:
        raise DecodeError(path, f"expected str, got {_kind_name(data)}")
    try:
        return tp(data)
    except ValueError:
        fallback = tp.__members__.get("UNKNOWN")
        if fallback is not None:
            return fallback
        allowed = ", ".join(repr(m.value) for m in tp)
        raise DecodeError(path, f"expected one of {allowed}, got {data!r}") from None


def _decode_literal(tp: Any, data: object, path: str) -> object:
    allowed = get_args(tp)
    if data not in allowed or type(data) not in {type(a) for a in allowed}:
        raise DecodeError(path, f"expected one of {', '.join(map(repr, allowed))}, got {data!r}")
    return data


def _decode_tuple(tp: Any, data: object, path: str) -> tuple[object, ...]:
    if not isinstance(data, list):
        raise DecodeError(path, f"expected list, got {_kind_name(data)}")
    args = get_args(tp)
    if len(args) == 2 and args[1] is Ellipsis:
        return tuple(_decode(args[0], item, f"{path}[{i}]") for i, item in enumerate(data))
    if len(data) != len(args):
        raise DecodeError(path, f"expected list of {len(args)} items, got {len(data)}")
    pairs = enumerate(zip(args, data, strict=True))
    return tuple(_decode(a, item, f"{path}[{i}]") for i, (a, item) in pairs)


def _decode_dict(tp: Any, data: object, path: str) -> dict[str, object]:
    key_tp, value_tp = get_args(tp)
    if key_tp is not str:
        raise TypeError(f"unsupported dict key type in snapshot schema: {key_tp!r}")
    if not isinstance(data, dict):
        raise DecodeError(path, f"expected object, got {_kind_name(data)}")
    return {k: _decode(value_tp, v, f"{path}[{json.dumps(k)}]") for k, v in data.items()}


def _decode_union(tp: Any, data: object, path: str) -> object:
    members = [a for a in get_args(tp) if a is not _NONE]
    if data is None and len(members) < len(get_args(tp)):
        return None
    if len(members) == 1:
        return _decode(members[0], data, path)
    tags = _union_tags(tuple(members))
    if not isinstance(data, dict):
        raise DecodeError(path, f"expected object, got {_kind_name(data)}")
    kind = data.get("kind")
    if kind is None:
        raise DecodeError(_join(path, "kind"), "missing required key")
    if not isinstance(kind, str) or kind not in tags:
        allowed = ", ".join(repr(t) for t in sorted(tags))
        raise DecodeError(_join(path, "kind"), f"expected one of {allowed}, got {kind!r}")
    return _decode_dataclass(tags[kind], data, path)


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


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _decode_dataclass(cls: type, data: object, path: str) -> object:
    if not isinstance(data, dict):
        raise DecodeError(path, f"expected object, got {_kind_name(data)}")
    hints = _hints(cls)
    kwargs: dict[str, object] = {}
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        where = _join(path, f.name)
        if f.name in data:
            kwargs[f.name] = _decode(hints[f.name], data[f.name], where)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise DecodeError(where, "missing required key")
    try:
        return cls(**kwargs)
    except (TypeError, ValueError) as exc:
        raise DecodeError(path, f"invalid {cls.__name__}: {exc}") from None


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
