"""Renderers of a reclaim result: JSON (canonical), table, Markdown and SARIF.

Concepts: ``FORMATS`` maps the ``-f`` name to a pure ``render(result) -> str``; every
format is built from the same ``document.result_document``, so they all say the same.
"""

from __future__ import annotations

from collections.abc import Callable

from imageyard.reclaim.model import ReclaimResult
from imageyard.reclaim.render import json_format, markdown, sarif, table

Renderer = Callable[[ReclaimResult], str]

FORMATS: dict[str, Renderer] = {
    "table": table.render,
    "json": json_format.render,
    "markdown": markdown.render,
    "sarif": sarif.render,
}

__all__ = ["FORMATS", "Renderer"]
