"""How many per-image requests run at once: raised while the answers come faster.

Concepts: a shared image's members cost one request each, and those requests are most of the
server's work, so how many run at once decides how much of the server the collect gets. A
``Limit`` decides that number (its ``level``) from what the requests themselves show, and a
``Gate`` holds the worker threads to it. The ``Limit`` measures windows of completed
requests (requests per second, mean latency) and counts only those completed while other
requests were waiting for a place (``saturated``): otherwise the rate measures how fast the
list supplies shared images, not how fast the server answers. After a change of level, the
requests sent before it are let through unmeasured. It starts at ``START``,
measures that level, then tries a level half as high again; a level kept answering at least
``gain`` faster than the one below it becomes the settled one and the next is tried, up to
``most``; the first that brings less is given back. After ``hold`` windows at the settled
level the next one up is tried again (the machine's load changes). A settled level whose
latency climbs by ``rise`` above the lowest it had since it was settled (the server answers
more slowly, and what is in flight only queues there) is lowered by a quarter and measured
anew. A Glance with
one worker process answers no faster with more in flight, so there the level stays low;
one with several processes gets more.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

START = 4  # per-image requests in flight at first
MOST = 16  # never more in flight than this
WINDOW = 48  # completed requests measured at the least per window (more at higher levels)

_T = TypeVar("_T")


@dataclass
class Limit:
    """The number of per-image requests to keep in flight, adapted to the answers."""

    most: int = MOST
    level: int = START
    gain: float = 0.10
    rise: float = 0.5
    hold: int = 8
    window: int = WINDOW
    history: list[tuple[int, float, float]] = field(default_factory=list)  # level, /s, s
    highest: int = 0  # the highest level set so far
    _settled: int = 0
    _rate: float = 0.0  # the settled level's last rate
    _base: float | None = None  # its lowest latency since it was settled
    _trying: bool = False
    _held: int = 0
    _since: float | None = None
    _skip: int = 0  # completions still to pass before the next window: sent at the old level
    _count: int = 0
    _latency: float = 0.0

    def __post_init__(self) -> None:
        self.most = max(self.most, 1)
        self.level = min(max(self.level, 1), self.most)
        self._settled = self.highest = self.level
        self._held = self.hold  # the first measured window is followed by a try upwards

    def observe(self, now: float, latency: float, saturated: bool) -> None:
        """A request ended at ``now`` after ``latency`` seconds; ``saturated``: others were
        waiting for a place meanwhile."""
        if not saturated:  # the supply, not the server, set this pace: measure anew
            self._since = None
            return
        if self._skip:
            self._skip -= 1
            return
        if self._since is None:  # the window's first completion starts its clock
            self._since, self._count, self._latency = now, 0, 0.0
            return
        self._count += 1
        self._latency += latency
        if self._count >= self._size():
            rate = self._count / max(now - self._since, 1e-9)
            before = self.level
            self._decide(rate, self._latency / self._count)
            self._since = None
            self._skip = before if self.level != before else 0

    def _size(self) -> int:
        """Completions per window: at least ``window`` and four per place, in whole rounds
        of the level (so requests sent together are all in a window or all out of it)."""
        least = max(self.window, 4 * self.level)
        return -(-least // self.level) * self.level

    def _decide(self, rate: float, latency: float) -> None:
        self.history.append((self.level, rate, latency))
        if self._trying:
            self._tried(rate, latency)
        else:
            self._kept(rate, latency)
        self.highest = max(self.highest, self.level)

    def _tried(self, rate: float, latency: float) -> None:
        """A level above the settled one was measured: keep it and go on, or give it back."""
        if rate >= self._rate * (1 + self.gain):
            self._settled, self._rate, self._base = self.level, rate, latency
            if self.level < self.most:
                self.level = _up(self.level, self.most)
                return
        self.level, self._trying, self._held = self._settled, False, 0

    def _kept(self, rate: float, latency: float) -> None:
        """The settled level was measured: back off if its latency climbed, else maybe try
        the next level up."""
        self._rate = rate
        if self._base is not None and latency > self._base * (1 + self.rise) and self.level > 1:
            self.level = self._settled = self.level - max(1, self.level // 4)
            self._base, self._held = None, 0
            return
        self._base = latency if self._base is None else min(self._base, latency)
        self._held += 1
        if self._held >= self.hold and self.level < self.most:
            self.level, self._trying = _up(self.level, self.most), True


def _up(level: int, most: int) -> int:
    return min(level + max(1, level // 2), most)


class Gate:
    """Runs calls from many threads with at most ``limit.level`` of them at once, and tells
    ``limit`` how long each took."""

    def __init__(self, limit: Limit, clock: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self._clock = clock
        self._changed = threading.Condition()
        self._running = 0
        self._waiting = 0
        self.calls = 0
        self.most_at_once = 0

    @property
    def workers(self) -> int:
        """Threads to give the calls: one beyond the cap, so a backlog shows at every level."""
        return self.limit.most + 1

    def call(self, function: Callable[[str], _T], argument: str) -> _T:
        with self._changed:
            self._waiting += 1
            while self._running >= self.limit.level:
                self._changed.wait()
            self._waiting -= 1
            self._running += 1
            self.calls += 1
            self.most_at_once = max(self.most_at_once, self._running)
        start = self._clock()
        try:
            return function(argument)
        finally:
            self._done(start)

    def _done(self, start: float) -> None:
        end = self._clock()
        with self._changed:
            self._running -= 1
            self.limit.observe(end, end - start, saturated=self._waiting > 0)
            self._changed.notify_all()  # a place is free, and the level may have risen
