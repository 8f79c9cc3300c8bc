"""JSON: the canonical audit output (sorted keys, two-space indent, stable order).

Concepts: ``chunks`` gives the text in pieces, so the report of a large catalog (a finding
or unknown per image) is never one document or one string: the document around the
findings and unknowns, then those a batch at a time, each encoded as it is written.
A list of evidence that many elements share is built once, and so is the part of a
document that elements of one ``finding_key`` (``unknown_key``) share (rule, status,
severity, confidence, cause, mute). A batch is written the first of four ways that can:

* ``_patterned``: each element filled from its pattern with its own values
  (``json_fill``: the whole element written once per pattern, the values put in and the
  batch joined at once), when every element has one (``Finding.own_values``) and the
  policy changes none of their own strings, judged on the pattern's pieces and the
  batch's values;
* ``_templated``: each element filled into the ``json_template`` form of its key (the
  shared part, field names and parameter names written once, as ``json.dumps`` writes
  them), with its evidence list as msgspec indents it and its own strings escaped for the
  whole batch by msgspec's encoder; when every own string is a string and the policy
  changes none of them;
* ``_fast``: documents encoded by msgspec's C encoder and indenter, which write the same
  text as ``json.dumps(indent=2, sort_keys=True, ensure_ascii=False)`` for strings,
  integers, booleans and null; when the batch holds nothing else (a float, which msgspec
  writes in its own way, or a value it refuses);
* ``_slow``: ``jsontext``, as before.

Every string of the first three passes the secrets policy before it is encoded: a shared
part, a form or an evidence list when it is built (a form the policy would change is not
used; a batch holding a shared part it would change goes through it whole), a pattern's
pieces when its element is built (``secrets.pieces_clean``), the rest of the batch at once
(its values, ``secrets.values_clean``; or ``secrets.clean_json`` over its own strings as
JSON, or ``secrets.clean_texts`` over them, finds nothing to mask, else ``_fast`` with
``secrets.scrub_data`` over the batch), so the batch is ``Scrubbed`` UTF-8 that the writer
does not decode or scan again; the rest passes the policy as text. ``render`` is the same
text whole. A batch is ``BATCH`` elements: its text and the copies made of it while it is
joined, encoded and written stay in the processor's cache.
"""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import msgspec

from imageyard import secrets
from imageyard.audit.engine import AuditResult
from imageyard.model.finding import Evidence, Finding, Pattern, Unknown
from imageyard.report import json_fill, json_template, jsontext
from imageyard.report.json_template import Cited
from imageyard.report.jsontext import Raw
from imageyard.report.view import (
    FINDING_OWN,
    UNKNOWN_OWN,
    evidence_doc,
    finding_doc,
    finding_key,
    finding_own,
    finding_shared,
    result_document,
    summary_doc,
    unknown_doc,
    unknown_key,
    unknown_own,
    unknown_shared,
)
from imageyard.secrets import Scrubbed

BATCH = 250
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

    __slots__ = ("_indented", "raw")

    def __init__(self, raw: msgspec.Raw) -> None:
        self.raw = raw
        self._indented: bytes | None = None

    def indented(self) -> bytes:
        """The list as the value of an element's field (three levels in), as msgspec's
        indenter writes it in a batch."""
        if self._indented is None:
            # NOTE: a newline in JSON text is always indentation (strings escape theirs)
            text = msgspec.json.format(self.raw, indent=2)
            self._indented = text.replace(b"\n", b"\n      ")
        return self._indented


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


# NOTE: a form held by part: the part, the citations it writes, the form
_PartForm = tuple[object, Cited, json_template.Form | None]
_NO_FORM: _PartForm = (None, None, None)
_NO_PATTERN: tuple[object, json_fill.Filled | None] = (None, None)


