"""Slices of the image list: exact pieces of a listing pass, split while they are read.

Concepts: each listing pass (the default list, then ``os_hidden=true``) starts as one slice.
A slice is the part of its pass with ``created_at`` in ``[lower, upper)``. The upper bound is
Glance's own filter (``created_at=lt:T``; Glance keeps one value per filter, so only one
bound can go to the server); the lower bound is a client-side stop: lists come newest first
(``created_at`` then ``id``, descending), so a slice ends at the first image older than
``lower``, and no page after the one that passes the stop is asked for (early or late).
Splitting a running slice at ``T`` gives the new slice ``created_at=lt:T`` and the running
one the stop ``T``. ``T`` is a whole second, as the API shows ``created_at``, so every
image belongs to exactly one of the two whatever its sub-second part in the database, and
since ``created_at`` never changes, images created, changed or deleted during the listing
never move from one slice to another: the slices together list exactly what the pass lists.
(Pieces by visibility were left out for that reason: an image whose visibility changes while
the list is read, a share withdrawn, could fall between two of them.)
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from imageyard.collect.glance.inflight import Work
from imageyard.collect.glance.listing import Convert, PageStream, item_field
from imageyard.collect.openstack.http import HttpError, JsonHttp

_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def seconds(stamp: Any) -> int | None:
    """An API ``created_at`` (``2024-05-01T10:00:00Z``) as whole seconds since the epoch."""
    if not isinstance(stamp, str):
        return None
    try:
        when = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return int(when.timestamp() // 1)


def stamp(value: int) -> str:
    """Whole seconds since the epoch as the API writes a time (``...T10:00:00Z``)."""
    return datetime.fromtimestamp(value, UTC).strftime(_STAMP)


@dataclass(eq=False)
class Slice:
    """One piece of a listing pass, read page by page by one ``PageStream``.

    Only the thread that reads the listing touches a slice; the stream's requests run on
    the pool.
    """

    label: str  # the pass ("images", "hidden images"), for gaps
    params: dict[str, str]
    lower: int | None = None  # the client-side stop: images older than this are not ours
    stream: PageStream | None = None
    newest: int | None = None  # created_at of the first image received
    position: int | None = None  # created_at of the last image received
    received: int = 0
    done: bool = False
    splittable: bool = True  # False once an image came without a readable created_at

    @property
    def scope(self) -> str:
        """The slice's name in a gap."""
        upper = self.params.get("created_at", "")
        return f"{self.label} created before {upper[3:]}" if upper else self.label

    def start(
        self,
        http: JsonHttp,
        pool: Executor,
        convert: Convert | None = None,
        ramp: tuple[int, ...] = (),
        work: Work | None = None,
    ) -> None:
        """Send the slice's first request (its first pages sized by ``ramp``; each request
        told to ``work``)."""
        self.stream = PageStream(http, self.params, pool, convert, self.past_stop, ramp, work)

    def past_stop(self, created: Any) -> bool:
        """True when an image created at ``created`` is older than the stop, so every later
        page of the list is too (lists come newest first)."""
        when = seconds(created)
        return self.lower is not None and when is not None and when < self.lower

    def take(self) -> list[Any]:
        """The next page's images of this slice (raises ``ListingError``)."""
        assert self.stream is not None, "take() before start()"
        images = self.stream.take()
        kept = self._clip(images)
        if len(kept) < len(images) or self.stream.pending is None:
            self.finish()
        return kept

    def _clip(self, images: list[Any]) -> list[Any]:
        """The images down to the stop, noting how far the slice has come."""
        for n, raw in enumerate(images):
            created = seconds(item_field(raw, "created_at"))
            if created is None:
                self.splittable = False
                continue
            if self.lower is not None and created < self.lower:
                self.received += n
                return images[:n]
            if self.newest is None:
                self.newest = created
            self.position = created
        self.received += len(images)
        return images

    def finish(self) -> None:
        """End the slice; its requests not yet started are dropped."""
        self.done = True
        if self.stream is not None:
            self.stream.cancel()

    def remaining(self, oldest: int | None) -> float:
        """About how many images are still to come (0: unknown or nothing to split)."""
        low = self.lower if self.lower is not None else oldest
        if self.done or not self.splittable or low is None or self.position is None:
            return 0.0
        assert self.newest is not None
        density = self.received / max(self.newest - self.position, 1)
        return density * (self.position - low)

    def split(self, oldest: int | None) -> Slice | None:
        """A new slice for the older half of what is left; this one stops where it begins."""
        low = self.lower if self.lower is not None else oldest
        if self.done or low is None or self.position is None or self.position - low < 2:
            return None
        middle = (low + self.position + 1) // 2  # low < middle <= position
        child = Slice(
            label=self.label,
            params={**self.params, "created_at": f"lt:{stamp(middle)}"},
            lower=self.lower,
        )
        self.lower = middle
        return child


@dataclass
class Oldest:
    """The oldest ``created_at`` of each pass, asked once (``sort_dir=asc&limit=1``)."""

    http: JsonHttp
    known: dict[str, int | None] = field(default_factory=dict)

    def of(self, piece: Slice) -> int | None:
        if piece.label not in self.known:
            self.known[piece.label] = self._ask(piece.params)
        return self.known[piece.label]

    def _ask(self, params: Mapping[str, str]) -> int | None:
        query = {k: v for k, v in params.items() if k != "created_at"}
        query |= {"limit": "1", "sort_key": "created_at", "sort_dir": "asc"}
        try:
            body = self.http.get_json("/images", query)
        except HttpError:
            return None  # the pass is then read without splitting
        images = body.get("images") if isinstance(body, Mapping) else None
        if not isinstance(images, list) or not images or not isinstance(images[0], Mapping):
            return None
        return seconds(images[0].get("created_at"))
