"""YAML documents checked against a JSON Schema, every problem named by its line.

Concepts: a hand-written YAML input (a site description) has a JSON Schema that is also its
documentation. ``check`` composes the text within ``yamlsafe``'s bounds, turns the node tree
into plain values while remembering the node of every value and key (``Located``), and runs
``jsonschema``'s Draft 2020-12 validator over it. What a JSON Schema cannot see is checked
while converting: a key given twice, a key that is not text, a tag no safe loader knows.
Every problem is a ``Problem`` with its 1-based line; ``fail`` turns them into one
``ConfigFileError`` line that names each one as ``file:line``.

Scalars are typed as the schema asks: where it expects a string, a plain scalar keeps the
text written (``release: 2025.10`` stays ``"2025.10"``, ``name: on`` stays ``"on"``);
elsewhere YAML's own resolution applies. A ``null`` value counts as a missing key, and NaN
is not a number.

jsonschema is imported when a document is first checked, not with this module: a command
that reads no YAML document (``design`` without ``--site``) does not load it.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import yaml

from imageyard import yamlsafe
from imageyard.errors import ConfigFileError

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError

JsonPath = tuple[str | int, ...]
MAX_SHOWN = 20


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a document, at a 1-based line (0: the document as a whole)."""

    line: int
    message: str


@dataclass
class Located:
    """A document's plain values and the node each value and each mapping key came from."""

    value: Any = None
    nodes: dict[JsonPath, yaml.Node] = field(default_factory=dict)
    keys: dict[JsonPath, yaml.Node] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def line(self, path: JsonPath, *, key: bool = False) -> int:
        """The line of the value at ``path`` (of its key with ``key``), else its parent's."""
        for end in range(len(path), -1, -1):
            node = (self.keys if key else self.nodes).get(path[:end])
            if node is None and key:
                node = self.nodes.get(path[:end])
            if node is not None:
                return int(node.start_mark.line) + 1
        return 0


def where(path: Iterable[str | int], top: str = "site description") -> str:
    """``backends[2].id`` for a path; ``top`` for the document itself."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or top


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


def _subschema(schema: Mapping[str, Any], root: Mapping[str, Any], step: str | int) -> Any:
    schema = _resolve(schema, root)
    if isinstance(step, int):
        return _resolve(schema.get("items", {}), root)
    props = schema.get("properties", {})
    return _resolve(props.get(step, schema.get("additionalProperties", {})), root)


def _resolve(schema: Any, root: Mapping[str, Any]) -> Any:
    ref = schema.get("$ref") if isinstance(schema, Mapping) else None
    if isinstance(ref, str) and ref.startswith("#/"):
        target: Any = root
        for part in ref[2:].split("/"):
            target = target.get(part, {})
        return target
    return schema if isinstance(schema, Mapping) else {}


def _wants_text(schema: Mapping[str, Any]) -> bool:
    if schema.get("type") == "string":
        return True
    choices = schema.get("enum")
    return isinstance(choices, list) and bool(choices) and all(isinstance(c, str) for c in choices)


class _Converter:
    """Node tree -> plain values, guided by the schema; records nodes and problems."""

    def __init__(self, root_schema: Mapping[str, Any]) -> None:
        self.root = root_schema
        self.out = Located()
        self._constructor = yaml.constructor.SafeConstructor()

    def value(self, node: yaml.Node, path: JsonPath, schema: Mapping[str, Any]) -> Any:
        self.out.nodes[path] = node
        if isinstance(node, yaml.MappingNode):
            return self._mapping(node, path, schema)
        if isinstance(node, yaml.SequenceNode):
            return [
                self.value(item, (*path, i), _subschema(schema, self.root, i))
                for i, item in enumerate(node.value)
            ]
        return self._scalar(node, path, schema)

    def _scalar(self, node: yaml.Node, path: JsonPath, schema: Mapping[str, Any]) -> Any:
        if _wants_text(_resolve(schema, self.root)) and node.tag in (
            "tag:yaml.org,2002:str",
            "tag:yaml.org,2002:int",
            "tag:yaml.org,2002:float",
            "tag:yaml.org,2002:bool",
            "tag:yaml.org,2002:timestamp",
        ):
            return str(node.value)
        try:
            return self._constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, OverflowError) as exc:
            reason = getattr(exc, "problem", None) or str(exc)
            self.out.problems.append(Problem(_line(node), f"{where(path)}: {reason}"))
            return None

    def _mapping(self, node: yaml.MappingNode, path: JsonPath, schema: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            if not isinstance(knode, yaml.ScalarNode):
                self.out.problems.append(Problem(_line(knode), f"{where(path)}: a key is not text"))
                continue
            key = str(knode.value)
            if (*path, key) in self.out.keys:
                message = f"{where(path)}: key {key!r} given twice"
                self.out.problems.append(Problem(_line(knode), message))
                continue
            self.out.keys[(*path, key)] = knode
            value = self.value(vnode, (*path, key), _subschema(schema, self.root, key))
            if value is not None:  # null: as if the key were not given
                out[key] = value
        return out


def located(root: yaml.Node, schema: Mapping[str, Any]) -> Located:
    """The plain values of ``root`` typed as ``schema`` asks, with their nodes."""
    converter = _Converter(schema)
    converter.out.value = converter.value(root, (), schema)
    return converter.out


def _is_number(checker: Any, instance: object) -> bool:
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return False
    return not (isinstance(instance, float) and math.isnan(instance))


def _is_integer(checker: Any, instance: object) -> bool:
    if not _is_number(checker, instance):
        return False
    return isinstance(instance, int) or (math.isfinite(instance) and float(instance).is_integer())  # type: ignore[arg-type]


@functools.cache
def _validator_class() -> Any:
    """Draft 2020-12 with NaN not a number (jsonschema imported here: see the module)."""
    import jsonschema

    checker = jsonschema.Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    )
    return jsonschema.validators.extend(  # type: ignore[no-untyped-call]
        jsonschema.Draft202012Validator, type_checker=checker
    )


_KIND = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "object": "a mapping",
    "array": "a list",
    "boolean": "true or false",
}


class _Checker:
    """A Draft 2020-12 validator for one schema, built (and the schema checked) on first
    use."""

    def __init__(self, schema: Mapping[str, Any]) -> None:
        self.schema = schema

    @functools.cached_property
    def _built(self) -> Any:
        cls = _validator_class()
        cls.check_schema(self.schema)
        return cls(self.schema)

    def iter_errors(self, instance: object) -> Iterator[ValidationError]:
        return iter(self._built.iter_errors(instance))


def validator(schema: Mapping[str, Any]) -> Any:
    """A Draft 2020-12 validator for ``schema`` (NaN is not a number), the schema checked
    when it first checks a document."""
    return _Checker(schema)


def _message(error: ValidationError) -> str:
    """One error in imageyard's words (``errorMessage`` in the schema wins)."""
    value, kind = error.instance, error.validator
    rule: Any = error.validator_value
    schema: Any = error.schema
    custom = schema.get("errorMessage") if isinstance(schema, Mapping) else None
    if isinstance(custom, str) and kind not in ("required", "additionalProperties", "type"):
        return f"{value!r} {custom}"
    if kind == "type":
        return f"{value!r} is not {_KIND.get(str(rule), str(rule))}"
    if kind == "enum":
        return f"{value!r} is not one of {', '.join(map(str, rule))}"
    if kind == "minimum" and rule == 0:
        return f"{value!r} is not a non-negative number"
    if kind in ("minimum", "maximum", "not", "exclusiveMinimum", "exclusiveMaximum"):
        return f"{value!r} is out of range ({_range(schema)})"
    return error.message