@dataclasses.dataclass
class _Cache:
    """Per report: the evidence lists built so far, for msgspec and as ``jsontext`` text, and
    the document parts that findings (unknowns) of one key share."""

    docs: dict[tuple[Evidence, ...], _Evidence | None] = dataclasses.field(default_factory=dict)
    # NOTE: by the id of the tuple, then by the ids of its Evidence objects, which rules
    # share between findings (no dataclass hash per element); ``pinned`` keeps each tuple
    # looked up by id alive so no id is reused
    by_list: dict[int, _Evidence | None] = dataclasses.field(default_factory=dict)
    by_id: dict[tuple[int, ...], _Evidence | None] = dataclasses.field(default_factory=dict)
    pinned: list[tuple[Evidence, ...]] = dataclasses.field(default_factory=list)
    texts: dict[tuple[Evidence, ...], Raw] = dataclasses.field(default_factory=dict)
    # NOTE: by ``finding_key`` or ``unknown_key`` (tuples of different lengths): the shared
    # part, whose strings the policy leaves as they are; None when it does not (or msgspec
    # cannot write it), so such elements are built and judged whole
    shared: dict[tuple[object, ...], dict[str, Any] | None] = dataclasses.field(
        default_factory=dict
    )
    # NOTE: by the same keys and the parameter names: the forms of ``json_template``
    forms: dict[tuple[object, ...], json_template.Form | None] = dataclasses.field(
        default_factory=dict
    )
    # NOTE: the same forms by the id of the part their items are made from (``shared_by``:
    # such items share every field of their key), the parameter names and whether the form
    # writes their citations, with that part and those citations (so an id is never taken
    # for another part's, nor a form for other citations)
    by_part: dict[tuple[int, tuple[str, ...] | None, bool], _PartForm] = dataclasses.field(
        default_factory=dict
    )
    # NOTE: by the id of a ``Pattern`` and the number of values its results give: the
    # pattern (so an id is never taken for another's) and its element (None: not filled)
    patterns: dict[tuple[int, int], tuple[object, json_fill.Filled | None]] = dataclasses.field(
        default_factory=dict
    )

    def bound(self) -> None:
        """Start afresh at ``CACHED`` entries: a rule that cites per-image facts gives a list
        per image, which would make the cache grow with the catalog."""
        held: tuple[dict[Any, Any], ...] = (
            self.docs,
            self.by_list,
            self.by_id,
            self.texts,
            self.shared,
            self.forms,
            self.by_part,
            self.patterns,
        )
        if sum(len(d) for d in held) >= CACHED:
            for d in held:
                d.clear()
            self.pinned.clear()


def _text(doc: object) -> str:
    return jsontext.dumps(doc, ensure_ascii=False)


def _evidence_docs(evidence: tuple[Evidence, ...], cache: _Cache) -> _Evidence | None:
    """The evidence list of an element, built once per distinct list; None if not plain."""
    wrapped: _Evidence | None = cache.docs.get(evidence, _MISSING)
    if wrapped is _MISSING:
        docs = [evidence_doc(e) for e in evidence]
        wrapped = None
        if all(type(v) in _PLAIN for d in docs for v in d.values()):
            data = _ENCODER.encode(docs)
            if not secrets.current().clean_json(data):
                data = _ENCODER.encode(secrets.scrub_data(docs))
            wrapped = _Evidence(msgspec.Raw(data))
        cache.docs[evidence] = wrapped
    return wrapped


def _evidence(evidence: tuple[Evidence, ...], cache: _Cache) -> _Evidence | None:
    """``_evidence_docs``, looked up by the tuple's id, then by its elements' ids."""
    wrapped: _Evidence | None = cache.by_list.get(id(evidence), _MISSING)
    if wrapped is _MISSING:
        cache.bound()
        ids = tuple(map(id, evidence))
        wrapped = cache.by_id.get(ids, _MISSING)
        if wrapped is _MISSING:
            wrapped = cache.by_id[ids] = _evidence_docs(evidence, cache)
        cache.by_list[id(evidence)] = wrapped
        cache.pinned.append(evidence)
    return wrapped


def _shared(
    item: Finding | Unknown, key: tuple[object, ...], cache: _Cache
) -> dict[str, Any] | None:
    """The part of ``item``'s document that items of ``key`` share, judged by the policy
    once; None when the policy would change it or msgspec cannot write it."""
    cache.bound()
    doc = finding_shared(item) if isinstance(item, Finding) else unknown_shared(item)
    try:
        clean = secrets.current().clean_json(_PROBE.encode(doc))
    except _REFUSED:
        clean = False
    shared = cache.shared[key] = doc if clean else None
    return shared


# NOTE: the strings of an element's own fields (``FINDING_OWN``, ``UNKNOWN_OWN``) that the
# policy judges with the batch; a finding's action (its kind and parameters) is judged too
_FINDING_TEXTS = ("resource", "message", "remediation")
_UNKNOWN_TEXTS = ("resource", "reason")
# NOTE: the names of the fields outside the shared parts (an evidence list's are judged with it)
_OWN_KEYS = (*FINDING_OWN, *UNKNOWN_OWN, "evidence", "kind", "params")
_finding_texts = operator.itemgetter(*_FINDING_TEXTS)
_unknown_texts = operator.itemgetter(*_UNKNOWN_TEXTS)


def _shared_part(item: Finding | Unknown, cache: _Cache) -> dict[str, Any] | None:
    """The part of ``item``'s document that items of its key share (None: not shared)."""
    key = finding_key(item) if isinstance(item, Finding) else unknown_key(item)
    shared = cache.shared.get(key, _MISSING)
    return _shared(item, key, cache) if shared is _MISSING else shared


