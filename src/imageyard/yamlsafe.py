"""YAML composed within bounds: no aliases, a depth limit and a node budget.

Concepts: site descriptions and mute files are small, hand-written documents, so imageyard
composes them with PyYAML's safe loader under three bounds that keep a hostile or broken
file from exhausting memory or the stack: aliases (``*name``, the "billion laughs"
expansion) are refused, nesting deeper than ``MAX_DEPTH`` is refused, and so is a document
of more than ``MAX_NODES`` nodes. Each refusal is a ``YamlLimitError`` with the line.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_DEPTH = 64
MAX_NODES = 200_000


class YamlLimitError(Exception):
    """A document beyond one of the bounds; ``line`` is 1-based."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def _line(self) -> int:
        event: Any = self.peek_event()  # type: ignore[no-untyped-call]
        return int(event.start_mark.line) + 1

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise YamlLimitError(self._line(), "YAML aliases (*name) are not allowed here")
        self._depth += 1
        self._nodes += 1
        if self._depth > MAX_DEPTH:
            raise YamlLimitError(self._line(), f"nested deeper than {MAX_DEPTH} levels")
        if self._nodes > MAX_NODES:
            raise YamlLimitError(self._line(), f"more than {MAX_NODES} YAML nodes")
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def compose(text: str) -> yaml.Node | None:
    """The node tree of the single YAML document ``text`` (None when empty).

    Raises ``yaml.YAMLError`` for what is not YAML and ``YamlLimitError`` beyond a bound.
    """
    loader = _BoundedLoader(text)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()
