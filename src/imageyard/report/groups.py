"""Findings and unknowns grouped by cause, so that a per-image rule reads as a few rows.

Concepts: a finding (or unknown) whose ``cause`` is set belongs to the group of its rule,
severity, confidence, status and cause (for an unknown: its rule and cause); one without a
cause is a group of its own. ``grouped`` makes the groups in one pass (a dict of groups, each
keeping its count and its first ``EXAMPLES`` members) and orders them worst first, then
largest first, then as the items came. The table and Markdown print one row per group (a
group of one item with its own message, which names what the cause leaves out); JSON and
SARIF keep every item (with its cause).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable
from typing import Generic, TypeVar

from imageyard.model.finding import Finding, Unknown

EXAMPLES = 3  # members a group names; the rest are counted ("and N more")

T = TypeVar("T", bound=Finding | Unknown)


class Group(Generic[T]):
    """Items that share a cause (or one item without a cause): how many, and the first few."""

    __slots__ = ("count", "first", "order")

    def __init__(self, order: int) -> None:
        self.count = 0
        self.first: list[T] = []
        self.order = order

    @property
    def lead(self) -> T:
        """The group's first item: its rule, severity and cause are the group's."""
        return self.first[0]

    @property
    def grouped(self) -> bool:
        """True for a group by cause (False: a single item without one)."""
        return bool(self.lead.cause)

    @property
    def text(self) -> str:
        """What the group's row says: the cause, or for a group of one item that item's own
        message (an unknown's reason), which names what the cause leaves out."""
        lead = self.lead
        if self.count > 1 and lead.cause:
            return lead.cause
        return lead.message if isinstance(lead, Finding) else lead.reason

    def examples(self, name: Callable[[T], str], sep: str) -> str:
        """The first members' names, then "and N more" when there are more, ``sep`` between."""
        names = [name(i) for i in self.first]
        more = self.count - len(self.first)
        return sep.join([*names, f"and {more} more"] if more else names)


# NOTE: a key reads each field once: some findings compute their fields when read
def finding_key(f: Finding) -> Hashable:
    """What findings of one group share (None: no cause, the finding is its own group)."""
    cause = f.cause
    if not cause:
        return None
    mute = f.mute
    expired = None if mute is None else mute.expired
    return (f.severity, f.rule_id, f.confidence, f.status, expired, cause)


def unknown_key(u: Unknown) -> Hashable:
    """What unknowns of one group share (None: no cause)."""
    cause = u.cause
    return (u.rule_id, cause) if cause else None


def _rank(item: Finding | Unknown) -> int:
    return item.severity.rank if isinstance(item, Finding) else 0


def grouped(items: Iterable[T], key: Callable[[T], Hashable]) -> list[Group[T]]:
    """The groups of ``items`` by ``key``: worst first, then largest, then in item order."""
    groups: dict[Hashable, Group[T]] = {}
    singles: list[Group[T]] = []
    # NOTE: one pass over every finding (at 100,000 images a quarter of a million): the
    # group's count and its first ``EXAMPLES`` members are kept inline, not by a method
    for n, item in enumerate(items):
        k = key(item)
        found = groups.get(k) if k is not None else None
        if found is None:
            found = Group(n)
            if k is None:
                singles.append(found)
            else:
                groups[k] = found
        found.count += 1
        if found.count <= EXAMPLES:
            found.first.append(item)
    out = [*groups.values(), *singles]
    out.sort(key=lambda g: (-_rank(g.lead), -g.count, g.order))
    return out


def per_rule(groups: list[Group[T]]) -> list[list[Group[T]]]:
    """``groups`` split by rule (each in ``grouped``'s order), rules in the order of their
    first item."""
    rules: dict[str, list[Group[T]]] = {}
    for g in groups:
        rules.setdefault(g.lead.rule_id, []).append(g)
    return sorted(rules.values(), key=lambda block: min(g.order for g in block))


def first(block: list[Group[T]]) -> T:
    """The item that came first among ``block``'s groups."""
    return min(block, key=lambda g: g.order).lead
