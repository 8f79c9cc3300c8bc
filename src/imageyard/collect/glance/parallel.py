"""Reading the image list on as many connections as the server can use, and no more.

Concepts: the listing passes are read as slices (``slices``), one page request in flight per
slice being read. A ``Pacer`` decides how many slices are read at once: it starts with one
(the plain sequential listing), measures the pages' throughput at that level once a few
pages have arrived, and adds a connection as long as each one added raised the throughput
by at least ``gain``; the first level that brings nothing is given back and the level is
kept from then on. A Glance with one worker process is served no faster by more
connections, so there the listing stays sequential; one with several processes gets more.
Given a ``Work`` meter shared with the per-image requests, the throughput is the server's
whole work for the collect: a connection that only takes the server from those requests is
no gain.
A slice beyond the level is parked, not dropped: its stream keeps its place and is read
again when another slice ends. When the level asks for more slices than are left, the
slice with the most images still to come is split in two (its pass's oldest
``created_at`` is asked once). A page that fails ends its slice only; the failure is kept
in ``errors`` with the slice's scope and the other slices go on. The first slice read may
begin with smaller pages (``ramp``, see ``listing``), so that the first images, and what the
caller starts from them, come sooner; later slices start at full size.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, wait
from dataclasses import dataclass, field
from typing import Any

from imageyard.collect.glance.inflight import Work
from imageyard.collect.glance.listing import PAGE_LIMIT, Convert, ListingError
from imageyard.collect.glance.slices import Oldest, Slice
from imageyard.collect.openstack.http import JsonHttp

MAX_CONNECTIONS = 6
MIN_SPLIT = PAGE_LIMIT  # a slice is split only when about this many images are still to come


@dataclass
class Pacer:
    """How many slices to read at once, raised while the throughput grows."""

    most: int = MAX_CONNECTIONS
    gain: float = 0.15
    clock: Callable[[], float] = time.monotonic
    work: Work | None = None  # rates in the server's work (else: the listed images alone)
    level: int = 1
    history: list[tuple[int, float]] = field(default_factory=list)  # (level, images or work/s)
    _best: tuple[int, float] = (1, 0.0)
    _frozen: bool = False
    _since: float | None = None
    _pages: int = 0
    _images: int = 0
    _work: float = 0.0  # the work done when the level's clock started

    def __post_init__(self) -> None:
        self._frozen = self.most <= 1
        self.level = min(max(self.level, 1), max(self.most, 1))

    def observe(self, images: int) -> None:
        """One page of ``images`` arrived."""
        if self._frozen:
            return
        now = self.clock()
        if self._since is None:  # the level's first page starts its clock
            self._since = now
            self._work = self.work.done if self.work is not None else 0.0
            return
        self._pages += 1
        self._images += images
        if self._pages < max(3, 2 * self.level):
            return
        done = self._images if self.work is None else self.work.done - self._work
        self._decide(done / max(now - self._since, 1e-9))

    def _decide(self, rate: float) -> None:
        self.history.append((self.level, rate))
        best_level, best_rate = self._best
        if rate > best_rate * (1 + self.gain):
            self._best = (self.level, rate)
            if self.level < self.most:
                self.level += 1
                self._since, self._pages, self._images = None, 0, 0
                return
        else:
            self.level = best_level
        self._frozen = True


class ParallelListing:
    """Every image of ``passes`` (label, query), page by page, in as many slices as pay."""

    def __init__(
        self,
        http: JsonHttp,
        passes: Sequence[tuple[str, Mapping[str, str]]],
        pool: Executor,
        pacer: Pacer,
        min_split: float = MIN_SPLIT,
        convert: Convert | None = None,
        ramp: tuple[int, ...] = (),
    ) -> None:
        self._http = http
        self._convert = convert
        self._ramp = ramp  # for the first slice started only
        self._pool = pool
        self.pacer = pacer
        self._min_split = min_split
        self._oldest = Oldest(http)
        self.slices = [Slice(label, dict(params)) for label, params in passes]
        self._waiting: deque[Slice] = deque(self.slices)  # not started, or parked
        self._active: list[Slice] = []
        self.errors: list[tuple[str, ListingError]] = []
        self.most_at_once = 0

    def pages(self) -> Iterator[list[Any]]:
        """Each page's image bodies as they arrive, from whichever slice."""
        try:
            while self._fill():
                for piece in self._ready():
                    yield self._take(piece)
        finally:
            self.cancel()

    def cancel(self) -> None:
        """Drop every request not yet started."""
        for piece in self.slices:
            piece.finish()

    def _take(self, piece: Slice) -> list[Any]:
        try:
            images = piece.take()
        except ListingError as exc:
            self.errors.append((piece.scope, exc))
            piece.finish()
            images = []
        self.pacer.observe(len(images))
        if piece.done:
            self._active.remove(piece)
        elif len(self._active) > self.pacer.level:  # the level went down: park it
            self._active.remove(piece)
            self._waiting.appendleft(piece)
        return images

    def _ready(self) -> list[Slice]:
        jobs = {piece.stream.pending: piece for piece in self._active if piece.stream}
        done, _ = wait([job for job in jobs if job is not None], return_when=FIRST_COMPLETED)
        return [piece for job, piece in jobs.items() if job in done]

    def _fill(self) -> bool:
        """Read as many slices as the level asks for; False when nothing is left to read."""
        while len(self._active) < self.pacer.level:
            piece = self._waiting.popleft() if self._waiting else self._split()
            if piece is None:
                break
            if piece.stream is None:
                piece.start(self._http, self._pool, self._convert, self._ramp, self.pacer.work)
                self._ramp = ()
            self._active.append(piece)
        self.most_at_once = max(self.most_at_once, len(self._active))
        return bool(self._active)

    def _split(self) -> Slice | None:
        """A new slice cut from the one with the most images still to come."""
        candidates = [p for p in self._active if p.position is not None and not p.done]
        best, most = None, self._min_split
        for piece in candidates:
            left = piece.remaining(self._oldest_for(piece))
            if left >= most:
                best, most = piece, left
        if best is None:
            return None
        child = best.split(self._oldest_for(best))
        if child is not None:
            self.slices.append(child)
        return child

    def _oldest_for(self, piece: Slice) -> int | None:
        """The pass's oldest ``created_at``, asked only for a slice without a stop."""
        return None if piece.lower is not None else self._oldest.of(piece)
