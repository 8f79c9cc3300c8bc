"""Findings and unknowns grouped by cause, so that a per-image rule reads as a few rows.

Concepts: a finding (or unknown) whose ``cause`` is set belongs to the group of its rule,
severity, confidence, status and cause (for an unknown: its rule and cause); one without a
cause is a group of its own. ``grouped`` makes the groups in one pass (a dict of groups, each
keeping its count and its first ``EXAMPLES`` members) and orders them worst first, then
largest first, then as the items came. ``grouped_sorted`` gives the same groups for items in
any order, as ``grouped`` gives them for the items in ``sort_key`` order (an audit's order),
without putting every item in that order: it orders the groups, and within each group only
the few items that can come first. The table and Markdown print one row per group (a group
of one item with its own message, which names what the cause leaves out); JSON and SARIF
keep every item (with its cause).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

from imageyard.model.finding import Finding, Unknown

EXAMPLES = 3  # members a group names; the rest are counted ("and N more")

T = TypeVar("T", bound=Finding | Unknown)


class Group(Generic[T]):
    """Items that share a cause (or one item without a cause): how many, and the first few."""

    __slots__ = ("count", "first", "order")

    # NOTE: ``order`` is the group's place among the items: the index of its first item
    # (``grouped``), or that item's sort key and (where that ties) index (``grouped_sorted``)
    def __init__(self, order: Any) -> None:
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
    """What findings of one group share (None: no cause, the finding is its own group):
    their severity and rule among them (so the parts of their ``sort_key`` before the
    resource's text)."""
    cause = f.cause
    if not cause:
        return None
    mute = f.mute
    expired = None if mute is None else mute.expired
    return (f.severity, f.rule_id, f.confidence, f.status, expired, cause)


def unknown_key(u: Unknown) -> Hashable:
    """What unknowns of one group share (None: no cause): their rule among them."""
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
    return _ranked([*groups.values(), *singles])


def _ranked(groups: list[Group[T]]) -> list[Group[T]]:
    """``groups`` worst first, then largest first, then in their order."""
    groups.sort(key=lambda g: (-_rank(g.lead), -g.count, g.order))
    return groups


def grouped_sorted(items: Sequence[T], key: Callable[[T], Hashable]) -> list[Group[T]]:
    """``grouped(sorted(items, key=sort_key), key)`` (``sorted`` is stable), from ``items``
    in any order; ``key`` must set apart items whose ``sort_key`` differs before the
    resource's text (``finding_key`` and ``unknown_key`` do)."""
    gathered: dict[Hashable, list[T]] = {}
    groups: list[Group[T]] = []
    # NOTE: the members of a key found once per shared part (``Finding.shared_by``: its
    # items share every field a key reads), by the part's id (a part may be costly to hash;
    # its items keep it alive while they are grouped)
    known: dict[int, list[T]] = {}
    # NOTE: one pass over every item (at 100,000 images a quarter of a million); the
    # items of one group are ordered only as far as its first ``EXAMPLES`` need
    for item in items:
        shared = item.shared_by
        found = known.get(id(shared)) if shared is not None else None
        if found is None:
            k = key(item)
            if k is None:
                groups.append(_gathered([item]))
                continue
            found = gathered.get(k)
            if found is None:
                found = gathered[k] = []
            if shared is not None:
                known[id(shared)] = found
        found.append(item)
    groups += map(_gathered, gathered.values())
    _place_ties(groups, items)
    return _ranked(groups)


def _gathered(members: list[T]) -> Group[T]:
    """The group of ``members`` (in the items' order), its first members and its place by
    their ``sort_key`` (``_place_ties`` adds the index where two groups' places tie)."""
    group: Group[T] = Group(None)
    group.count = len(members)
    picked = [members[i] for i in _leading(members)]
    picked.sort(key=_sort_key)  # NOTE: stable: members of one key stay in the items' order
    group.first = picked[:EXAMPLES]
    group.order = (picked[0].sort_key, 0)
    return group


def _sort_key(item: Finding | Unknown) -> tuple[Any, ...]:
    return item.sort_key


def _place_ties(groups: list[Group[T]], items: Sequence[T]) -> None:
    """The groups whose first members have one ``sort_key`` placed by those members'
    indexes among ``items`` (as ``sorted`` keeps them); rare, so looked up only then."""
    by_key: dict[tuple[Any, ...], list[Group[T]]] = {}
    for g in groups:
        by_key.setdefault(g.order[0], []).append(g)
    tied = {id(g.lead): g for same in by_key.values() if len(same) > 1 for g in same}
    if not tied:
        return
    for n, item in enumerate(items):
        found = tied.get(id(item))
        if found is not None:
            found.order = (found.order[0], n)


def _leading(members: list[T]) -> list[int]:
    """The indexes of the members that can be among the first ``EXAMPLES`` by ``sort_key``:
    those whose resource text is at most the ``EXAMPLES``-th smallest (members of one group
    share the key's parts before that text)."""
    if len(members) <= EXAMPLES:
        return list(range(len(members)))
    texts = [m.sort_text for m in members]
    cut = heapq.nsmallest(EXAMPLES, texts)[-1]
    return [i for i, text in enumerate(texts) if text <= cut]


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
