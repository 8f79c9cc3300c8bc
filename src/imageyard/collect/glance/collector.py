"""The Glance API collector: images, stores, import methods and per-node caches.

Concepts: one admin (or service) credential reads the whole catalog. The image list is read
twice, once as Glance lists by default and once with ``os_hidden=true`` (hidden images are
left out of every list unless asked for), both with ``visibility=all`` (community images are
left out otherwise, even for an admin). An admin list covers every project and every status
Glance lists (queued, saving, importing, uploading, active, deactivated, pending_delete;
never killed or deleted images).
The passes are read in slices, on as many connections as make the listing faster (``parallel``,
``slices``; ``connections=1`` reads them one page after the other), and the images are put
back in the list's order (newest first, hidden ones last) at the end.
Each image is converted to the model as soon as its page arrives (a shared image once its
members are in, when they are read). Where the endpoint hides
``locations`` (``show_multiple_locations`` off) the service-only
``GET /v2/images/{id}/locations`` is tried; once that is refused it is not asked again and
one gap says so. Members cost one request per ``shared`` image, so they are read only when
asked for (``fetch_members``), on parallel connections, as many at once as make the answers
come faster (``inflight``), and the source status says how many shared images were left
unread otherwise. Stores come from
``/v2/info/stores/detail`` (or, when that is refused, ``/v2/info/stores`` plus a gap; a 403
there also means the caller is no admin, so other projects' images are a gap too),
import methods from ``/v2/info/import``, the API versions from ``<root>/versions`` (for the
deployed release), and the cache from ``<node>/v2/cache`` on each
glance-api node named, since every node has its own.

Faults are data: anything that cannot be read becomes a ``Gap`` scoped as narrowly as
possible (one page onwards, one image, one node), and the ``SourceStatus`` is complete only
when nothing is missing. ``collect`` never raises for the source itself.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from imageyard import gcpause
from imageyard.collect.base import Progress
from imageyard.collect.glance.convert import (
    cache_node_from_api,
    image_from_api,
    import_methods_from_api,
    locations_from_api,
    members_from_api,
    stores_from_api,
    version_root,
    versions_from_api,
)
from imageyard.collect.glance.database import GlanceDatabase, Shaping, read_errors
from imageyard.collect.glance.inflight import MOST, Gate, Limit, Work
from imageyard.collect.glance.listing import PAGE_LIMIT, ListingError, item_field
from imageyard.collect.glance.parallel import MAX_CONNECTIONS, Pacer, ParallelListing
from imageyard.collect.openstack.http import HttpError, JsonHttp
from imageyard.model.api_version import ApiVersion
from imageyard.model.cache import CacheNode
from imageyard.model.config import as_bool
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.image import Image, ImageMember
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location
from imageyard.model.store import Store
from imageyard.secrets import scrub

SOURCE = "glance"
# the two passes over the image list: (label used in gaps, query)
# (``visibility=all``: Glance leaves community images out of every list, even an admin's,
# unless asked; ``member_status=all``: a non-admin's list then includes pending shares too)
_ALL = {"limit": str(PAGE_LIMIT), "visibility": "all", "member_status": "all"}
PASSES: tuple[tuple[str, Mapping[str, str]], ...] = (
    ("images", _ALL),
    ("hidden images", {**_ALL, "os_hidden": "true"}),
)
_REFUSED = (401, 403, 404)
# Glance's default policy lets only an admin read /v2/info/stores/detail: a 403 there means the
# image list is one project's view, not the cloud's
OTHER_PROJECTS = "images of other projects"
_NOT_ADMIN = (
    "these credentials are not a Glance admin (GET /v2/info/stores/detail: 403), so the image "
    "list holds only what their project may see (its own, public, community and shared "
    "images); other projects' private and shared images are unknown"
)
_T = TypeVar("_T")
MAX_WAITING = 2 * PAGE_LIMIT  # shared images whose members may be awaited at once
# NOTE: the first page sizes when members are read: a full page keeps the server on one
# request for most of a second before the first member request can start
RAMP = (100, 400)
INFO_WORKERS = 2  # stores, import methods and caches, asked while the images are listed
_DATA_STATES = frozenset({"active", "deactivated", "importing", "uploading"})


@dataclass
class _Run:
    """What one collection run has gathered so far."""

    images: list[Image] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    gaps: list[Gap] = field(default_factory=list)
    locations_refused: bool = False
    locations_allowed: bool = False
    pending: dict[str, Future[Any]] = field(default_factory=dict)  # per-image requests
    waiting: deque[Mapping[str, Any]] = field(default_factory=deque)  # awaiting their members
    notes: list[str] = field(default_factory=list)
    shared: int = 0  # images with visibility shared

    def gap(self, scope: str, error: str) -> None:
        self.gaps.append(Gap(source=SOURCE, scope=scope, error=error))

    def merge(self, value: _T, found: _Found) -> _T:
        self.gaps += found.gaps
        self.notes += found.notes
        return value

    def answer(self, key: str, http: JsonHttp, path: str) -> Any:
        """The prefetched answer for ``key``, or a GET of ``path`` now."""
        job = self.pending.pop(key, None)
        return http.get_json(path) if job is None else job.result()


@dataclass(frozen=True)
class GlanceCollector:
    """Reads one Glance API (plus the cache of each node in ``node_urls``)."""

    http: JsonHttp | None  # None: no API, the images come from ``database``
    node_urls: tuple[str, ...] = ()
    fetch_members: bool = False
    name: str = SOURCE
    connections: int = MAX_CONNECTIONS  # the most list requests at once (1: sequential)
    database: GlanceDatabase | None = None  # read the images here instead of the API
    requests_at_once: int = MOST  # the most per-image requests in flight (``inflight``)

    @property
    def api(self) -> JsonHttp:
        """The image API (only called where one was given)."""
        assert self.http is not None, "no Glance API"
        return self.http

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        run = _Run()
        progress.start(self.name, total=None)
        work = Work()  # the list pages' and the per-image requests' rates in one measure
        pacer = Pacer(most=self.connections, work=work)
        gate = Gate(Limit(most=self.requests_at_once, work=work))
        listing = None
        with (
            ThreadPoolExecutor(INFO_WORKERS, thread_name_prefix="glance-info") as info,
            ThreadPoolExecutor(2 * pacer.most, thread_name_prefix="glance-page") as pages,
            ThreadPoolExecutor(gate.workers, thread_name_prefix="glance-image") as jobs,
            gcpause.paused(),
        ):
            asked = None if self.http is None else self._ask_info(info)  # answered meanwhile
            if self.database is not None:
                self._read_database(run, self.database, _shaping(inventory, asked), progress)
            else:
                listing = ParallelListing(
                    self.api, PASSES, pages, pacer, convert=compact, ramp=self._ramp
                )
                self._list(run, listing, _Gated(jobs, gate), progress)
            stores, methods, caches, versions = _answers(run, asked)
        run.images.sort(key=_newest_first, reverse=True)
        run.images.sort(key=_hidden_last)
        if listing is not None:
            run.notes.append(_slices_note(listing))
        elif self.http is None:
            run.notes.append("no Glance API given: stores, import methods and caches not read")
        if gate.calls:
            run.notes.append(_requests_note(gate))
        status = self._status(run, stores)
        progress.done(self.name, status)
        return replace(
            inventory,
            images=inventory.images + tuple(run.images),
            stores=inventory.stores + stores,
            import_methods=methods or inventory.import_methods,
            cache_nodes=inventory.cache_nodes + caches,
            glance_versions=versions or inventory.glance_versions,
            sources=(*inventory.sources, status),
            gaps=inventory.gaps + tuple(run.gaps),
        )

    @property
    def _ramp(self) -> tuple[int, ...]:
        """The first pages' sizes: smaller when members are read (they start sooner)."""
        return RAMP if self.fetch_members else ()

    def _ask_info(self, pool: ThreadPoolExecutor) -> _Asked:
        return _Asked(
            stores=pool.submit(_found, self._stores),
            methods=pool.submit(_found, self._import_methods),
            caches=tuple(pool.submit(_found, self._cache, url) for url in self.node_urls),
            versions=pool.submit(_found, self._versions),
        )

    def _status(self, run: _Run, stores: tuple[Store, ...]) -> SourceStatus:
        parts = [f"{len(run.images)} images", f"{len(stores)} stores", *run.notes]
        if run.shared:
            fetched = self.fetch_members or self.database is not None
            parts.append(_members_note(run.shared, fetched))
        if self.node_urls:
            parts.append(f"{len(self.node_urls)} cache nodes")
        return SourceStatus(
            source=self.name,
            complete=not run.gaps,
            items=len(run.images),
            detail=", ".join(parts),
        )

    # ------------------------------------------------------------------ images
    def _list(
        self,
        run: _Run,
        listing: ParallelListing,
        jobs: _Gated,
        progress: Progress,
    ) -> None:
        try:
            for page in listing.pages():
                run.pending |= self._prefetch(jobs, run, page)
                before = len(run.images)
                for item in page:
                    if self._wants_members(item):
                        run.waiting.append(item)  # kept once its members are in
                    else:
                        self._add(run, item)
                self._settle(run, keep=MAX_WAITING)
                if len(run.images) > before:
                    progress.advance(self.name, len(run.images) - before)
            before = len(run.images)
            self._settle(run, keep=0)
            if len(run.images) > before:
                progress.advance(self.name, len(run.images) - before)
        finally:
            listing.cancel()
            for job in run.pending.values():
                job.cancel()
        for scope, exc in listing.errors:
            run.gap(_listing_scope(scope, exc), _listing_error(exc))

    def _settle(self, run: _Run, keep: int) -> None:
        """Keep the waiting shared images whose members are in, and more beyond ``keep``."""
        while run.waiting:
            job = run.pending.get(f"{item_field(run.waiting[0], 'id')}/members")
            if len(run.waiting) <= keep and job is not None and not job.done():
                return
            self._add(run, run.waiting.popleft())

    def _add(self, run: _Run, item: Image | Mapping[str, Any]) -> None:
        """A converted image (its members added) or a raw body (converted now)."""
        if not isinstance(item, Image):
            self._add_image(run, item)
        elif item.id not in run.seen:
            if self._wants_members(item):
                item = replace(item, members=self._members(run, item))
            self._keep(run, item)

    def _keep(self, run: _Run, image: Image) -> None:
        run.seen.add(image.id)
        run.images.append(image)
        run.shared += image.visibility == "shared"

    def _read_database(
        self, run: _Run, database: GlanceDatabase, shaping: Shaping, progress: Progress
    ) -> None:
        """Every listed image from Glance's database, members included."""
        try:
            for item in database.images(shaping):
                if isinstance(item, str):
                    run.notes.append(f"images read from the database (alembic head {item})")
                    continue
                run.images.append(item)
                run.shared += item.visibility == "shared"
                if len(run.images) % PAGE_LIMIT == 0:
                    progress.advance(self.name, PAGE_LIMIT)
        except read_errors() as exc:
            first = scrub(str(exc)).strip().splitlines()[0] if str(exc).strip() else repr(exc)
            run.gap("images", f"database: {first}; the images not read are unknown")
        progress.advance(self.name, len(run.images) % PAGE_LIMIT)
        run.seen.update(image.id for image in run.images)

    def _prefetch(self, pool: _Gated, run: _Run, page: list[Any]) -> dict[str, Future[Any]]:
        """Start the per-image requests of a page, so they overlap with its conversion."""
        jobs: dict[str, Future[Any]] = {}
        for item in page:
            image_id = item_field(item, "id")
            if self._wants_members(item):
                jobs[f"{image_id}/members"] = pool.submit(
                    self.api.get_json, f"/images/{image_id}/members"
                )
            if run.locations_allowed and _wants_locations(run, item):
                jobs[f"{image_id}/locations"] = pool.submit(
                    self.api.get_json, f"/images/{image_id}/locations"
                )
        return jobs

    def _add_image(self, run: _Run, raw: Mapping[str, Any]) -> None:
        image_id = str(raw.get("id"))
        if image_id in run.seen:
            return
        try:
            # NOTE: the usual image needs neither extra request; skip both calls for it
            locations = None if "locations" in raw else self._locations(run, raw)
            members = self._members(run, raw) if raw.get("visibility") == "shared" else ()
            image = image_from_api(raw, locations=locations, members=members)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            run.gap(f"image {image_id}", f"unreadable image record: {exc!r}")
            return
        self._keep(run, image)

    def _locations(self, run: _Run, raw: Mapping[str, Any]) -> tuple[Location, ...] | None:
        """None: use the body's own ``locations``; else what the locations API says.

        The first image needing it probes the API alone; once that works, the requests of
        later pages are started ahead (``_prefetch``).
        """
        if not _wants_locations(run, raw):
            return None
        image_id = raw["id"]
        try:
            body = run.answer(f"{image_id}/locations", self.api, f"/images/{image_id}/locations")
        except HttpError as exc:
            if exc.status in _REFUSED:
                run.locations_refused = True
                run.gap(
                    "image locations",
                    f"locations hidden: the image bodies carry none and "
                    f"GET /v2/images/{{id}}/locations was refused ({exc.brief})",
                )
            else:
                run.gap(f"image {image_id} locations", exc.brief)
            return None
        run.locations_allowed = True
        return locations_from_api(body)

    def _wants_members(self, item: Image | Mapping[str, Any]) -> bool:
        return self.fetch_members and item_field(item, "visibility") == "shared"

    def _members(self, run: _Run, item: Image | Mapping[str, Any]) -> tuple[ImageMember, ...]:
        if not self._wants_members(item):
            return ()
        image_id = item_field(item, "id")
        try:
            body = run.answer(f"{image_id}/members", self.api, f"/images/{image_id}/members")
        except HttpError as exc:
            run.gap(f"image {image_id} members", exc.brief)
            return ()
        return members_from_api(body)

    # ------------------------------------------------------------------ info
    def _stores(self, found: _Found) -> tuple[Store, ...]:
        try:
            return stores_from_api(self.api.get_json("/info/stores/detail"))
        except HttpError as exc:
            detail_error = exc
        try:
            stores = stores_from_api(self.api.get_json("/info/stores"))
        except HttpError as exc:
            if exc.status == 404:
                found.notes.append("multi-store off (/v2/info/stores: 404)")
            else:
                found.gap("stores", f"GET /v2/info/stores: {exc.brief}")
            return ()
        found.gap(
            "stores detail",
            f"GET /v2/info/stores/detail: {detail_error.brief}; "
            "store types, weights and properties are unknown",
        )
        if detail_error.status == 403:
            found.gap(OTHER_PROJECTS, _NOT_ADMIN)
        return stores

    def _import_methods(self, found: _Found) -> tuple[str, ...]:
        try:
            return import_methods_from_api(self.api.get_json("/info/import"))
        except HttpError as exc:
            found.gap("import methods", f"GET /v2/info/import: {exc.brief}")
            return ()

    def _versions(self, found: _Found) -> tuple[ApiVersion, ...]:
        """Glance's version document (``GET <root>/versions``), for the deployed release."""
        endpoint = getattr(self.api, "endpoint", None)  # NOTE: only real endpoints have it
        if endpoint is None:
            return ()
        try:
            url = f"{version_root(endpoint())}/versions"
            return versions_from_api(self.api.get_json(url))
        except HttpError as exc:
            found.notes.append(f"API versions unknown (GET /versions: {exc.brief})")
            return ()

    def _cache(self, found: _Found, url: str) -> CacheNode | None:
        node = url.rstrip("/")
        try:
            return cache_node_from_api(node, self.api.get_json(f"{node}/v2/cache"))
        except HttpError as exc:
            found.gap(f"cache node {node}", f"GET {node}/v2/cache: {exc.brief}")
            return None


