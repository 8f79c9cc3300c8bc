"""A mute file's YAML, read into its entries (``mute`` says what they mean).

Concepts: the file is composed by ``yamlsafe`` (bounded) into nodes, so that every error
names the ``file:line`` of the node at fault; a list of entries, or a mapping with a single
``mutes:`` list; each entry a mapping of ``rule``, ``reason``, ``expires`` (YYYY-MM-DD) and
optionally ``resource``.
"""

from __future__ import annotations

import datetime

import yaml

from imageyard import yamlsafe
from imageyard.audit.mute import Mute, MuteFileError

_KEYS = frozenset({"rule", "resource", "reason", "expires"})
_REQUIRED = ("rule", "reason", "expires")


def _fail(path: str, node: yaml.Node | None, reason: str) -> MuteFileError:
    line = node.start_mark.line + 1 if node is not None else 1
    return MuteFileError(
        f"{path}:{line}: {reason}",
        tip="each entry needs rule, reason and expires (YYYY-MM-DD); resource is a glob",
    )


def _scalar(path: str, node: yaml.Node, key: str) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise _fail(path, node, f"{key} must be a non-empty string")
    return str(node.value).strip()


def _date(path: str, node: yaml.Node) -> datetime.date:
    text = _scalar(path, node, "expires")
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise _fail(path, node, f"expires {text!r} is not a date (YYYY-MM-DD)") from None


def _entry(path: str, node: yaml.Node) -> Mute:
    if not isinstance(node, yaml.MappingNode):
        raise _fail(path, node, "a mute entry must be a mapping")
    fields: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in _KEYS:
            raise _fail(path, key_node, f"unknown key {key!r} (known: {', '.join(sorted(_KEYS))})")
        if key in fields:
            raise _fail(path, key_node, f"key {key!r} given twice in one entry")
        fields[key] = value_node
    for key in _REQUIRED:
        if key not in fields:
            raise _fail(path, node, f"entry lacks {key!r}")
    resource = fields.get("resource")
    return Mute(
        rule=_scalar(path, fields["rule"], "rule"),
        resource=_scalar(path, resource, "resource") if resource is not None else "*",
        reason=_scalar(path, fields["reason"], "reason"),
        expires=_date(path, fields["expires"]),
        where=f"{path}:{node.start_mark.line + 1}",
    )


def _entries_node(path: str, root: yaml.Node | None) -> list[yaml.Node]:
    if root is None:
        return []
    if isinstance(root, yaml.MappingNode):
        pairs = {str(k.value): v for k, v in root.value}
        if set(pairs) != {"mutes"}:
            raise _fail(path, root, "expected a list of entries or a single 'mutes:' key")
        root = pairs["mutes"]
    if isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null"):
        return []
    if not isinstance(root, yaml.SequenceNode):
        raise _fail(path, root, "expected a list of mute entries")
    return list(root.value)


def parse(text: str, *, origin: str) -> tuple[Mute, ...]:
    """The entries of mute-file ``text``; ``origin`` names the file in errors."""
    try:
        root = yamlsafe.compose(text)
    except yamlsafe.YamlLimitError as exc:
        raise MuteFileError(f"{origin}:{exc.line}: {exc.reason}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or " ".join(str(exc).split())[:200]
        raise MuteFileError(f"{origin}:{line}: not valid YAML ({problem})") from None
    return tuple(_entry(origin, node) for node in _entries_node(origin, root))
