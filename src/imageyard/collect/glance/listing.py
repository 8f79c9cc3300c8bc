"""Paging through ``GET /v2/images``, one page ahead of the caller.

Concepts: Glance pages with ``limit`` (at most 1,000) and ``marker`` and says where the next
page is in the body's ``next`` link (``/v2/images?limit=1000&marker=<id>``), which is followed
exactly as returned: the version prefix is dropped because the transport is already rooted
at the versioned endpoint. While the caller converts one page, the next one is being fetched
(the server's time overlaps with ours), and a ``PageStream`` sends its first request as soon
as it is made, so several lists can be in flight at once. A ``convert`` function, when
given, turns a page's image bodies into compact records on the worker thread that fetched
it, so no decoded page waits in memory for its turn. A page that cannot be fetched ends the
listing with a ``ListingError`` naming the last image id received, so the caller can
record precisely which part of the catalog is unknown. A stream given an ``ended`` test
(a slice's client-side stop) asks for no page after one whose last image passes it, neither
early nor late: the server is not made to serve images nobody keeps. A stream given a
``ramp`` of page sizes asks its first page with the first of them and each ``next`` link
that asks for one of them with the one after it, the last step being the list's own
``limit`` (the link is otherwise followed as returned; Glance repeats the request's query
in it): small first pages arrive sooner, so what a caller starts from a page (the members
of its shared images) starts sooner too.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import Executor, Future
from typing import Any

from imageyard.collect.glance.inflight import Work
from imageyard.collect.openstack.http import HttpError, JsonHttp

PAGE_LIMIT = 1000
VERSION_PREFIX = "/v2/"
_NEXT_KEY = b'"next": "'
_CREATED_KEY = b'"created_at": "'
_TAIL = 4096
_LAST_IMAGE = 65536  # how far back from the end its last image's created_at is looked for
_LIMIT = re.compile(r"([?&])limit=([^&]*)")
Convert = Callable[[list[Any]], list[Any]]  # a page's image bodies -> what to keep of them
Ended = Callable[[Any], bool]  # a page's last created_at -> True: no later page is wanted


class ListingError(Exception):
    """A page of the image list could not be read."""

    def __init__(self, after: str | None, error: HttpError | str) -> None:
        super().__init__(str(error))
        self.after = after  # the last image id received before the failure (None: first page)
        self.error = error

    @property
    def status(self) -> int | None:
        """The HTTP status of the failure, if there was one."""
        return self.error.status if isinstance(self.error, HttpError) else None

    @property
    def brief(self) -> str:
        return self.error.brief if isinstance(self.error, HttpError) else self.error


def item_field(item: Any, name: str) -> Any:
    """A field of a listed image: a raw body's key, or a converted record's attribute."""
    return item.get(name) if isinstance(item, Mapping) else getattr(item, name, None)


def next_path(link: str) -> str:
    """A body's ``next`` link as a path under the versioned endpoint (query kept verbatim)."""
    if link.startswith(VERSION_PREFIX):
        return link[len(VERSION_PREFIX) - 1 :]
    return link


def grown(link: str, ramp: tuple[str, ...]) -> str:
    """``link`` asking for the page size after its own in ``ramp`` (unchanged when its
    ``limit`` is not one of the steps before the last)."""
    found = _LIMIT.search(link)
    if found is None or found.group(2) not in ramp[:-1]:
        return link
    step = ramp[ramp.index(found.group(2)) + 1]
    return f"{link[: found.start()]}{found.group(1)}limit={step}{link[found.end() :]}"


def _page_images(body: Any) -> tuple[list[Any], str | None]:
    if not isinstance(body, Mapping) or not isinstance(body.get("images"), list):
        raise ValueError("response has no 'images' list")
    link = body.get("next")
    return body["images"], link if isinstance(link, str) and link else None


def peek_next(body: bytes) -> str | None:
    """The ``next`` link of a raw list body, found without decoding it (None: not found).

    Glance writes ``next`` after the images, so it is looked for in the tail only; the
    decoded body is still checked against it before the early request is used.
    """
    start = body.rfind(_NEXT_KEY, max(len(body) - _TAIL, 0))
    if start < 0:
        return None
    start += len(_NEXT_KEY)
    end = body.find(b'"', start)
    if end < 0 or b"\\" in body[start:end]:
        return None
    return body[start:end].decode("utf-8", "replace")


def peek_created(body: bytes) -> str | None:
    """The ``created_at`` of a raw list body's last image, found without decoding it.

    Glance writes the links (which hold no ``"created_at": "``) after the images, so the last
    occurrence is the last image's. None: not found near the end.
    """
    start = body.rfind(_CREATED_KEY, max(len(body) - _LAST_IMAGE, 0))
    if start < 0:
        return None
    start += len(_CREATED_KEY)
    end = body.find(b'"', start)
    return None if end < 0 else body[start:end].decode("utf-8", "replace")


