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
    """The smallest setting reaching ``target`` (None: not reachable) and the replays it took."""

    target: float
    setting: int | None
    hit_rate: float | None
    replays: int


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
    replays = 0
    cache: dict[int, float] = {}

    def rate(units: int) -> float:
        nonlocal replays
        if units not in cache:
            replays += 1
            cache[units] = hit_rate(units * step)
        return cache[units]

    first, last = -(-low // step), high // step
    start = first if monotone_from is None else max(first, -(-monotone_from // step))
    for units in range(first, start):
        if rate(units) >= target:
            return SearchResult(target, units * step, rate(units), replays)
    if start > last or rate(last) < target:
        return SearchResult(target, None, None, replays)
    lo, hi = start, last
    while lo < hi:
        mid = (lo + hi) // 2
        if rate(mid) >= target:
            hi = mid
        else:
            lo = mid + 1
    return SearchResult(target, lo * step, rate(lo), replays)
