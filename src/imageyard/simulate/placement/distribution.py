"""Boot times as weighted values: percentiles by nearest rank, and a sweep-friendly form.

Concepts: under a layout every boot of an image at a site takes one of a few durations
(a clone, a copy then a clone, a download and an import, or a download, a conversion and
an import), so the boots of a trace are a handful of ``(seconds, boots)`` pairs per image.
The p-th percentile is by nearest rank: the smallest duration that at least ``p`` percent
of the boots take at most (the ``ceil(p * n / 100)``-th smallest), computed in integers.
``Tally`` keeps counts per duration in a Fenwick tree, so moving one image's boots from one
duration to another and asking for a percentile each cost ``O(log values)``.
"""

from __future__ import annotations

from collections.abc import Iterable


def rank(percent: int, total: int) -> int:
    """The 1-based rank of the ``percent``-th percentile among ``total`` values (>= 1)."""
    return max(1, -(-percent * total // 100))


def percentile(pairs: Iterable[tuple[float, int]], percent: int) -> float:
    """The nearest-rank percentile of the weighted values (0.0 when there are none)."""
    ordered = sorted((s, n) for s, n in pairs if n > 0)
    total = sum(n for _, n in ordered)
    if not total:
        return 0.0
    want, seen = rank(percent, total), 0
    for seconds, count in ordered:
        seen += count
        if seen >= want:
            return seconds
    return ordered[-1][0]


class Tally:
    """Boot counts per duration, over a fixed set of durations known in advance."""

    def __init__(self, durations: Iterable[float]) -> None:
        self.values = sorted(set(durations))
        self._index = {v: i + 1 for i, v in enumerate(self.values)}
        self._tree = [0] * (len(self.values) + 1)
        self.total = 0
        self.seconds = 0.0

    def add(self, seconds: float, count: int) -> None:
        """Count ``count`` more boots (negative: fewer) of ``seconds`` each."""
        if not count:
            return
        self.total += count
        self.seconds += seconds * count
        i = self._index[seconds]
        while i < len(self._tree):
            self._tree[i] += count
            i += i & -i

    def percentile(self, percent: int) -> float:
        """The nearest-rank percentile of the counted boots (0.0 when there are none)."""
        if self.total <= 0:
            return 0.0
        want, pos, step = rank(percent, self.total), 0, 1 << len(self._tree).bit_length()
        while step:
            nxt = pos + step
            if nxt < len(self._tree) and self._tree[nxt] < want:
                pos = nxt
                want -= self._tree[nxt]
            step >>= 1
        return self.values[pos]
