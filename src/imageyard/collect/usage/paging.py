"""Marker paging over Nova and Cinder list calls, turning failures into gaps.

Concepts: Nova's ``/servers/detail`` and Cinder's ``/volumes/detail`` return at most
``limit`` entries and, when a page is full, a ``servers_links`` / ``volumes_links`` entry
with ``rel: next`` whose URL carries a ``marker`` (the last id of the page). ``walk`` asks
for the next page itself, with the same path and parameters plus that marker, rather than
following the link's URL (which may name a host this machine cannot reach). A page that
fails after retries ends the walk with a ``Gap``: scope ``servers`` / ``volumes`` when the
first page failed, ``page after marker <id>`` otherwise; what was read before is kept.
Repeated ids are dropped and a marker seen twice stops the walk with a gap, so a looping
server cannot make the walk run forever or count an entry twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from imageyard.collect.openstack.http import Failure, HttpError, JsonHttp, Params
from imageyard.model.gap import Gap

DEFAULT_LIMIT = 1000


@dataclass(frozen=True)
class Listing:
    """What to page over: a path, the list's key in the body, and the base parameters."""

    source: str
    path: str
    key: str
    params: Params
    limit: int = DEFAULT_LIMIT

    @property
    def links_key(self) -> str:
        """``servers_links`` for ``servers``, and so on."""
        return f"{self.key}_links"


@dataclass(frozen=True)
class Walk:
    """The entries read, in order and without repeats, and the gap that ended the walk."""

    entries: tuple[Mapping[str, Any], ...]
    pages: int
    gap: Gap | None = None
    skipped: int = 0


def next_href(body: Mapping[str, Any], links_key: str) -> str | None:
    """The URL of the ``next`` link, or None when this was the last page."""
    links = body.get(links_key)
    if not isinstance(links, list):
        return None
    for link in links:
        if isinstance(link, dict) and link.get("rel") == "next":
            href = link.get("href")
            return href if isinstance(href, str) else ""
    return None


def next_marker(body: Mapping[str, Any], links_key: str) -> str | None:
    """The ``marker`` of the ``next`` link; None on the last page.

    A ``next`` link without a marker raises ``HttpError`` (malformed): stopping there
    silently would pass a partial listing off as complete.
    """
    href = next_href(body, links_key)
    if href is None:
        return None
    markers = parse_qs(urlsplit(href).query).get("marker")
    if not markers or not markers[-1]:
        raise HttpError(f"next link without a marker: {href[:200]!r}", kind=Failure.MALFORMED)
    return markers[-1]


def _entries(body: Any, listing: Listing) -> list[Mapping[str, Any]]:
    if not isinstance(body, Mapping):
        raise HttpError("response is not a JSON object", kind=Failure.MALFORMED)
    entries = body.get(listing.key)
    if not isinstance(entries, list):
        raise HttpError(f"no {listing.key!r} list in the response", kind=Failure.MALFORMED)
    return [e for e in entries if isinstance(e, dict)]


def _scope(listing: Listing, marker: str | None) -> str:
    return listing.key if marker is None else f"page after marker {marker}"


class _Pager:
    """The mutable state of one walk (kept out of the public, frozen ``Walk``)."""

    def __init__(self, listing: Listing, on_page: Callable[[int], None]) -> None:
        self.listing = listing
        self.on_page = on_page
        self.entries: list[Mapping[str, Any]] = []
        self.seen: set[str] = set()
        self.markers: set[str] = set()
        self.pages = 0
        self.skipped = 0

    def params(self, marker: str | None) -> dict[str, str | int]:
        params: dict[str, str | int] = {**self.listing.params, "limit": self.listing.limit}
        if marker is not None:
            params["marker"] = marker
        return params

    def add(self, page: list[Mapping[str, Any]]) -> None:
        fresh = 0
        for entry in page:
            entry_id = entry.get("id")
            if not isinstance(entry_id, str) or not entry_id:
                self.skipped += 1
            elif entry_id not in self.seen:
                self.seen.add(entry_id)
                self.entries.append(entry)
                fresh += 1
        self.pages += 1
        self.on_page(fresh)

    def result(self, gap: Gap | None) -> Walk:
        return Walk(tuple(self.entries), self.pages, gap, self.skipped)

    def gap(self, marker: str | None, error: str) -> Gap:
        return Gap(self.listing.source, _scope(self.listing, marker), error)


def walk(
    http: JsonHttp,
    listing: Listing,
    on_page: Callable[[int], None] = lambda n: None,
) -> Walk:
    """Read every page of ``listing``; stop at the first page that fails, with a gap."""
    pager = _Pager(listing, on_page)
    marker: str | None = None
    while True:
        try:
            body = http.get_json(listing.path, pager.params(marker))
            page = _entries(body, listing)
            following = next_marker(body, listing.links_key)
        except HttpError as exc:
            return pager.result(pager.gap(marker, exc.brief))
        pager.add(page)
        if following is None:
            return pager.result(None)
        if following in pager.markers:
            return pager.result(pager.gap(following, "pagination loop: marker repeated"))
        pager.markers.add(following)
        marker = following
