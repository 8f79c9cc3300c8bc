"""JSON: the canonical reclaim output (sorted keys, two-space indent, stable order)."""

from __future__ import annotations

from imageyard.reclaim.model import ReclaimResult
from imageyard.reclaim.render.document import result_document
from imageyard.report import jsontext


def render(result: ReclaimResult) -> str:
    """The result as deterministic JSON text."""
    return jsontext.dumps(result_document(result), ensure_ascii=False) + "\n"
