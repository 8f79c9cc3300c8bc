"""Renderers: the design's configuration in the form each deployment tool takes.

Concepts: every renderer is a module with ``render(design, diffs) -> str`` and ``TOOL``.
``ini`` prints the unified diffs themselves; the deploy-tool renderers turn the same
changes into that tool's variables or override files, emit only what the tool can express,
and end with a list of what it cannot (removals, per-store weights, ...). ``RENDERERS``
maps the ``--render`` names to the modules.
"""

from __future__ import annotations

from collections.abc import Callable

from imageyard.design.diff import FileDiff
from imageyard.design.model import Design
from imageyard.design.render import charm, ini, kolla, operator, osa

Renderer = Callable[[Design, tuple[FileDiff, ...]], str]

RENDERERS: dict[str, Renderer] = {
    "ini": ini.render,
    "kolla": kolla.render,
    "osa": osa.render,
    "charm": charm.render,
    "operator": operator.render,
}
