"""The order of an audit's results: ``sorted(results, key=sort_key)``, by cheaper comparisons.

Concepts: a result's ``sort_key`` starts with a few parts that most results share (a
finding's severity and rule, an unknown's rule), then its resource's text, which is nearly
unique (one result per image and rule, or per image and consumer), then what breaks ties.
Comparing whole keys compares those shared parts again on every comparison. ``in_order``
groups the results by the shared parts (a few groups, put in order once), orders each group
by the resource's text alone (string comparisons) and only the results that share a text by
their whole key. Python's sort is stable and so is each step, so the order is exactly the
one ``sorted`` gives, ties included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, Protocol, TypeVar


class Sorted(Protocol):
    """A result that knows its place: ``sort_key`` (shared parts, resource text, the rest)."""

    @property
    def sort_key(self) -> tuple[Any, ...]: ...


R = TypeVar("R", bound=Sorted)


def in_order(results: Iterable[R], split: int) -> list[R]:
    """``sorted(results, key=lambda r: r.sort_key)``, where ``sort_key[:split]`` are the
    shared parts and ``sort_key[split]`` the resource's text (a string)."""
    groups: dict[tuple[Any, ...], tuple[list[str], list[R]]] = {}
    for result in results:
        key = result.sort_key
        head = key[:split]
        group = groups.get(head)
        if group is None:
            group = groups[head] = ([], [])
        group[0].append(key[split])
        group[1].append(result)
    ordered: list[R] = []
    for head in sorted(groups):
        ordered += _by_text(*groups[head])
    return ordered


def _by_text(texts: list[str], members: list[R]) -> list[R]:
    """``members`` in the order of their ``texts`` (one each), those of one text by their
    whole key."""
    order = sorted(range(len(texts)), key=texts.__getitem__)
    if len(set(texts)) < len(texts):  # NOTE: rare: a text is mostly one result's alone
        _order_ties(order, texts, members)
    return list(map(members.__getitem__, order))


def _order_ties(order: list[int], texts: Sequence[str], members: Sequence[R]) -> None:
    """Each run of ``order`` (indexes sorted by text) that shares one text, sorted by the
    members' whole keys, in place."""
    start = 0
    for end in range(1, len(order) + 1):
        if end < len(order) and texts[order[end]] == texts[order[start]]:
            continue
        if end - start > 1:
            order[start:end] = sorted(order[start:end], key=lambda i: members[i].sort_key)
        start = end
