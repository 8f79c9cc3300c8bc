"""The order of an audit's results: ``sorted(results, key=sort_key)``, by cheaper comparisons.

Concepts: a result's ``sort_key`` starts with a few parts that most results share (a
finding's severity and rule, an unknown's rule), then its resource's text (``sort_text``),
which is nearly unique (one result per image and rule, or per image and consumer), then what
breaks ties. Comparing whole keys compares those shared parts again on every comparison, and
building a whole key per result costs more than sorting. ``in_order`` groups the results by
a ``head`` that stands for the shared parts (read with a getter, never built per result),
puts the few groups in order once (by one member's key), orders each group by the resource's
text alone (string comparisons) and only the results that share a text by their whole key.
Results of a class whose texts are one prefix and a string of their own (a result about one
image: ``image <id>``) may say how to read that string (``sort_id``, a getter that writes no
text): a group of that class alone is ordered by it, which is the order of its texts.
Python's sort is stable and so is each step, so the order is exactly the one ``sorted``
gives, ties included.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Protocol, TypeVar


class Sorted(Protocol):
    """A result that knows its place: ``sort_key`` (shared parts, resource text, the rest)
    and ``sort_text``, the resource's text alone."""

    @property
    def sort_key(self) -> tuple[Any, ...]: ...

    @property
    def sort_text(self) -> str: ...


R = TypeVar("R", bound=Sorted)


def in_order(results: Iterable[R], split: int, head: Callable[[R], Hashable]) -> list[R]:
    """``sorted(results, key=lambda r: r.sort_key)``, where ``sort_key[:split]`` are the
    shared parts, ``head`` tells them apart (results of one head share them, results of two
    heads differ in them) and ``sort_key[split]`` is the result's ``sort_text``."""
    groups: dict[Hashable, list[R]] = {}
    for result in results:
        key = head(result)
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
        group.append(result)
    ordered: list[R] = []
    for members in sorted(groups.values(), key=lambda g: g[0].sort_key[:split]):
        ordered += _by_text(members)
    return ordered


def _by_text(members: list[R]) -> list[R]:
    """``members`` in the order of their texts, those of one text by their whole key."""
    texts = _texts(members)
    order = sorted(range(len(texts)), key=texts.__getitem__)
    if len(set(texts)) < len(texts):  # NOTE: rare: a text is mostly one result's alone
        _order_ties(order, texts, members)
    return list(map(members.__getitem__, order))


def _texts(members: list[R]) -> list[str]:
    """The members' texts, or (members of one class that has a ``sort_id``) what orders
    them as their texts do, read without writing a text."""
    kinds = set(map(type, members))
    if len(kinds) == 1:
        read = getattr(kinds.pop(), "sort_id", None)
        if read is not None:
            return list(map(read, members))
    return [m.sort_text for m in members]


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
