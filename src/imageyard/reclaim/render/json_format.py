"""JSON: the canonical reclaim output (sorted keys, two-space indent, stable order)."""

from __future__ import annotations

import json

from imageyard.reclaim.model import ReclaimResult
from imageyard.reclaim.render.document import result_document


def render(result: ReclaimResult) -> str:
    """The result as deterministic JSON text."""
    return json.dumps(result_document(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