def _own(item: Finding | Unknown, shared: dict[str, Any], evidence: _Evidence) -> dict[str, Any]:
    if isinstance(item, Finding):
        return finding_own(shared.copy(), item, evidence)
    return unknown_own(shared.copy(), item, evidence)


def _whole(item: Finding | Unknown, evidence: _Evidence) -> dict[str, Any]:
    return finding_doc(item, evidence) if isinstance(item, Finding) else unknown_doc(item, evidence)


@dataclasses.dataclass
class _Batch:
    """A batch's documents for msgspec, the strings of them the policy has not judged yet,
    and whether every other string has been (False: the policy goes over them all)."""

    docs: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    texts: list[str] = dataclasses.field(default_factory=list)
    judged: bool = True

    def add(self, item: Finding | Unknown, evidence: _Evidence, cache: _Cache) -> None:
        """``item``'s document, its own strings to be judged."""
        shared = _shared_part(item, cache)
        if shared is None:
            self.judged = False
            self.docs.append(_whole(item, evidence))
            return
        doc = _own(item, shared, evidence)
        self.docs.append(doc)
        own = _finding_texts(doc) if isinstance(item, Finding) else _unknown_texts(doc)
        self.texts += own

    def plain_actions(self) -> bool:
        """Whether every action parameter is plain (the model says strings); their strings
        and the actions' kinds join those to be judged."""
        actions = [d["action"] for d in self.docs if d.get("action") is not None]
        params = [a["params"] for a in actions]
        values = list(chain.from_iterable(chain(p, p.values()) for p in params))
        kinds = set(map(type, values))
        self.texts += (a["kind"] for a in actions)
        self.texts += values if kinds <= {str} else (v for v in values if type(v) is str)
        return kinds <= _PLAIN

    def scrubbed(self) -> list[dict[str, Any]]:
        """The documents with every string through the policy: as they are when it would
        change none of the strings to judge (the names of the fields included), else with
        those it changes replaced."""
        texts = [*self.texts, *_OWN_KEYS]
        try:
            if self.judged and secrets.current().clean_texts(texts):
                return self.docs
            if self.judged:
                return secrets.scrub_data(self.docs, texts)
        except TypeError:
            pass  # NOTE: a value that is not a string (the model says one): all judged
        return secrets.scrub_data(self.docs)


def _docs(items: Sequence[Finding | Unknown], cache: _Cache) -> _Batch | None:
    """The documents of ``items`` for msgspec, or None if one holds a value that is not plain."""
    batch = _Batch()
    for item in items:
        evidence = _evidence(item.evidence, cache)
        if evidence is None:
            return None
        batch.add(item, evidence, cache)
    return batch if batch.plain_actions() else None


def _fast(items: Sequence[Finding | Unknown], cache: _Cache) -> Scrubbed | None:
    """The elements, as ``_slow`` writes them, by msgspec, each string through the secrets
    policy (``Scrubbed``); None if msgspec cannot write them."""
    batch = _docs(items, cache)
    if batch is None:
        return None
    docs = batch.scrubbed()
    try:
        data = msgspec.json.format(_ENCODER.encode({"i": docs}), indent=2)
    except _REFUSED:
        return None  # NOTE: jsontext then fails, or not, as it always did
    return Scrubbed(memoryview(data)[len(_OPEN) : -len(_CLOSE)])


def _form(
    item: Finding | Unknown, names: tuple[str, ...] | None, cited: Cited, cache: _Cache
) -> json_template.Form | None:
    """``_keyed_form``, looked up by the part ``item`` is made from when it names one."""
    part = item.shared_by
    if part is None:
        return _keyed_form(item, names, cited, cache)
    key = (id(part), names, cited is not None)
    held, made, found = cache.by_part.get(key, _NO_FORM)
    if held is not part or made is not cited:
        found = _keyed_form(item, names, cited, cache)
        cache.by_part[key] = (part, cited, found)
    return found


def _keyed_form(
    item: Finding | Unknown, names: tuple[str, ...] | None, cited: Cited, cache: _Cache
) -> json_template.Form | None:
    """The ``json_template`` form of ``item`` with ``names`` as its parameter names and
    ``cited`` as its citations, built and judged by the policy once; None when its shared
    part is not shared, the policy would change a string in it (a parameter name, a field
    name, a citation's), or a name is not a string."""
    key = finding_key(item) if isinstance(item, Finding) else unknown_key(item)
    found: json_template.Form | None = cache.forms.get((key, names, cited), _MISSING)
    if found is _MISSING:
        shared = _shared_part(item, cache)
        found = cache.forms[key, names, cited] = _built(shared, item, names, cited)
    return found


