"""Report stage: one module per output format, each a pure ``render(result) -> str``.

Concepts: ``FORMATS`` maps a format name (``-f``) to its render function. JSON is the
canonical, deterministic form (sorted keys, stable order); table, Markdown and SARIF are
views of the same ``AuditResult``. Renderers never write files or exit.
"""

from __future__ import annotations

from collections.abc import Callable

from imageyard.audit.engine import AuditResult
from imageyard.report import json_format, markdown, sarif, table

Renderer = Callable[[AuditResult], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_format.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
}

__all__ = ["FORMATS", "Renderer"]
