"""Elements of the audit JSON filled into forms: no document built, no text indented twice.

Concepts: findings (unknowns) of one ``finding_key`` (``unknown_key``) whose actions have
the same parameter names write the same text around their own strings and their evidence
list. ``text`` writes that text once, as ``jsontext`` writes an element of a top-level
list, with a mark for each own string and one for the evidence list; its ``Form`` is that
text in UTF-8 cut at the marks into ``slots``: its pieces, with a free slot after each
(inside the quotes of each own string, for the evidence list, and one at its end).
``own`` gives an element's own strings in the order of its form's marks; ``encoded`` is
the JSON text of a batch's own strings (one msgspec encode, which escapes them as
``json.dumps`` does), ``quoted`` cuts it back into each string's escaped text, and
``filled`` writes the batch's elements from their forms, evidence lists and escaped
strings, put into the free slots at once and joined once (no text is copied twice). The
text is ``json.dumps``'s (``indent=2,
sort_keys=True, ensure_ascii=False``); which strings pass the secrets policy, and when, is
the writer's concern (``json_format``).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import msgspec

from imageyard.model.finding import Evidence, Finding, Unknown
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
# NOTE: the citations of ``Finding.own_written``: each with whether its text is the finding's own
Cited = tuple[tuple[Evidence, bool], ...] | None


# NOTE: what comes before each element of a top-level list (the first one's without ",\n")
_NEXT = b",\n    "


@dataclasses.dataclass(frozen=True)
class Form:
    """An element's text as ``slots``: its pieces at even indexes, each followed by a free
    slot (None) for, in order, its ``before`` own strings, its evidence list, its ``after``
    own strings and, at its end, nothing (so the slots of a batch alternate)."""

    slots: tuple[bytes | None, ...]
    before: int
    after: int


def _action_doc(names: tuple[str, ...] | None) -> dict[str, Any] | None:
    if names is None:
        return None
    return {"kind": _STRING, "params": dict.fromkeys(names, _STRING)}


def _evidence_doc(cited: Cited) -> object:
    """The evidence list's mark, or the citations written with a mark for each own text."""
    if cited is None:
        return _EVIDENCE
    return [
        {"text": _STRING if own else e.text, "path": e.path, "line": e.line} for e, own in cited
    ]


def _marked(item: Finding | Unknown, names: tuple[str, ...] | None, cited: Cited) -> dict[str, Any]:
    """``item``'s own fields marked: a mark for each string, one for its evidence list (or
    its citations, ``cited``)."""
    if isinstance(item, Unknown):
        return {"evidence": _EVIDENCE, "reason": _STRING, "resource": _STRING}
    return {
        "action": _action_doc(names),
        "evidence": _evidence_doc(cited),
        "message": _STRING,
        "remediation": _STRING,
        "resource": _STRING,
    }


def text(
    shared: dict[str, Any],
    item: Finding | Unknown,
    names: tuple[str, ...] | None,
    cited: Cited = None,
) -> str:
    """The text of the elements with ``shared``'s fields, ``names`` as ``item``'s
    parameter names and ``cited`` as their citations (None: an evidence list each): the
    values of its own fields are marks (``form`` cuts it there)."""
    return jsontext.dumps({**shared, **_marked(item, names, cited)}, 2, ensure_ascii=False)


def form(marked: str) -> Form:
    """The form of ``marked`` (a ``text``); ``UnicodeEncodeError`` for a lone surrogate."""
    # NOTE: elements whose citations the form writes have no list of their own (an empty one)
    head, _, tail = marked.encode("utf-8").partition(b"\1")
    before, after = head.split(b"\0"), tail.split(b"\0")
    pieces = [_NEXT + before[0], *before[1:], *after]
    slots: list[bytes | None] = [None] * (2 * len(pieces))
    slots[::2] = pieces
    return Form(tuple(slots), len(before) - 1, len(after) - 1)


def own(item: Finding | Unknown) -> tuple[tuple[str, ...] | None, Cited, list[Any]]:
    """``item``'s parameter names, sorted (None: no action), its citations when its form
    writes them (``Finding.own_written``; None: its evidence list goes into the form) and
    its own strings in the order of its form's marks (not checked to be strings: the model
    says they are)."""
    # NOTE: ``sort_text`` is ``str(item.resource)``, which a shared finding writes without
    # making its Resource
    if isinstance(item, Unknown):
        return None, None, [item.reason, item.sort_text]
    return item.own_written()


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
    # NOTE: the pieces and what goes between them are joined once, so a text (an evidence
    # list: most of a report) is copied only there
    slots: list[bytes | None] = []
    values: list[bytes] = []
    at = 0
    for f, listed in zip(forms, evidence, strict=True):
        middle = at + f.before
        end = middle + f.after
        slots += f.slots
        values += texts[at:middle]
        values.append(listed)
        values += texts[middle:end]
        values.append(b"")
        at = end
    slots[1::2] = values
    slots[0] = slots[0][2:]  # type: ignore[index]  # NOTE: the first element's ",\n"
    return b"".join(slots)  # type: ignore[arg-type]
