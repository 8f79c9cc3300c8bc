"""The smallest cache setting whose replay reaches a target hit rate.

The candidates are ``0, step, 2*step, ...`` up to ``high`` (the setting at which nothing is
ever evicted). Glance's cache and Nova's minimum age are monotone (a larger setting keeps
a superset at every moment), so a binary search is exact. Cinder's cache is monotone only
from the largest volume up (a smaller maximum refuses volumes larger than it, which then
evict nothing): ``monotone_from`` names that candidate, below it every candidate is tried
in order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SearchResult:
    """The smallest setting reaching ``target`` (None: not reachable) and the replays it took.

    ``tried`` is every setting the search replayed with its hit rate, in setting order:
    the points of a hit rate against size curve.
    """

    target: float
    setting: int | None
    hit_rate: float | None
    replays: int
    tried: tuple[tuple[int, float], ...] = ()


def smallest(
    hit_rate: Callable[[int], float],
    target: float,
    high: int,
    *,
    step: int = 1,
    low: int = 0,
    monotone_from: int | None = None,
) -> SearchResult:
    """The smallest multiple of ``step`` in ``[low, high]`` with ``hit_rate(s) >= target``."""
    cache: dict[int, float] = {}

    def rate(units: int) -> float:
        if units not in cache:
            cache[units] = hit_rate(units * step)
        return cache[units]

    first, last = -(-low // step), high // step
    start = first if monotone_from is None else max(first, -(-monotone_from // step))

    def found(units: int | None) -> SearchResult:
        return _result(target, step, cache, units)

    for units in range(first, start):
        if rate(units) >= target:
            return found(units)
    if start > last or rate(last) < target:
        return found(None)
    lo, hi = start, last
    while lo < hi:
        mid = (lo + hi) // 2
        if rate(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    rate(lo)
    return found(lo)


def _result(target: float, step: int, rates: dict[int, float], units: int | None) -> SearchResult:
    tried = tuple(sorted((u * step, r) for u, r in rates.items()))
    if units is None:
        return SearchResult(target, None, None, len(rates), tried)
    return SearchResult(target, units * step, rates[units], len(rates), tried)
