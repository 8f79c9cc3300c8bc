"""Elements of the audit JSON filled into forms: no document built, no text indented twice.

Concepts: findings (unknowns) of one ``finding_key`` (``unknown_key``) whose actions have
the same parameter names write the same text around their own strings and their evidence
list. ``text`` writes that text once, as ``jsontext`` writes an element of a top-level
list, with a mark for each own string and one for the evidence list; its ``Form`` is that
text cut at the evidence list into a ``head`` and a ``tail``, each a %-format of UTF-8
bytes with a ``%s`` inside the quotes of each own string. ``own`` gives an element's own
strings in the order of its form's ``%s``; ``encoded`` is the JSON text of a batch's own
strings (one msgspec encode, which escapes them as ``json.dumps`` does), ``quoted`` cuts it
back into each string's escaped text, and ``filled`` writes the batch's elements from their
forms, evidence lists and escaped strings. The text is ``json.dumps``'s (``indent=2,
sort_keys=True, ensure_ascii=False``); which strings pass the secrets policy, and when, is
the writer's concern (``json_format``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from imageyard.model.finding import Finding, Unknown
from imageyard.report import jsontext
from imageyard.report.jsontext import Raw

# NOTE: a control character in a string or a key is written escaped (\u0000), so in a
# form's text a raw one can only be a mark written here
_STRING = Raw('"\0"')
_EVIDENCE = Raw("\1")
# NOTE: a raw NUL is never in the JSON text of a string (msgspec escapes it as \u0000), so
# a list of strings with one between each two is cut back at '",NUL,"' without a doubt
# ('","' alone is not enough: an escaped quote, a comma and the closing quote write it)
_SEPARATOR = msgspec.Raw(b"\0")
_BETWEEN = b'",\0,"'
_ENCODE = msgspec.json.Encoder().encode


@dataclasses.dataclass(frozen=True)
class Form:
    """An element's text around its evidence list: ``head % before`` (its first ``before``
    own strings, escaped), the list, ``tail % after`` (the ``after`` strings that follow)."""

    head: bytes
    tail: bytes
    before: int
    after: int


def _action_doc(names: tuple[str, ...] | None) -> dict[str, Any] | None:
    if names is None:
        return None
    return {"kind": _STRING, "params": dict.fromkeys(names, _STRING)}


def _marked(item: Finding | Unknown, names: tuple[str, ...] | None) -> dict[str, Any]:
    """``item``'s own fields marked: a mark for each string, one for its evidence list."""
    if isinstance(item, Unknown):
        return {"evidence": _EVIDENCE, "reason": _STRING, "resource": _STRING}
    return {
        "action": _action_doc(names),
        "evidence": _EVIDENCE,
        "message": _STRING,
        "remediation": _STRING,
        "resource": _STRING,
    }


def _format(text: str) -> tuple[bytes, int]:
    """``text`` as a %-format of UTF-8 bytes, a ``%s`` for each string mark, and how many."""
    pieces = text.replace("%", "%%").split("\0")
    return "%s".join(pieces).encode("utf-8"), len(pieces) - 1


def text(shared: dict[str, Any], item: Finding | Unknown, names: tuple[str, ...] | None) -> str:
    """The text of the elements with ``shared``'s fields and ``names`` as ``item``'s
    parameter names: the values of its own fields are marks (``form`` cuts it there)."""
    return jsontext.dumps({**shared, **_marked(item, names)}, 2, ensure_ascii=False)


def form(marked: str) -> Form:
    """The form of ``marked`` (a ``text``); ``UnicodeEncodeError`` for a lone surrogate."""
    head, tail = marked.split(_EVIDENCE)
    (head_format, before), (tail_format, after) = _format(head), _format(tail)
    return Form(head_format, tail_format, before, after)


def own(item: Finding | Unknown) -> tuple[tuple[str, ...] | None, list[Any]]:
    """``item``'s parameter names, sorted (None: no action), and its own strings in the
    order of its form's marks (not checked to be strings: the model says they are)."""
    # NOTE: ``sort_text`` is ``str(item.resource)``, which a shared finding writes without
    # making its Resource
    if isinstance(item, Unknown):
        return None, [item.reason, item.sort_text]
    action, message, remediation, sort_text = item.own_texts()
    tail = [message, remediation, sort_text]
    if action is None:
        return None, tail
    params = dict(action.params)
    names = tuple(sorted(params))
    return names, [action.kind, *(params[n] for n in names), *tail]


def encoded(texts: list[str]) -> bytes:
    """The JSON text of ``texts`` (a non-empty list of strings), a raw NUL between each two
    (``TypeError`` or ``ValueError`` when msgspec cannot write one: a lone surrogate)."""
    spaced: list[object] = [_SEPARATOR] * (2 * len(texts) - 1)
    spaced[::2] = texts
    return _ENCODE(spaced)


def quoted(data: bytes) -> list[bytes]:
    """The strings of ``data`` (an ``encoded`` text) as each is written inside its quotes."""
    return data[2:-2].split(_BETWEEN)


def filled(forms: list[Form], evidence: list[bytes], texts: list[bytes]) -> bytes:
    """The elements of ``forms`` (one per element, with its evidence list and its own
    strings escaped, in order), indented two levels as a top-level list's are."""
    out: list[bytes] = []
    at = 0
    for f, listed in zip(forms, evidence, strict=True):
        middle = at + f.before
        end = middle + f.after
        out += (b",\n    ", f.head % tuple(texts[at:middle]), listed)
        out.append(f.tail % tuple(texts[middle:end]))
        at = end
    out[0] = b"    "
    return b"".join(out)
