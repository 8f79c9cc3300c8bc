"""The inventory: everything one collection run saw, as a single frozen value.

Concepts: ``collect`` builds an ``Inventory`` source by source; every later stage (audit,
design, reclaim, plan, simulate, report) reads it offline, usually from a JSON snapshot
(``model.snapshot``). ``schema_version`` is ``MAJOR.MINOR``: a minor bump only adds fields
with defaults, so a reader accepts any newer minor and ignores what it does not know; a
major bump is refused. ``sources`` says per source whether collection was complete, and
``gaps`` lists what could not be read: anything inside a gap is unknown, never fine.
Schema 1.2 added ``projects`` (Keystone's, for image owners that no longer exist); 1.3
``glance_versions`` (the Glance API's version document, for the deployed release); 1.5
``store_listings`` (what the file, Swift and S3 stores' backends hold).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from imageyard.model.api_version import ApiVersion
from imageyard.model.cache import CacheNode
from imageyard.model.ceph import CephCluster
from imageyard.model.compute import Server, Volume
from imageyard.model.config import DeploymentConfig
from imageyard.model.gap import Gap, SourceStatus
from imageyard.model.identity import Project
from imageyard.model.image import Image
from imageyard.model.objects import StoreListing
from imageyard.model.store import Store

T = TypeVar("T")

SCHEMA_MAJOR = 1
SCHEMA_MINOR = 7  # 1.1: Ceph pool names, min compat client, cephx caps; 1.2: projects
# 1.3: glance_versions; 1.4: several glance-api instances (config.more_glance_apis, each
# glance-api's name and user_facing); 1.5: store_listings (file/Swift/S3 backend contents),
# RbdImage.created and RbdImage.modified; 1.6: Server.created_at (for boot traces); 1.7:
# ImageMember.created_at (how long a member has been pending)
SCHEMA_VERSION = f"{SCHEMA_MAJOR}.{SCHEMA_MINOR}"


@dataclass(frozen=True)
class Inventory:
    """One deployment's stores, images, consumers, caches, Ceph state and projects, plus gaps."""

    schema_version: str = SCHEMA_VERSION
    generated_at: str = ""
    generator: str = ""
    config: DeploymentConfig = field(default_factory=DeploymentConfig)
    stores: tuple[Store, ...] = ()
    images: tuple[Image, ...] = ()
    import_methods: tuple[str, ...] = ()
    cache_nodes: tuple[CacheNode, ...] = ()
    ceph_clusters: tuple[CephCluster, ...] = ()
    servers: tuple[Server, ...] = ()
    volumes: tuple[Volume, ...] = ()
    projects: tuple[Project, ...] = ()
    glance_versions: tuple[ApiVersion, ...] = ()
    store_listings: tuple[StoreListing, ...] = ()
    sources: tuple[SourceStatus, ...] = ()
    gaps: tuple[Gap, ...] = ()

    def image(self, image_id: str) -> Image | None:
        """The image with ``image_id``, or None."""
        return self._index.images.get(image_id)

    def store(self, store_id: str) -> Store | None:
        """The store with ``store_id`` (the first record when config and API both have it)."""
        return self._index.stores.get(store_id)

    def ceph_cluster(self, fsid: str) -> CephCluster | None:
        """The Ceph cluster with ``fsid``, or None."""
        for cluster in self.ceph_clusters:  # NOTE: a loop: asked per location, few clusters
            if cluster.fsid == fsid:
                return cluster
        return None

    def source_status(self, source: str) -> SourceStatus | None:
        """The status recorded for ``source``, or None when it did not run."""
        return next((s for s in self.sources if s.source == source), None)

    def gaps_for(self, source: str) -> tuple[Gap, ...]:
        """The gaps recorded by ``source``."""
        return tuple(g for g in self.gaps if g.source == source)

    def is_complete(self, source: str) -> bool:
        """True only when ``source`` ran, reported itself complete and left no gaps."""
        status = self.source_status(source)
        return status is not None and status.complete and not self.gaps_for(source)

    def servers_using(self, image_id: str) -> tuple[Server, ...]:
        """Servers booted directly from ``image_id``."""
        return tuple(self._index.servers.get(image_id, ()))

    def volumes_from(self, image_id: str) -> tuple[Volume, ...]:
        """Volumes created from ``image_id``."""
        return tuple(self._index.volumes.get(image_id, ()))

    def derived(self, key: str, build: Callable[[], T]) -> T:
        """What an analysis derives from this inventory, built once by ``build`` and kept
        with it under ``key`` (the inventory never changes, so it never goes stale)."""
        kept = self._derived
        if key not in kept:
            kept[key] = build()
        return cast(T, kept[key])

    @functools.cached_property
    def _derived(self) -> dict[str, object]:
        return {}

    @functools.cached_property
    def _index(self) -> _Index:
        # NOTE: built on the first lookup; a per-image question over 100,000 images (and
        # as many servers) would otherwise rescan a list each time
        return _Index.of(self)

    def deleted_owners(self, owners: Iterable[str | None] | None = None) -> frozenset[str] | None:
        """Image owners that are not Keystone projects (deleted projects); ``owners``: the
        owners to look at (default: those of the images).

        None when that is unknown: the ``keystone`` source did not list every project.
        """
        if not self.is_complete("keystone"):
            return None
        known = {p.id for p in self.projects}
        if owners is None:
            owners = (i.owner for i in self.images)
        return frozenset(o for o in owners if o and o not in known)


@dataclass(frozen=True)
class _Index:
    """An inventory's lookups by image and store id, built once (first record wins, order
    kept)."""

    images: dict[str, Image]
    stores: dict[str, Store]
    servers: dict[str, list[Server]]
    volumes: dict[str, list[Volume]]

    @classmethod
    def of(cls, inv: Inventory) -> _Index:
        images: dict[str, Image] = {}
        for image in inv.images:
            images.setdefault(image.id, image)
        stores: dict[str, Store] = {}
        for store in inv.stores:
            stores.setdefault(store.id, store)
        servers: defaultdict[str, list[Server]] = defaultdict(list)
        for server in inv.servers:
            if server.image_ref is not None:
                servers[server.image_ref].append(server)
        volumes: defaultdict[str, list[Volume]] = defaultdict(list)
        for volume in inv.volumes:
            if volume.image_id is not None:
                volumes[volume.image_id].append(volume)
        return cls(images, stores, dict(servers), dict(volumes))
