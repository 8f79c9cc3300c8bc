"""JSON: the canonical audit output (sorted keys, two-space indent, stable order)."""

from __future__ import annotations

import json

from imageyard.audit.engine import AuditResult
from imageyard.report.view import result_document


def render(result: AuditResult) -> str:
    """The result as deterministic JSON text."""
    return json.dumps(result_document(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
