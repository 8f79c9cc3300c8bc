"""The ``backends`` source: what each file, S3 and Swift store's backend really holds.

Concepts: for every Glance store the configuration enables (the ``config`` source's stores),
the collector lists the store's backend and adds one ``StoreListing`` per datadir, bucket or
container to ``Inventory.store_listings``: file stores on the collecting host's file system,
S3 stores with boto3 and Swift stores over HTTP, each with the store's own credentials (read
in memory by ``options``). RBD stores are the ``ceph`` source's business; other kinds are not
listed. A store that cannot be listed gets a listing with ``complete=False`` and a gap
(source ``backends``, scope ``store <id>``) with the cause; the other stores are unaffected.
The listers are injected, so tests run them against local files and servers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from imageyard.collect.backends import files, s3, staging, swift
from imageyard.collect.backends.listing import DEFAULT_LIMIT, ListingError, Target, gather
from imageyard.collect.backends.options import OptionsError, StoreOptions, store_options
from imageyard.collect.base import Progress
from imageyard.collect.openstack.probe import Timeouts
from imageyard.model.config import GlanceApiConfig, StoreType
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.inventory import Inventory
from imageyard.model.objects import StoreListing
from imageyard.model.store import Store, StoreSource

NAME = "backends"
LISTED = (StoreType.FILE, StoreType.S3, StoreType.SWIFT)


@dataclass(frozen=True)
class Clients:
    """The seams to the backends (defaults: the real ones)."""

    s3_client: s3.S3ClientFactory = s3.boto3_client
    swift_auth: swift.Authenticator = swift.authenticate
    page_size: int = 1000


@dataclass(frozen=True)
class BackendsCollector:
    """Lists the backend of every file, S3 and Swift store in the collected config."""

    timeouts: Timeouts = field(default_factory=Timeouts)
    limit: int = DEFAULT_LIMIT
    clients: Clients = field(default_factory=Clients)

    @property
    def name(self) -> str:
        return NAME

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        glance = inventory.config.glance_api
        stores = _stores(inventory)
        progress.start(NAME, len(stores))
        listings: list[StoreListing] = []
        for store in stores:
            listings += self._store(glance, store) if glance is not None else ()
            progress.advance(NAME)
        if glance is not None:
            listings.append(staging.list_staging(glance, self.limit))
        gaps = tuple(
            Gap(NAME, f"store {lst.store}", f"{lst.kind} {lst.where}: {lst.error}")
            for lst in listings
            if not lst.complete
        )
        if glance is None:
            gaps += (Gap(NAME, "stores", "no glance-api configuration was read"),)
        status = _status(listings, gaps, len(stores))
        progress.done(NAME, status)
        return replace(
            inventory,
            store_listings=(*inventory.store_listings, *listings),
            sources=(*inventory.sources, status),
            gaps=(*inventory.gaps, *gaps),
        )

    def _store(self, glance: GlanceApiConfig, store: Store) -> list[StoreListing]:
        target = Target(store.id, store.type.value, _where(store))
        try:
            options = store_options(glance, store.id)
        except OptionsError as exc:
            return [target.failed(str(exc))]
        lister = _LISTERS[store.type]
        return lister(self, store, options)

    def _files(self, store: Store, options: StoreOptions) -> list[StoreListing]:
        dirs = files.datadirs(
            options.get("filesystem_store_datadir", store.file_data_dir),
            options.all("filesystem_store_datadirs"),
        )
        return [
            gather(Target(store.id, "file", d), files.list_datadir(d), self.limit) for d in dirs
        ]

    def _s3(self, store: Store, options: StoreOptions) -> list[StoreListing]:
        target = Target(store.id, "s3", options.get("s3_store_bucket", "") or "")
        try:
            access = s3.S3Access.of(options)
            client = self.clients.s3_client(access, self.timeouts)
        except ListingError as exc:
            return [target.failed(str(exc))]
        objects = s3.list_bucket(client, access.bucket, self.clients.page_size)
        return [gather(target, objects, self.limit)]

    def _swift(self, store: Store, options: StoreOptions) -> list[StoreListing]:
        target = Target(store.id, "swift", options.get("swift_store_container", "glance") or "")
        try:
            where = swift.Containers.of(options)
            session = self.clients.swift_auth(swift.access_of(options), self.timeouts)
            names = self._containers(session, where)
        except ListingError as exc:
            return [target.failed(str(exc))]
        page = self.clients.page_size
        return [
            gather(Target(store.id, "swift", c), swift.list_container(session, c, page), self.limit)
            for c in names
        ]

    def _containers(self, session: swift.Session, where: swift.Containers) -> Iterable[str]:
        if where.seed == 0:
            return (where.container,)
        prefix = f"{where.container}_"
        return swift.list_containers(session, prefix, self.clients.page_size)


_Lister = Callable[[BackendsCollector, Store, StoreOptions], list[StoreListing]]
_LISTERS: dict[StoreType, _Lister] = {
    StoreType.FILE: BackendsCollector._files,
    StoreType.S3: BackendsCollector._s3,
    StoreType.SWIFT: BackendsCollector._swift,
}


def _stores(inventory: Inventory) -> tuple[Store, ...]:
    """The configured stores whose backend this source lists (Glance's own stores aside)."""
    return tuple(
        s
        for s in inventory.stores
        if s.source is StoreSource.CONFIG and s.type in LISTED and not s.is_reserved
    )


def _where(store: Store) -> str:
    return store.file_data_dir or store.s3_bucket or store.swift_container or ""


def _status(listings: list[StoreListing], gaps: tuple[Gap, ...], stores: int) -> SourceStatus:
    objects = sum(len(lst.objects) for lst in listings)
    failed = sum(1 for lst in listings if not lst.complete)
    detail = f"{stores} store(s), {len(listings)} listing(s), {objects} object(s)"
    if failed:
        detail += f", {failed} listing(s) incomplete"
    return SourceStatus(NAME, complete=not gaps, items=objects, detail=detail)
