"""Indented JSON text, the same as ``json.dumps(doc, indent=2, sort_keys=True)``, faster.

Concepts: with an indent the standard library encodes in Python, a generator per nested
value; a report of a large catalog (a finding per image and consumer, each with its
evidence) spends most of its time there. ``dumps`` writes the same text with one recursive
function and the C string escapers, and starts at any nesting ``level`` so an element of a
top-level list is written in place. A ``Raw`` value is text already encoded at the level it
is written at (a list of evidence shared by many findings is encoded once).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from json.encoder import encode_basestring, encode_basestring_ascii
from typing import Any


class Raw(str):
    """JSON text written as is, already indented for where it goes."""

    __slots__ = ()


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)


def _scalar(value: Any, quote: Callable[[str], str]) -> str:
    if isinstance(value, str):
        return value if isinstance(value, Raw) else quote(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key
    # NOTE: json.dumps's own conversion of a non-string key (int, float, bool, None)
    return json.dumps(key)


def _dict(doc: dict[Any, Any], pad: str, out: list[str], quote: Callable[[str], str]) -> None:
    if not doc:
        out.append("{}")
        return
    inner = pad + "  "
    sep = "{" + inner
    for key in sorted(doc):  # NOTE: json.dumps sorts the keys before converting them
        value = doc[key]
        name = quote(key) if type(key) is str else quote(_key(key))
        if type(value) is str:
            out += (sep, name, ": ", quote(value))
        else:
            out += (sep, name, ": ")
            _value(value, inner, out, quote)
        sep = "," + inner
    out += (pad, "}")


def _list(
    items: list[Any] | tuple[Any, ...], pad: str, out: list[str], quote: Callable[[str], str]
) -> None:
    if not items:
        out.append("[]")
        return
    inner = pad + "  "
    sep = "[" + inner
    for value in items:
        out.append(sep)
        _value(value, inner, out, quote)
        sep = "," + inner
    out += (pad, "]")


def _value(value: Any, pad: str, out: list[str], quote: Callable[[str], str]) -> None:
    if type(value) is str:
        out.append(quote(value))
    elif isinstance(value, dict):
        _dict(value, pad, out, quote)
    elif isinstance(value, (list, tuple)):
        _list(value, pad, out, quote)
    else:
        out.append(_scalar(value, quote))


def dumps(doc: Any, level: int = 0, *, ensure_ascii: bool = True) -> str:
    """``doc`` as ``json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=...)`` writes it,
    every line after the first indented by ``level`` more steps."""
    out: list[str] = []
    quote = encode_basestring_ascii if ensure_ascii else encode_basestring
    _value(doc, "\n" + "  " * level, out, quote)
    return "".join(out)
