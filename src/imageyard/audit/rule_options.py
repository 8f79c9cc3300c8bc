"""Rule settings an operator gives as ``RULE.KEY=VALUE``, checked against what rules declare.

Concepts: a rule declares the settings it reads (``RuleOption`` in its ``@rule``); a
setting given for a rule that does not exist, a key the rule does not declare, or a value
of the wrong kind is refused with one line naming it (``UsageError``, exit 2), before any
input is read. The result is the ``settings`` mapping of ``AuditContext``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from imageyard.audit.rule import Rule
from imageyard.errors import UsageError

FLAG = "--rule-option"
LIST_TIP = "imageyard audit --list-rules shows every rule's options"


def _split(given: str) -> tuple[str, str, str]:
    name, sep, value = given.partition("=")
    rule_id, dot, key = name.strip().rpartition(".")
    if not sep or not dot or not rule_id or not key:
        raise UsageError(f"{FLAG} {given!r}: expected RULE.KEY=VALUE", tip=LIST_TIP)
    return rule_id, key, value.strip()


def _checked(given: str, by_id: Mapping[str, Rule]) -> tuple[str, str]:
    rule_id, key, value = _split(given)
    found = by_id.get(rule_id)
    if found is None:
        raise UsageError(f"{FLAG} {given!r}: no rule {rule_id!r}", tip=LIST_TIP)
    declared = found.meta.declared(key)
    if declared is None:
        keys = ", ".join(o.key for o in found.meta.options) or "none"
        raise UsageError(
            f"{FLAG} {given!r}: rule {rule_id} has no option {key!r} (its options: {keys})"
        )
    problem = declared.problem(value)
    if problem is not None:
        raise UsageError(f"{FLAG} {given!r}: {problem} ({declared.help})")
    return f"{rule_id}.{key}", value


def parse_rule_options(given: Sequence[str], rules: Iterable[Rule]) -> Mapping[str, str]:
    """``{"<rule-id>.<key>": value}`` for every ``RULE.KEY=VALUE``; the last one given wins."""
    by_id = {r.id: r for r in rules}
    settings = dict(_checked(g, by_id) for g in given)
    return MappingProxyType(settings)


def describe_options(rule: Rule) -> list[str]:
    """One line per option of ``rule``: ``RULE.KEY (kind, default D): help``."""
    return [
        f"{rule.id}.{o.key} ({o.kind}, default {o.default}): {o.help}" for o in rule.meta.options
    ]