class PageStream:
    """One image list being read; its first request is in flight from construction on.

    While one page is being decoded the next one is already asked for (its link is read from
    the raw body), so the server works on page N+1 while this side decodes and converts page
    N. One early request at a time: at most two pages wait beyond the one the caller holds.
    """

    def __init__(
        self,
        http: JsonHttp,
        params: Mapping[str, str],
        pool: Executor,
        convert: Convert | None = None,
        ended: Ended | None = None,
        ramp: tuple[int, ...] = (),
        work: Work | None = None,
    ) -> None:
        self._http = http
        self._pool = pool
        self._work = work  # told of each request, for the server's work in a window
        self._convert = convert
        self._ended = ended
        self._ramp = _steps(ramp, params.get("limit"))
        self._lock = threading.Lock()
        self._early: dict[str, Future[Any]] = {}  # next-page requests sent from a raw body
        first = {**params, "limit": self._ramp[0]} if self._ramp else dict(params)
        self._pending: Future[Any] | None = pool.submit(self._fetch, "/images", first)
        self._last: str | None = None  # the last image id received
        self._seen: set[str] = set()  # the page links followed

    def _fetch(self, path: str, params: Mapping[str, str] | None) -> Any:
        work = self._work
        token = work.asked() if work is not None else 0
        images = None
        try:
            body = self._http.get_json(path, params, peek=self._ask_early)
            images = body.get("images") if isinstance(body, dict) else None
        finally:
            if work is not None:
                work.answered(token, len(images) if isinstance(images, list) else 0)
        if self._convert is not None and isinstance(images, list):
            body["images"] = self._convert(images)  # on this worker: the raw page goes now
        return body

    def _ask_early(self, body: bytes) -> None:
        link = peek_next(body)
        if link is not None and self._ended is not None and self._ended(peek_created(body)):
            return
        with self._lock:
            if link is None or self._early:  # one early request at a time bounds memory
                return
            self._early[link] = self._pool.submit(self._fetch, self._path(link), None)

    def _next(self, link: str) -> Future[Any]:
        with self._lock:
            early = self._early.pop(link, None)
            stale = list(self._early.values())  # asked for a link the body did not confirm
            self._early.clear()
        for job in stale:
            job.cancel()
        return early or self._pool.submit(self._fetch, self._path(link), None)

    def _path(self, link: str) -> str:
        """Where a ``next`` link points, at the ramp's next page size."""
        return next_path(grown(link, self._ramp) if self._ramp else link)

    @property
    def pending(self) -> Future[Any] | None:
        """The request whose answer ``take`` returns next (None: the listing has ended)."""
        return self._pending

    def take(self) -> list[Any]:
        """The next page's image bodies (waiting for it); raise ListingError when it fails.

        The request for the page after it is sent (or its early answer adopted) first,
        unless this page's last image is past the ``ended`` test.
        """
        if self._pending is None:
            return []
        images, link = _receive(self._pending, self._last)
        self._pending = None
        if link is not None and images and not self._past_end(images[-1]):
            if link in self._seen:
                raise ListingError(self._last, f"the server repeated the page link {link}")
            self._seen.add(link)
            self._pending = self._next(link)
        if images:
            self._last = str(item_field(images[-1], "id"))
        return images

    def _past_end(self, last: Any) -> bool:
        return self._ended is not None and self._ended(item_field(last, "created_at"))

    def pages(self) -> Iterator[list[Any]]:
        """Yield each page's image bodies; raise ListingError when a page fails."""
        while self._pending is not None:
            yield self.take()

    def cancel(self) -> None:
        """Drop the requests not yet started."""
        with self._lock:
            jobs = [self._pending, *self._early.values()]
        for job in jobs:
            if job is not None:
                job.cancel()


def _steps(ramp: tuple[int, ...], limit: Any) -> tuple[str, ...]:
    """The page sizes of a ramp up to ``limit`` (none: no ramp, or no limit to end it)."""
    if not isinstance(limit, str) or not limit.isdigit():
        return ()
    steps = tuple(str(size) for size in ramp if 0 < size < int(limit))
    return (*steps, limit) if steps else ()


def _receive(pending: Future[Any], last: str | None) -> tuple[list[Any], str | None]:
    try:
        return _page_images(pending.result())
    except HttpError as exc:
        raise ListingError(last, exc) from exc
    except ValueError as exc:
        raise ListingError(last, f"unreadable page: {exc}") from exc
