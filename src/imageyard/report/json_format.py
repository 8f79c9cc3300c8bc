"""JSON: the canonical audit output (sorted keys, two-space indent, stable order).

Concepts: ``chunks`` gives the text in pieces, so the report of a large catalog (a finding
or unknown per image) is never one document or one string: the document around the
findings and unknowns, then those a batch at a time, each encoded as it is written.
An element is written in place at its indentation (``jsontext``), and a list of evidence
that many elements share is encoded once. ``render`` is the same text whole.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence

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

BATCH = 1000


def _text(doc: object) -> str:
    return jsontext.dumps(doc, ensure_ascii=False)


def _evidence_text(evidence: tuple[Evidence, ...], cache: dict[tuple[Evidence, ...], Raw]) -> Raw:
    """The evidence list of an element, encoded once per distinct list."""
    text = cache.get(evidence)
    if text is None:
        docs = [evidence_doc(e) for e in evidence]
        text = cache[evidence] = Raw(jsontext.dumps(docs, 3, ensure_ascii=False))
    return text


def _element(item: Finding | Unknown, cache: dict[tuple[Evidence, ...], Raw]) -> str:
    """One finding or unknown as an element of a top-level list (indented two levels)."""
    evidence = _evidence_text(item.evidence, cache)
    doc = finding_doc(item, evidence) if isinstance(item, Finding) else unknown_doc(item, evidence)
    return jsontext.dumps(doc, 2, ensure_ascii=False)


def _items(items: Sequence[Finding | Unknown]) -> Iterator[str]:
    """The elements of a top-level list, as json.dumps indents them, a batch per chunk."""
    cache: dict[tuple[Evidence, ...], Raw] = {}
    for start in range(0, len(items), BATCH):
        texts = [_element(i, cache) for i in items[start : start + BATCH]]
        end = ",\n" if start + BATCH < len(items) else "\n"
        yield "    " + ",\n    ".join(texts) + end


def _list(key: str, items: Sequence[Finding | Unknown]) -> Iterator[str]:
    if not items:
        yield f'"{key}": []'
        return
    yield f'"{key}": [\n'
    yield from _items(items)
    yield "  ]"


def chunks(result: AuditResult) -> Iterator[str]:
    """``render``'s text in pieces, each a whole unit (never a value cut in two)."""
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
    return "".join(chunks(result))
