"""Renderers: the design's configuration in the form each deployment tool takes.

Concepts: every renderer is a module with ``render(design, diffs) -> str`` and ``TOOL``.
``ini`` prints the unified diffs themselves; the deploy-tool renderers turn the same
changes into that tool's variables or override files, emit only what the tool can express,
and end with a list of what it cannot (removals, per-store weights, ...). ``RENDERERS``
maps the ``--render`` names to the modules; ``renderer(name)`` gives one's ``render``,
importing its module then (the memo itself needs only ``ini``).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from imageyard.design.diff import FileDiff
    from imageyard.design.model import Design

Renderer = Callable[["Design", tuple["FileDiff", ...]], str]

RENDERERS: dict[str, str] = {
    "ini": "imageyard.design.render.ini",
    "kolla": "imageyard.design.render.kolla",
    "osa": "imageyard.design.render.osa",
    "charm": "imageyard.design.render.charm",
    "operator": "imageyard.design.render.operator",
}


def renderer(name: str) -> Renderer:
    """The ``render`` function of the renderer ``name`` (a key of ``RENDERERS``)."""
    # NOTE: imported on first use: a markdown or JSON memo reads none of the deploy tools'
    # renderers and option tables
    return cast(Renderer, importlib.import_module(RENDERERS[name]).render)
