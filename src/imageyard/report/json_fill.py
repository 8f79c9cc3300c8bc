"""Elements of the audit JSON written from patterns: one text per part, the values put in.

Concepts: results that share a ``Pattern`` (``Finding.own_values``: the ``cow-not-eligible``
findings of one verdict form on one consumer, the ``non-raw-in-rbd`` findings of one
format and store list ...) differ only in the few values each gives, its image's id, name,
sizes and locations, which their pattern puts as they are into its own strings
(``Pattern.own_written_from``). ``own_texts`` writes those strings once with marks in the
values' place and cuts them there into pieces; ``pattern`` writes the whole element once,
the ``json_template`` form of the part with each own string's pieces escaped in its marks,
cut where each value goes (``Filled``: its pieces, and which of a result's values go
between them, in order). A batch is then every element's pieces with every value put
between them at once and joined once (``filled``), and encoded once: no own string is
built, no document, nothing escaped but the values (most need nothing: one scan of the
batch says so).

Secrets: each own string passes the policy as ``secrets`` says of such texts: its pieces
once per pattern (``secrets.pieces_clean``; a pattern it refuses is None), the values
once per batch (``secrets.values_clean``), a remembered literal in the batch's text
(``Redactor.clean_literals``); a batch any of these refuses is None, and the writer
writes it as before (``json_format``), each string through the policy.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from json.encoder import encode_basestring
from operator import itemgetter
from typing import Any

import msgspec

from imageyard import secrets
from imageyard.model.finding import Cited, Pattern
from imageyard.report import json_template

# NOTE: a value's mark is its number between two of these; ``own_texts`` writes the texts
# with each and keeps them only when both cut them the same way, so a mark character that
# a pattern writes itself (a NUL in a consumer's name) is never taken for a mark
_MARKS = ("\0", "\1")
# NOTE: the values of a batch are judged joined by this: no letter, ":", "/" nor "@" (so
# nothing the policy looks for runs across two), and no character JSON escapes
_JOIN = "\x7f"
# NOTE: escapes a string as ``json.dumps`` does (``ensure_ascii=False``): the writer's claim
_ENCODE = msgspec.json.encode

Picks = Callable[[tuple[str, ...]], tuple[str, ...]]
# NOTE: an own string cut at its marks: its pieces, and the value between each two
Cut = tuple[list[str], list[int]]


@dataclasses.dataclass(frozen=True)
class Filled:
    """An element's text (after ``json_template``'s ",\\n" before each element) as
    ``slots``: its escaped pieces, each followed by a free slot (None) for the next of the
    values ``picks`` gives, in order, and the last by one for nothing (so the slots of a
    batch alternate; the values it does not pick are never judged: they are not written);
    ``exposed`` picks those that must hold no "://" (their own strings' pieces hold an
    "@"), or is None."""

    slots: tuple[str | None, ...]
    picks: Picks
    exposed: Picks | None


def _picks(indexes: list[int]) -> Picks:
    if len(indexes) == 1:
        index = indexes[0]
        return lambda values: (values[index],)
    if not indexes:
        return lambda values: ()
    return itemgetter(*indexes)


def _cut(text: object, mark: str) -> Cut | None:
    if type(text) is not str:
        return None
    parts = text.split(mark)
    numbers = parts[1::2]
    if len(parts) % 2 == 0 or not all(n.isascii() and n.isdecimal() for n in numbers):
        return None
    return parts[::2], [int(n) for n in numbers]


def own_texts(part: Pattern, count: int) -> tuple[tuple[str, ...] | None, Cited, list[Cut]] | None:
    """``part``'s parameter names, citations and own strings cut at the marks of its
    ``count`` values; None when two sets of marks do not give the same (a mark character
    of its own, a value not put in as it is) or a text is not a string."""
    written = [part.own_written_from(tuple(f"{m}{n}{m}" for n in range(count))) for m in _MARKS]
    (names, cited, texts), (other_names, other_cited, others) = written
    if names != other_names or cited != other_cited or len(texts) != len(others):
        return None
    cuts = []
    for text, other in zip(texts, others, strict=True):
        cut = _cut(text, _MARKS[0])
        if cut is None or cut != _cut(other, _MARKS[1]):
            return None
        cuts.append(cut)
    return names, cited, cuts


def _escaped(text: str) -> str:
    """``text`` as ``json.dumps`` writes it inside its quotes."""
    return encode_basestring(text)[1:-1]


def pattern(form: json_template.Form, evidence: bytes, texts: list[Cut]) -> Filled | None:
    """The ``Filled`` element of ``form`` with ``texts`` (``own_texts``) as its own strings
    and ``evidence`` as its evidence list (empty: the form writes the citations); None
    when the policy may change an own string whatever its values (``secrets.pieces_clean``)."""
    if len(texts) != form.before + form.after:
        return None
    strings: list[list[str]] = []
    order: list[int] = []
    exposed: list[int] = []
    for pieces, numbers in texts:
        clean = secrets.pieces_clean(pieces)
        if clean is None:
            return None
        if not clean:
            exposed += numbers
        strings.append([_escaped(p) for p in pieces])
        order += numbers
    # NOTE: the form's pieces with each own string's pieces and the evidence list put in
    # its free slots: the first piece of each own string joins the text before it, the
    # last one the text after it (evidence, a piece of the form)
    fills = [*strings[: form.before], [evidence.decode("utf-8")], *strings[form.before :]]
    merged = [form.slots[0].decode("utf-8")]  # type: ignore[union-attr]
    for fill, piece in zip(fills, form.slots[2::2], strict=True):
        merged[-1] += fill[0]
        merged += fill[1:]
        merged[-1] += piece.decode("utf-8")  # type: ignore[union-attr]
    slots: list[str | None] = [None] * (2 * len(merged))
    slots[::2] = merged
    return Filled(tuple(slots), _picks(order), _picks(exposed) if exposed else None)


def filled(slots: list[str | None], values: list[Any], exposed: list[Any]) -> bytes | None:
    """The UTF-8 text of a batch of elements: their ``slots`` (each a ``Filled.slots``)
    filled with ``values`` (their picks, in order, each element's followed by ""),
    escaped; ``exposed``: their exposed values. None when the policy may change one of
    their own strings (or a value is not a string, or cannot be written in UTF-8)."""
    try:
        # NOTE: each distinct value judged once (one put in twice, and the "" after each
        # element, are judged once: "" holds nothing the policy looks for)
        joined = _JOIN.join(set(values))
        if exposed and "://" in _JOIN.join(exposed):
            return None
        escaped = _ENCODE(joined)
    except (TypeError, ValueError):
        return None  # NOTE: not a string (the model says one), or a lone surrogate
    if not secrets.values_clean(joined):
        return None
    # NOTE: a value that JSON escapes makes the text longer than its quotes around it
    if len(escaped) != 2 + (len(joined) if joined.isascii() else len(joined.encode("utf-8"))):
        values = [_escaped(v) for v in values]
    slots[1::2] = values
    slots[0] = slots[0][2:]  # type: ignore[index]  # NOTE: the first element's ",\n"
    try:
        data = "".join(slots).encode("utf-8")  # type: ignore[arg-type]
    except UnicodeEncodeError:
        return None  # NOTE: a lone surrogate: the writer fails, or not, as before
    return data if secrets.current().clean_literals(data) else None
