"""The inventory indexed once for the reclaim analysis: every lookup after this is O(1).

Concepts: the analysis is a few hash joins between Glance's view (image ids, the backend
objects their locations name), Ceph's (pools, images, clone parents, trash) and the store
listings. ``Index.of`` walks each part of the inventory at most once. ``children`` maps a
parent ``(fsid, pool, image)`` (by name and by RBD id) to its clones in every pool read.
``glance_pools`` maps ``(fsid, pool)`` to the rbd stores using that pool. Which inputs are
incomplete is decided here too (``catalog_gap``, ``location_gaps``), so every class asks the
same question the same way. What the locations name (``rbd_refs``, ``object_refs``) is
indexed on the first question about a Ceph pool or a store listing.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from imageyard.model.ceph import CephCluster, Pool, RbdImage
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import (
    FileLocation,
    Location,
    ParsedLocation,
    RbdLocation,
    S3Location,
    SwiftLocation,
)
from imageyard.model.objects import StoreListing
from imageyard.model.store import Store, StoreType

GLANCE_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
# NOTE: glance gaps that do not hide an image record or a location
_BENIGN = re.compile(
    r"image \S+ members|members .*|cache node .*|import methods|stores|stores detail"
)
_LOCATIONS_GAP = re.compile(r"image (\S+) locations")

RbdKey = tuple[str, str, str]  # fsid, pool, image name (or RBD id)


@dataclass(frozen=True)
class PoolRef:
    """One pool of one cluster."""

    cluster: CephCluster
    pool: Pool


@dataclass(frozen=True)
class Index:
    """Lookups over one inventory, built once."""

    inventory: Inventory = field(repr=False, compare=False)
    images: dict[str, Image]
    glance_pools: dict[tuple[str, str], tuple[Store, ...]]
    children: dict[RbdKey, tuple[tuple[str, RbdImage], ...]]  # -> (pool, clone)
    pools: tuple[PoolRef, ...]
    server_ids: frozenset[str]
    volume_ids: frozenset[str]
    uses: Counter[str]
    catalog_gap: str | None  # why the Glance image list is not whole, else None
    locations_hidden: str | None  # why no location was read, else None
    location_gaps: frozenset[str]  # images whose locations could not be read
    listings: dict[str, tuple[tuple[StoreListing, frozenset[str]], ...]]  # store -> names

    @classmethod
    def of(cls, inv: Inventory) -> Index:
        """Index ``inv`` (one pass over each of its parts)."""
        images = {i.id: i for i in inv.images}
        catalog, hidden, location_gaps = _glance_gaps(inv)
        return cls(
            inventory=inv,
            images=images,
            glance_pools=_glance_pools(inv),
            children=_children(inv),
            pools=tuple(PoolRef(c, p) for c in inv.ceph_clusters for p in c.pools),
            server_ids=frozenset(s.id for s in inv.servers),
            volume_ids=frozenset(v.id for v in inv.volumes),
            uses=_uses(inv),
            catalog_gap=catalog,
            locations_hidden=hidden,
            location_gaps=location_gaps,
            listings=_listings(inv),
        )

    @property
    def rbd_refs(self) -> frozenset[RbdKey]:
        """The RBD images the Glance locations and direct URLs name: ``(fsid, pool, image)``,
        fsid and pool empty for a legacy ``rbd://<image>``."""
        return self._references[0]

    @property
    def object_refs(self) -> dict[str, frozenset[str]]:
        """Store id -> the file paths or object names its locations name (direct URLs under
        the store id "")."""
        return self._references[1]

    @functools.cached_property
    def _references(self) -> tuple[frozenset[RbdKey], dict[str, frozenset[str]]]:
        # NOTE: built on first use: only the classes that check a Ceph pool or a store
        # listing ask, so a snapshot without either never walks every location for them
        return _references(self.inventory)

    def clones(self, fsid: str, pool: str, image: RbdImage) -> tuple[tuple[str, RbdImage], ...]:
        """Clones of any snapshot of ``image`` (matched by name or RBD id)."""
        by_name = self.children.get((fsid, pool, image.name), ())
        by_id = self.children.get((fsid, pool, image.id), ()) if image.id else ()
        if not by_id:
            return by_name
        seen = {(p, c.name) for p, c in by_name}
        return by_name + tuple(x for x in by_id if (x[0], x[1].name) not in seen)

    def referenced(self, fsid: str, pool: str, name: str) -> bool:
        """True when a Glance location (or ``direct_url``) names ``pool/name`` in ``fsid``.

        A legacy ``rbd://<image>`` location names no cluster or pool: it matches any.
        """
        refs = self.rbd_refs
        return (fsid, pool, name) in refs or ("", pool, name) in refs or ("", "", name) in refs


