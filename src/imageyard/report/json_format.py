"""JSON: the canonical audit output (sorted keys, two-space indent, stable order).

Concepts: ``chunks`` gives the text in pieces, so the report of a large catalog (a finding
or unknown per image) is never one document or one string: the document around the
findings and unknowns, then those a batch at a time, each encoded as it is written.
A batch is encoded by msgspec's C encoder and indenter, which write the same text as
``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`` for strings, integers,
booleans and null; a batch holding anything else (a float, which msgspec writes in its
own way, or a value it refuses) is written by ``jsontext`` as before. A list of evidence
that many elements share is built once. Every string of a msgspec batch passes the secrets
policy before it is encoded (``secrets.clean_json`` over the batch's own strings finds
nothing to mask, else ``secrets.scrub_data``), so the batch is ``Scrubbed`` UTF-8 that the
writer does not decode or scan again; the rest passes the policy as text. ``render`` is the same
text whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import msgspec

from imageyard import secrets
from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Evidence, Finding, Unknown
from imageyard.report import jsontext
from imageyard.report.jsontext import Raw
from imageyard.report.view import (
    evidence_doc,
    finding_doc,
    result_document,
    summary_doc,
    unknown_doc,
)
from imageyard.secrets import Scrubbed

BATCH = 1000
CACHED = 10_000
# NOTE: a batch is encoded as the list in {"i": [...]}, so msgspec's indentation puts its
# elements where the report's top-level lists have theirs (two levels in)
_OPEN = b'{\n  "i": [\n'
_CLOSE = b"\n  ]\n}"
_MISSING: Any = object()
_PLAIN = frozenset({str, int, bool, type(None)})
_REFUSED = (TypeError, ValueError, OverflowError, NotImplementedError)


class _Evidence:
    """An element's evidence list, encoded once from data that went through the policy."""

    __slots__ = ("raw",)

    def __init__(self, raw: msgspec.Raw) -> None:
        self.raw = raw


def _with_evidence(obj: object) -> msgspec.Raw:
    if isinstance(obj, _Evidence):
        return obj.raw
    raise NotImplementedError


def _without_evidence(obj: object) -> None:
    if isinstance(obj, _Evidence):
        return None
    raise NotImplementedError


_ENCODER = msgspec.json.Encoder(order="sorted", enc_hook=_with_evidence)
# NOTE: an element's own strings only (its evidence, checked once per list, as null)
_PROBE = msgspec.json.Encoder(order="sorted", enc_hook=_without_evidence)


@dataclasses.dataclass
class _Cache:
    """Per report: the evidence lists built so far, for msgspec and as ``jsontext`` text."""

    docs: dict[tuple[Evidence, ...], _Evidence | None] = dataclasses.field(default_factory=dict)
    # NOTE: by the ids of the Evidence objects, which rules share between findings (no
    # dataclass hash per element); ``pinned`` keeps them alive so no id is reused
    by_id: dict[tuple[int, ...], _Evidence | None] = dataclasses.field(default_factory=dict)
    pinned: list[tuple[Evidence, ...]] = dataclasses.field(default_factory=list)
    texts: dict[tuple[Evidence, ...], Raw] = dataclasses.field(default_factory=dict)

    def bound(self) -> None:
        """Start afresh at ``CACHED`` lists: a rule that cites per-image facts gives a list
        per image, which would make the cache grow with the catalog."""
        if len(self.docs) + len(self.texts) >= CACHED:
            self.docs.clear()
            self.by_id.clear()
            self.pinned.clear()
            self.texts.clear()


def _text(doc: object) -> str:
    return jsontext.dumps(doc, ensure_ascii=False)


def _scrubbed(docs: list[Any], probe: bytes) -> list[Any]:
    """``docs`` with every string through the secrets policy (``probe``: their JSON)."""
    return docs if secrets.current().clean_json(probe) else secrets.scrub_data(docs)


def _evidence_docs(evidence: tuple[Evidence, ...], cache: _Cache) -> _Evidence | None:
    """The evidence list of an element, built once per distinct list; None if not plain."""
    wrapped: _Evidence | None = cache.docs.get(evidence, _MISSING)
    if wrapped is _MISSING:
        cache.bound()
        docs = [evidence_doc(e) for e in evidence]
        wrapped = None
        if all(type(v) in _PLAIN for d in docs for v in d.values()):
            data = _ENCODER.encode(docs)
            if not secrets.current().clean_json(data):
                data = _ENCODER.encode(secrets.scrub_data(docs))
            wrapped = _Evidence(msgspec.Raw(data))
        cache.docs[evidence] = wrapped
    cache.by_id[tuple(map(id, evidence))] = wrapped
    cache.pinned.append(evidence)
    return wrapped