def _range(schema: Any) -> str:
    low, high = schema.get("minimum", "-inf"), schema.get("maximum", "inf")
    gap = schema.get("not", {}).get("exclusiveMaximum") if isinstance(schema, Mapping) else None
    if gap is not None:
        return f"{low:g}, or {gap:g} to {high:g}"
    return f"{low:g} to {high:g}"


def _problems(error: ValidationError, doc: Located) -> Iterator[Problem]:
    path: JsonPath = tuple(error.absolute_path)
    here = where(path)
    schema: Any = error.schema
    instance: Any = error.instance
    if error.validator == "required":
        missing = str(error.message).split("'")[1] if "'" in error.message else error.message
        yield Problem(doc.line(path), f"{here}: {missing} is required")
    elif error.validator == "additionalProperties":
        known = ", ".join(schema.get("properties", {}))
        for key in instance:
            if key not in schema.get("properties", {}):
                line = doc.line((*path, key), key=True)
                yield Problem(line, f"{here}: unknown key {key!r} (known: {known})")
    else:
        yield Problem(doc.line(path), f"{here}: {_message(error)}")


def schema_problems(doc: Located, checker: Any) -> list[Problem]:
    """Every schema error of ``doc``, in line order."""
    found = {p for e in checker.iter_errors(doc.value) for p in _problems(e, doc)}
    return sorted(found)


def fail(path: str, problems: list[Problem]) -> ConfigFileError:
    """One error line naming each problem as ``path:line`` (at most ``MAX_SHOWN``)."""
    first, rest = problems[0], problems[1:MAX_SHOWN]
    more = [f"{path}:{p.line}: {p.message}" if p.line else f"{path}: {p.message}" for p in rest]
    if len(problems) > MAX_SHOWN:
        more.append(f"and {len(problems) - MAX_SHOWN} more")
    reason = "; ".join([first.message, *more])
    return ConfigFileError(path, reason, line=first.line or None)


def compose(text: str, path: str) -> yaml.Node | None:
    """The node tree of ``text``; YAML errors and bounds as a ``file:line`` error."""
    try:
        return yamlsafe.compose(text)
    except yamlsafe.YamlLimitError as exc:
        raise ConfigFileError(path, exc.reason, line=exc.line) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ConfigFileError(
            path, f"not valid YAML ({getattr(exc, 'problem', exc)})", line=line
        ) from None


def check(text: str, path: str, schema: Mapping[str, Any], checker: Any) -> Located:
    """``text`` as plain values that satisfy ``schema``; else one error naming every problem."""
    root = compose(text, path)
    if root is None:
        raise ConfigFileError(path, "the document is empty")
    doc = located(root, schema)
    problems = sorted({*doc.problems, *schema_problems(doc, checker)})
    if problems:
        raise fail(path, problems)
    return doc
