"""How many per-image requests run at once: raised while the answers come faster.

Concepts: a shared image's members cost one request each, and those requests are most of the
server's work, so how many run at once decides how much of the server the collect gets. A
``Limit`` decides that number (its ``level``) from what the requests themselves show, and a
``Gate`` holds the worker threads to it. The ``Limit`` measures windows of completed
requests (requests per second, mean latency), each at least ``seconds`` long (on a shared
machine the rate of one level swings several-fold within a second), and counts only those
completed while other requests were waiting for a place (``saturated``): otherwise the rate
measures how fast the list supplies shared images, not how fast the server answers. After a
change of level, the requests sent before it are let through unmeasured. Given a ``Work``
meter, a window's rate is the server's whole work for the collect (list pages included), so
that requests that only crowd out the listing's pages are not taken for a faster server.

It starts at ``START`` (more than a one-process Glance has threads, so that none of them
waits for the client's next request), measures ``span`` windows there, then tries twice as
many for ``span`` windows: a level whose mean rate beats the settled level's last three
windows by ``gain`` becomes the settled one and the next is tried, up to ``most``. Where the
climb ends, the level it reached is checked from below: half as many, ``span`` windows
later. A lower level that is no more than ``slack`` slower becomes the settled one and the
next lower is tried, down to ``least`` (requests in flight beyond what the server works at
once cost it more, not less: threads of one process take turns, and a level reached on a
window the machine's load favoured is given back). From then on a try alternates up and down,
each after ``hold`` more windows at the settled level (the machine's load changes); one that
does not pay is given back. A settled level whose latency stays ``rise`` above its earlier
windows' mean two windows in a row (the server answers more slowly, and what is in flight
only queues there) is lowered by a quarter, never below ``least``, and measured anew. So a
Glance with one worker process, which answers no faster with more in flight, ends near
``least``; one with several processes keeps as many as pay.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

START = 8  # per-image requests in flight at first (more than one uWSGI process has threads)
MOST = 16  # never more in flight than this
LEAST = 2  # never fewer (when the cap allows it)
WINDOW = 48  # completed requests measured at the least per window (more at higher levels)
SECONDS = 2.0  # and for at least this long: a shared machine's load swings faster
LISTED = 0.1  # a listed image's work for the server, in per-image requests (ten in a request)
PAGES_KEPT = 256  # list pages kept to measure the list's work in a window
RECENT = 4  # the last pages answered, whose rate a page still on its way is counted at

_T = TypeVar("_T")


class Work:
    """What the server has done for the collect so far, in per-image requests: each one
    answered counts one, each image of a list page ``LISTED``. The list pages and the
    per-image requests share one server, so a level that only takes a larger share of it from
    the other reads as no faster here (each counted alone, it would).

    A list page is one large piece of work (a hundred requests' worth), often longer than a
    window of per-image requests, so its work is spread evenly over the time its request took
    (``listing``), and a page still on its way counts at the rate of the last ones answered.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._done = 0.0
        self._asked = 0
        self._open: dict[int, float] = {}  # list requests on their way: when each was sent
        # the pages answered: when each request was sent, when answered, its work
        self._pages: deque[tuple[float, float, float]] = deque(maxlen=PAGES_KEPT)

    def add(self, amount: float) -> None:
        """``amount`` of work done (a per-image request answered: one)."""
        with self._lock:
            self._done += amount

    def asked(self) -> int:
        """A list request is sent now; the token ``answered`` takes."""
        with self._lock:
            self._asked += 1
            self._open[self._asked] = self.clock()
            return self._asked

    def answered(self, token: int, images: int) -> None:
        """The list request ``token`` was answered now with ``images`` images (0: failed)."""
        now = self.clock()
        with self._lock:
            sent = self._open.pop(token, now)
            self._done += images * LISTED
            self._pages.append((sent, now, images * LISTED))

    @property
    def done(self) -> float:
        return self._done

    def listing(self, since: float, now: float) -> float:
        """The list's work from ``since`` to ``now``: each page's spread over its request's
        time; the requests still on their way at the rate per request of the last pages."""
        with self._lock:
            pages, sent = list(self._pages), list(self._open.values())
        total = 0.0
        for start, end, work in pages:
            if end > since and start < now:
                total += work * _overlap(start, end, since, now) / max(end - start, 1e-9)
        if sent:
            last = pages[-RECENT:]
            took = sum(end - start for start, end, _ in last)
            rate = sum(work for _, _, work in last) / took if took > 0 else 0.0
            total += rate * sum(_overlap(start, now, since, now) for start in sent)
        return total


def _overlap(start: float, end: float, since: float, now: float) -> float:
    return max(0.0, min(end, now) - max(start, since))


@dataclass
class Limit:
    """The number of per-image requests to keep in flight, adapted to the answers."""

    most: int = MOST
    level: int = START
    least: int = LEAST
    gain: float = 0.10
    slack: float = 0.05
    rise: float = 0.5
    hold: int = 8
    span: int = 2
    window: int = WINDOW
    seconds: float = SECONDS
    work: Work | None = None  # rates in the server's work (else: these requests alone)
    history: list[tuple[int, float, float]] = field(default_factory=list)  # level, /s, s
    highest: int = 0  # the highest level set so far
    _settled: int = 0
    _rates: list[float] = field(default_factory=list)  # the settled level's windows
    _tries: list[float] = field(default_factory=list)  # the tried level's windows so far
    _latencies: list[float] = field(default_factory=list)  # the settled level's windows
    _trying: bool = False
    _lower: bool = False  # the try going on (or the next one) is a level below the settled
    _climbing: bool = True  # the first search: each try follows ``span`` windows, not ``hold``
    _held: int = 0
    _since: float | None = None
    _skip: int = 0  # completions still to pass before the next window: sent at the old level
    _count: int = 0
    _latency: float = 0.0

    def __post_init__(self) -> None:
        self.most = max(self.most, 1)
        self.least = min(max(self.least, 1), self.most)
        self.level = min(max(self.level, self.least), self.most)
        self._settled = self.highest = self.level

    @property
    def settled(self) -> int:
        """The level kept between tries (``level`` is the tried one while a try goes on)."""
        return self._settled

    def observe(self, now: float, latency: float, saturated: bool) -> None:
        """A request ended at ``now`` after ``latency`` seconds; ``saturated``: others were
        waiting for a place meanwhile."""
        if self.work is not None:
            self.work.add(1.0)
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
        if self._ends(now - self._since):
            before = self.level
            done = self._count + (0.0 if self.work is None else self.work.listing(self._since, now))
            self._decide(done / max(now - self._since, 1e-9), self._latency / self._count)
            self._since = None
            self._skip = before if self.level != before else 0

    def _ends(self, elapsed: float) -> bool:
        """Whether the window is long enough: ``window`` completions, four per place and
        ``seconds``, in whole rounds of the level (so requests sent together are all in a
        window or all out of it)."""
        enough = self._count >= max(self.window, 4 * self.level) and elapsed >= self.seconds
        return enough and self._count % self.level == 0

    def _decide(self, rate: float, latency: float) -> None:
        self.history.append((self.level, rate, latency))
        if self._trying:
            self._tried(rate, latency)
        else:
            self._kept(rate, latency)
        self.highest = max(self.highest, self.level)

    def _tried(self, rate: float, latency: float) -> None:
        """A level above or below the settled one was measured: keep it and go on the same
        way, or give it back."""
        self._tries.append(rate)
        if len(self._tries) < self.span:
            return
        tried, self._tries = sum(self._tries) / len(self._tries), []
        usual = self._usual()
        if self._lower:
            if tried >= usual * (1 - self.slack):  # as fast with fewer: keep it, go on down
                self._settle(latency, tried)
                if self.level > self.least:
                    self.level = _down(self.level, self.least)
                    return
            self._climbing = False
            self._back(lower=False)
            return
        if tried >= usual * (1 + self.gain):  # faster with more: keep it, go on up
            self._settle(latency, tried)
            if self.level < self.most:
                self.level = _up(self.level, self.most)
                return
        self._back(lower=True)  # the climb ends: the level it reached is checked from below

    def _settle(self, latency: float, rate: float) -> None:
        self._settled, self._rates, self._latencies = self.level, [rate], [latency]

    def _back(self, lower: bool) -> None:
        """The try is over: the settled level again, and the next try ``lower`` or higher."""
        self.level, self._trying, self._held, self._lower = self._settled, False, 0, lower

    def _kept(self, rate: float, latency: float) -> None:
        """The settled level was measured: back off if its latency climbed, else maybe try
        the next level up or down."""
        if self._climbed(latency) and self.level > self.least:
            self.level = self._settled = max(self.level - max(1, self.level // 4), self.least)
            self._rates, self._latencies, self._held, self._climbing = [], [], 0, False
            return
        self._rates.append(rate)
        self._latencies.append(latency)
        self._held += 1
        if self._held < (self.span if self._climbing else self.hold):
            return
        if self.level > self.least and (self._lower or self.level >= self.most):
            self.level, self._trying, self._lower = _down(self.level, self.least), True, True
        elif self.level < self.most:
            self.level, self._trying, self._lower = _up(self.level, self.most), True, False

    def _usual(self) -> float:
        """The settled level's rate: the mean of its last three windows."""
        last = self._rates[-3:]
        return sum(last) / len(last)

    def _climbed(self, latency: float) -> bool:
        """This window and the one before it took ``rise`` longer than the settled level's
        windows did on average (one slow window on a shared machine is no trend)."""
        if len(self._latencies) < 2:
            return False
        usual = sum(self._latencies[:-1]) / (len(self._latencies) - 1)
        return min(latency, self._latencies[-1]) > usual * (1 + self.rise)


def _down(level: int, least: int) -> int:
    return max(level // 2, least)


def _up(level: int, most: int) -> int:
    return min(2 * level, most)


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