def _uses(inv: Inventory) -> Counter[str]:
    uses: Counter[str] = Counter()
    for s in inv.servers:
        if s.image_ref:
            uses[s.image_ref] += 1
    for v in inv.volumes:
        if v.image_id:
            uses[v.image_id] += 1
    return uses


def _references(inv: Inventory) -> tuple[frozenset[RbdKey], dict[str, frozenset[str]]]:
    rbd: set[RbdKey] = set()
    objects: defaultdict[str, set[str]] = defaultdict(set)
    for image in inv.images:
        for loc in image.locations:
            _refer(loc.store or "", loc.parsed, rbd, objects)
        if image.direct_url:
            _refer("", _direct(image, image.direct_url), rbd, objects)
    return frozenset(rbd), {k: frozenset(v) for k, v in objects.items()}


def _direct(image: Image, url: str) -> ParsedLocation:
    """``direct_url`` parsed: usually one of the image's locations, whose parse is reused."""
    for loc in image.locations:
        if loc.url == url:
            return loc.parsed
    return Location(url, None).parsed


def _refer(
    store: str, parsed: ParsedLocation, rbd: set[RbdKey], objects: defaultdict[str, set[str]]
) -> None:
    """Record what one location names: an RBD image, or a file or object of ``store``."""
    if isinstance(parsed, RbdLocation):
        rbd.add((parsed.fsid if not parsed.legacy else "", parsed.pool, parsed.image))
    elif isinstance(parsed, FileLocation):
        objects[store].add(parsed.path)
    elif isinstance(parsed, SwiftLocation | S3Location):
        objects[store].add(parsed.object)


def _glance_pools(inv: Inventory) -> dict[tuple[str, str], tuple[Store, ...]]:
    single = inv.ceph_clusters[0].fsid if len(inv.ceph_clusters) == 1 else None
    out: defaultdict[tuple[str, str], list[Store]] = defaultdict(list)
    seen: set[str] = set()
    for store in inv.stores:
        if store.type is not StoreType.RBD or not store.rbd_pool or store.id in seen:
            continue
        fsid = store.rbd_fsid or single
        if fsid is not None:
            seen.add(store.id)
            out[(fsid, store.rbd_pool)].append(store)
    return {k: tuple(v) for k, v in out.items()}


def _children(inv: Inventory) -> dict[RbdKey, tuple[tuple[str, RbdImage], ...]]:
    out: defaultdict[RbdKey, list[tuple[str, RbdImage]]] = defaultdict(list)
    for cluster in inv.ceph_clusters:
        for pool in cluster.pools:
            for image in pool.images:
                ref = image.parent
                if ref is None:
                    continue
                out[(cluster.fsid, ref.pool, ref.image)].append((pool.name, image))
                if ref.image_id and ref.image_id != ref.image:
                    out[(cluster.fsid, ref.pool, ref.image_id)].append((pool.name, image))
    return {k: tuple(v) for k, v in out.items()}


def _glance_gaps(inv: Inventory) -> tuple[str | None, str | None, frozenset[str]]:
    if inv.source_status("glance") is None:
        return "the Glance API was not read", "the Glance API was not read", frozenset()
    catalog: str | None = None
    hidden: str | None = None
    per_image: set[str] = set()
    for gap in inv.gaps_for("glance"):
        match = _LOCATIONS_GAP.fullmatch(gap.scope)
        if match is not None:
            per_image.add(match.group(1))
        elif gap.scope == "image locations":
            hidden = f"glance: {gap.error}"
        elif not _BENIGN.fullmatch(gap.scope) and catalog is None:
            catalog = f"glance: {gap.scope}: {gap.error}"
    return catalog, hidden, frozenset(per_image)


def _listings(inv: Inventory) -> dict[str, tuple[tuple[StoreListing, frozenset[str]], ...]]:
    out: defaultdict[str, list[tuple[StoreListing, frozenset[str]]]] = defaultdict(list)
    for listing in inv.store_listings:
        out[listing.store].append((listing, frozenset(o.name for o in listing.objects)))
    return {k: tuple(v) for k, v in out.items()}