def _built(
    shared: dict[str, Any] | None,
    item: Finding | Unknown,
    names: tuple[str, ...] | None,
    cited: Cited,
) -> json_template.Form | None:
    if shared is None or any(type(n) is not str for n in names or ()):
        return None
    text = json_template.text(shared, item, names, cited)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return json_template.form(text) if secrets.current().clean_json(data) else None


def _written(
    item: Finding | Unknown, cache: _Cache
) -> tuple[json_template.Form | None, list[Any], bytes]:
    """``item``'s form, own strings and evidence list as its form's evidence slot takes it
    (empty when the form writes its citations; None: no form, or a citation not plain)."""
    names, cited, strings = json_template.own(item)
    if cited is not None and isinstance(item, Finding):
        form = _form(item, names, cited, cache)
        if form is not None:
            return form, strings, b""
        names, strings = item.own_strings()  # NOTE: a citation the policy would change
    evidence = _evidence(item.evidence, cache)
    if evidence is None:
        return None, strings, b""
    return _form(item, names, None, cache), strings, evidence.indented()


def _templated(items: Sequence[Finding | Unknown], cache: _Cache) -> Scrubbed | None:
    """The elements as ``_fast`` writes them, each filled into its form; None when one
    cannot be (a value that is not a string) or the policy would change one of their own
    strings (``_fast`` then writes them, those strings masked)."""
    forms, listed, own = [], [], []
    for item in items:
        form, strings, evidence = _written(item, cache)
        if form is None:
            return None
        forms.append(form)
        listed.append(evidence)
        own += strings
    if not own or set(map(type, own)) != {str}:
        return None
    try:
        data = json_template.encoded(own)
    except _REFUSED:
        return None  # NOTE: a lone surrogate: ``_fast`` and ``_slow`` fail, or not, as before
    if not secrets.current().clean_json(data):
        return None
    texts = json_template.quoted(data)
    if len(texts) != len(own):
        return None  # NOTE: never (a string's JSON text holds no NUL): ``_fast`` is right anyway
    return Scrubbed(json_template.filled(forms, listed, texts))


def _pattern(
    item: Finding | Unknown, part: Pattern, count: int, cache: _Cache
) -> json_fill.Filled | None:
    """The element of ``part``'s results (``item`` one of them) as ``json_fill`` fills it
    with their ``count`` values; None when it cannot be (``_form`` gives no form, its
    evidence list is not plain, the policy may change one of its own strings)."""
    texts = json_fill.own_texts(part, count)
    if texts is None:
        return None
    names, cited, strings = texts
    form = _form(item, names, cited, cache)
    if form is None:
        return None
    listed = b""
    if cited is None:
        evidence = _evidence(item.evidence, cache)
        if evidence is None:
            return None
        listed = evidence.indented()
    return json_fill.pattern(form, listed, strings)


def _patterned(items: Sequence[Finding | Unknown], cache: _Cache) -> Scrubbed | None:
    """The elements as ``_templated`` writes them, each filled from its pattern with its
    own values (``json_fill``); None when one has no pattern, or its pattern no element,
    or the policy may change one of their own strings (``_templated`` then writes them)."""
    slots: list[str | None] = []
    values: list[str] = []
    exposed: list[str] = []
    patterns = cache.patterns
    # NOTE: the last item's pattern, key and element (its slots and picks, read once):
    # results of one part often follow each other (the unknowns of one pool), and need
    # not look theirs up again
    part: Pattern | None = None
    count = -1
    pieces: tuple[str | None, ...] = ()
    picks: json_fill.Picks | None = None
    exposes: json_fill.Picks | None = None
    end = values.append
    for item in items:
        own = item.own_values()
        if own is None:
            return None
        its = own[1]
        if own[0] is not part or len(its) != count:
            part, count = own[0], len(its)
            key = (id(part), count)
            held = patterns.get(key, _NO_PATTERN)
            if held[0] is not part:
                cache.bound()
                held = patterns[key] = (part, _pattern(item, part, count, cache))
            filled = held[1]
            if filled is None:
                return None
            pieces, picks, exposes = filled.slots, filled.picks, filled.exposed
        slots += pieces
        values += picks(its)  # type: ignore[misc]  # NOTE: set with ``pieces``
        end("")
        if exposes is not None:
            exposed += exposes(its)
    data = json_fill.filled(slots, values, exposed)
    return None if data is None else Scrubbed(data)


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
        text = _patterned(batch, cache) or _templated(batch, cache) or _fast(batch, cache)
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