@dataclass
class _Found:
    """Gaps and notes of one info call, made on a worker thread and merged afterwards."""

    gaps: list[Gap] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def gap(self, scope: str, error: str) -> None:
        self.gaps.append(Gap(source=SOURCE, scope=scope, error=error))


def _found(call: Callable[..., _T], *args: Any) -> tuple[_T, _Found]:
    found = _Found()
    return call(found, *args), found


@dataclass(frozen=True)
class _Gated:
    """The per-image requests' threads, each request held to the gate's level."""

    pool: ThreadPoolExecutor
    gate: Gate

    def submit(self, function: Callable[[str], _T], path: str) -> Future[_T]:
        return self.pool.submit(self.gate.call, function, path)


@dataclass(frozen=True)
class _Asked:
    """The info calls in flight."""

    stores: Future[tuple[tuple[Store, ...], _Found]]
    methods: Future[tuple[tuple[str, ...], _Found]]
    caches: tuple[Future[tuple[CacheNode | None, _Found]], ...]
    versions: Future[tuple[tuple[ApiVersion, ...], _Found]]


def _answers(
    run: _Run, asked: _Asked | None
) -> tuple[tuple[Store, ...], tuple[str, ...], tuple[CacheNode, ...], tuple[ApiVersion, ...]]:
    """The info answers, their gaps and notes merged into ``run`` in a fixed order."""
    if asked is None:
        return (), (), (), ()
    stores = run.merge(*asked.stores.result())
    methods = run.merge(*asked.methods.result())
    caches = tuple(run.merge(*job.result()) for job in asked.caches)
    versions = run.merge(*asked.versions.result())
    return stores, methods, tuple(c for c in caches if c is not None), versions