def _plain_actions(items: Sequence[Finding | Unknown]) -> bool:
    """Whether every action parameter of ``items`` is plain (the model says strings)."""
    params = [i.action.params for i in items if isinstance(i, Finding) and i.action is not None]
    return set(map(type, chain.from_iterable(chain.from_iterable(params)))) <= _PLAIN


def _docs(items: Sequence[Finding | Unknown], cache: _Cache) -> list[dict[str, Any]] | None:
    """The documents of ``items`` for msgspec, or None if one holds a value that is not plain."""
    known = cache.by_id
    docs = []
    for item in items:
        evidence = known.get(tuple(map(id, item.evidence)), _MISSING)
        if evidence is _MISSING:
            evidence = _evidence_docs(item.evidence, cache)
        if evidence is None:
            return None
        if isinstance(item, Finding):
            docs.append(finding_doc(item, evidence))
        else:
            docs.append(unknown_doc(item, evidence))
    return docs if _plain_actions(items) else None


def _fast(items: Sequence[Finding | Unknown], cache: _Cache) -> Scrubbed | None:
    """The elements, as ``_slow`` writes them, by msgspec, each string through the secrets
    policy (``Scrubbed``); None if msgspec cannot write them."""
    docs = _docs(items, cache)
    if docs is None:
        return None
    try:
        docs = _scrubbed(docs, _PROBE.encode(docs))
        data = msgspec.json.format(_ENCODER.encode({"i": docs}), indent=2)
    except _REFUSED:
        return None  # NOTE: jsontext then fails, or not, as it always did
    return Scrubbed(memoryview(data)[len(_OPEN) : -len(_CLOSE)])


def _evidence_text(evidence: tuple[Evidence, ...], cache: _Cache) -> Raw:
    """The evidence list of an element as ``jsontext`` text, encoded once per distinct list."""
    text = cache.texts.get(evidence)
    if text is None:
        cache.bound()
        docs = [evidence_doc(e) for e in evidence]
        text = cache.texts[evidence] = Raw(jsontext.dumps(docs, 3, ensure_ascii=False))
    return text


def _element(item: Finding | Unknown, cache: _Cache) -> str:
    """One finding or unknown as an element of a top-level list (indented two levels)."""
    evidence = _evidence_text(item.evidence, cache)
    doc = finding_doc(item, evidence) if isinstance(item, Finding) else unknown_doc(item, evidence)
    return jsontext.dumps(doc, 2, ensure_ascii=False)


def _slow(items: Sequence[Finding | Unknown], cache: _Cache) -> str:
    return "    " + ",\n    ".join(_element(i, cache) for i in items)


def _items(items: Sequence[Finding | Unknown]) -> Iterator[str | Scrubbed]:
    """The elements of a top-level list, as json.dumps indents them, a batch per chunk."""
    cache = _Cache()
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        text = _fast(batch, cache)
        end = ",\n" if start + BATCH < len(items) else "\n"
        if text is None:
            yield _slow(batch, cache) + end
        else:
            yield from (text, end)


def _list(key: str, items: Sequence[Finding | Unknown]) -> Iterator[str | Scrubbed]:
    if not items:
        yield f'"{key}": []'
        return
    yield f'"{key}": [\n'
    yield from _items(items)
    yield "  ]"


def chunks(result: AuditResult) -> Iterator[str | Scrubbed]:
    """``render``'s text in pieces, each a whole unit (never a value cut in two): text, or
    ``Scrubbed`` UTF-8 (a batch of elements, ``files.write_text`` writes it as is)."""
    doc = result_document(dataclasses.replace(result, findings=(), unknowns=()))
    doc["summary"] = summary_doc(result)
    text = _text(doc) + "\n"
    # NOTE: a top-level key is the only place these appear unescaped at this indentation
    head, _, rest = text.partition('\n  "findings": []')
    middle, _, tail = rest.partition('\n  "unknowns": []')
    head, middle = head + "\n  ", middle + "\n  "
    yield head
    yield from _list("findings", result.findings)
    yield middle
    yield from _list("unknowns", result.unknowns)
    yield tail


def render(result: AuditResult) -> str:
    """The result as deterministic JSON text."""
    return "".join(c if isinstance(c, str) else c.decode("utf-8") for c in chunks(result))
