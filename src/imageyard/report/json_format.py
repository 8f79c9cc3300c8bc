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


def _text(doc: object) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False)


def _items(items: Sequence[Any], to_doc: Callable[[Any], object]) -> Iterator[str]:
    """The elements of a top-level list, as json.dumps indents them, a batch per chunk."""
    # NOTE: one json.dumps per batch, not per element: each call with an indent builds
    # closures that refer to each other, garbage only the cyclic collector frees, and the
    # offline commands run with it paused (gcpause)
    for start in range(0, len(items), BATCH):
        batch = _text([to_doc(i) for i in items[start : start + BATCH]])
        text = "  " + batch[2:-2].replace("\n", "\n  ")  # the batch's "[" and "]" dropped
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
