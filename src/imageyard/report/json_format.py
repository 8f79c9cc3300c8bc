"""JSON: the canonical audit output (sorted keys, two-space indent, stable order).

Concepts: ``chunks`` gives the text in pieces, so the report of a large catalog (a finding
or unknown per image) is never one document or one string: the document around the
findings and unknowns, then those a batch at a time, each encoded as it is written.
``render`` is the same text whole.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from imageyard.audit.engine import AuditResult
from imageyard.report.view import finding_doc, result_document, summary_doc, unknown_doc

BATCH = 1000
_INDENT = "\n    "


def _text(doc: object) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)


def _items(items: Sequence[Any], to_doc: Callable[[Any], object]) -> Iterator[str]:
    """The elements of a top-level list, as json.dumps indents them, a batch per chunk."""
    for start in range(0, len(items), BATCH):
        batch = items[start : start + BATCH]
        text = ",\n".join("    " + _text(to_doc(i)).replace("\n", _INDENT) for i in batch)
        yield text + (",\n" if start + BATCH < len(items) else "\n")


def _list(key: str, items: Sequence[Any], to_doc: Callable[[Any], object]) -> Iterator[str]:
    if not items:
        yield f'"{key}": []'
        return
    yield f'"{key}": [\n'
    yield from _items(items, to_doc)
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
    yield from _list("findings", result.findings, finding_doc)
    yield middle
    yield from _list("unknowns", result.unknowns, unknown_doc)
    yield tail


def render(result: AuditResult) -> str:
    """The result as deterministic JSON text."""
    return "".join(chunks(result))
