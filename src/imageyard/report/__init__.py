"""Report stage: one module per output format, each a pure ``render(result) -> str``.

Concepts: ``FORMATS`` maps a format name (``-f``) to its render function. JSON is the
canonical, deterministic form (sorted keys, stable order); table, Markdown and SARIF are
views of the same ``AuditResult``. Renderers never write files or exit.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imageyard.audit.engine import AuditResult

Renderer = Callable[["AuditResult"], str]

# NOTE: a format's module is imported when that format is first rendered: importing this
# package (for ``grid`` or ``jsontext`` as well) does not import every format
_MODULES = {"table": "table", "json": "json_format", "markdown": "markdown", "sarif": "sarif"}


def _render_of(module: str) -> Renderer:
    """``imageyard.report.<module>.render``, imported on the first call."""

    def render(result: AuditResult) -> str:
        found: Renderer = importlib.import_module(f"imageyard.report.{module}").render
        return found(result)

    return render


FORMATS: dict[str, Renderer] = {name: _render_of(module) for name, module in _MODULES.items()}

__all__ = ["FORMATS", "Renderer"]