def _wants_locations(run: _Run, raw: Image | Mapping[str, Any]) -> bool:
    """True when an image body lacks ``locations`` that the locations API may give."""
    if isinstance(raw, Image) or "locations" in raw or run.locations_refused:
        return False
    return bool(raw.get("stores")) or raw.get("status") in _DATA_STATES


def compact(page: list[Any]) -> list[Any]:
    """A page's image bodies as Images, on the worker that fetched it.

    A body without ``locations`` (the endpoint hides them) or that does not convert stays as
    it is, for the collector to complete or to record as a gap; members are added later.
    """
    out: list[Any] = []
    for raw in page:
        try:
            out.append(image_from_api(raw) if "locations" in raw else raw)
        except (KeyError, TypeError, ValueError, AttributeError):
            out.append(raw)
    return out


def _shaping(inventory: Inventory, asked: _Asked | None) -> Shaping:
    """Store weights (the API's when it answers, else the configuration's) and whether the
    configuration shows ``direct_url`` (Glance's default: no)."""
    stores = asked.stores.result()[0] if asked is not None else ()
    weights: dict[str, int] = {}
    for store in (*stores, *inventory.stores):
        if store.weight is not None:
            weights.setdefault(store.id, store.weight)
    glance = inventory.config.glance_api
    direct = as_bool(glance.show_image_direct_url, False) if glance is not None else False
    return Shaping(weights, direct_url=bool(direct))


def _newest_first(image: Image) -> tuple[str, str]:
    return (image.created_at or "", image.id)


def _hidden_last(image: Image) -> bool:
    return image.os_hidden


def _slices_note(listing: ParallelListing) -> str:
    """How the list was read: in how many slices, on how many connections at most."""
    return f"list read in {len(listing.slices)} slices, at most {listing.most_at_once} at once"


def _requests_note(gate: Gate) -> str:
    """How many per-image requests ran at once, and where their level ended."""
    return (
        f"{gate.calls} per-image requests, at most {gate.most_at_once} at once "
        f"({gate.limit.level} at the end)"
    )


def _members_note(shared: int, fetched: bool) -> str:
    if fetched:
        return f"members of {shared} shared images"
    return f"members not read for {shared} shared images (--members reads them)"


def _listing_scope(label: str, exc: ListingError) -> str:
    if exc.status in (401, 403):
        return label  # the credentials cannot list at all: the whole listing is unknown
    if exc.after is None:
        return f"{label} first page"
    return f"{label} page after marker {exc.after}"


def _listing_error(exc: ListingError) -> str:
    if exc.status in (401, 403):
        return f"image list refused ({exc.brief}); every image is unknown"
    return f"{exc.brief}; this page and every later one are unknown"
