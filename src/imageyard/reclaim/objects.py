"""Files and objects in the file, Swift and S3 stores that no Glance image owns.

Concepts: each ``StoreListing`` is one datadir, container or bucket of a Glance store.
glance_store names the data after the image id: the file ``<datadir>/<id>``, the object
``<id>`` (Swift also writes ``<id>-<5 digits>`` segments of a large object beside its
manifest). An entry is owned when its id is a Glance image or a location names it; any
other Glance-shaped entry is an orphan unless it was written within the grace period (or
its time is unknown). Entries not shaped like Glance's names belong to another user of the
directory, container or bucket (the listing's ``foreign`` count) and are spared and
counted. A listing that failed or was cut
short (``complete`` False, a Swift 401) makes its class unknown for that store. The import
staging store (``os_glance_staging_store``) holds ``<id>`` files (and ``<id>.<format>``
siblings of the conversion plugins) while an import runs: a file whose image is gone, or no
longer ``uploading``/``importing``, is a leftover once older than the grace period; for an
active image that still lists stores in ``os_glance_importing_to_stores`` (a copy-image that
may be running, or was killed) it is reported with medium confidence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imageyard.model.finding import Evidence, Resource
from imageyard.model.location import FileLocation, Location, S3Location, SwiftLocation
from imageyard.model.objects import StoredObject, StoreListing
from imageyard.model.store import StoreType
from imageyard.reclaim.context import Ctx, Outcome

CLASS_OF_KIND = {
    "file": "file-no-glance-image",
    "swift": "swift-no-glance-image",
    "s3": "s3-no-glance-image",
}
STAGING = "import-staging-leftover"
STAGING_STORE = "os_glance_staging_store"
_IN_FLIGHT = ("importing", "uploading")
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
_OBJECT = re.compile(rf"({_UUID})(?:-\d{{5,}})?", re.IGNORECASE)
_STAGED = re.compile(rf"({_UUID})(?:\.[a-z0-9]+)?", re.IGNORECASE)
_KINDS = {StoreType.FILE: "file", StoreType.SWIFT: "swift", StoreType.S3: "s3"}


def store_objects(ctx: Ctx) -> Iterator[Outcome]:
    """The three backend classes (and staging leftovers), listing by listing."""
    listed = {listing.store for listing in ctx.inv.store_listings}
    yield from _unlisted(ctx, listed)
    for listing in ctx.inv.store_listings:
        if listing.store == STAGING_STORE:
            yield from _staging(ctx, listing)
        elif listing.kind in CLASS_OF_KIND:
            yield from _listing(ctx, listing)


def _unlisted(ctx: Ctx, listed: set[str]) -> Iterator[Outcome]:
    seen: set[str] = set()
    for store in ctx.inv.stores:
        kind = _KINDS.get(store.type)
        if kind is None or store.is_reserved or store.id in listed or store.id in seen:
            continue
        seen.add(store.id)
        yield ctx.unknown(
            CLASS_OF_KIND[kind], Resource("store", store.id), f"store {store.id} was not listed"
        )


def _listing(ctx: Ctx, listing: StoreListing) -> Iterator[Outcome]:
    cls = CLASS_OF_KIND[listing.kind]
    resource = Resource("store", f"{listing.store} {listing.where}")
    why = _listing_gap(listing) or ctx.idx.catalog_gap or ctx.idx.locations_hidden
    if why is not None:
        yield ctx.unknown(cls, resource, why)
        return
    refs = ctx.idx.object_refs.get(listing.store, frozenset())
    for obj in listing.objects:
        yield from _object(ctx, listing, obj, cls, refs)


def _listing_gap(listing: StoreListing) -> str | None:
    if listing.complete:
        return None
    return f"{listing.kind} {listing.where} of store {listing.store}: " + (
        listing.error or "listing incomplete"
    )


def _full_name(listing: StoreListing, obj: StoredObject) -> str:
    if listing.kind == "file":
        return f"{listing.where.rstrip('/')}/{obj.name}"
    return obj.name


def _object(
    ctx: Ctx, listing: StoreListing, obj: StoredObject, cls: str, refs: frozenset[str]
) -> Iterator[Outcome]:
    match = _OBJECT.fullmatch(obj.name)
    if match is None:
        yield ctx.excluded(cls, "foreign-name", obj.size, store=listing.store)
        return
    full = _full_name(listing, obj)
    if match.group(1).lower() in ctx.idx.images or full in refs or obj.name in refs:
        return
    young = ctx.too_young(obj.modified)
    if young is not None:
        yield ctx.excluded(cls, young, obj.size, store=listing.store)
        return
    yield ctx.item(
        cls,
        Resource(listing.kind, full if listing.kind == "file" else f"{listing.where}/{obj.name}"),
        f"{listing.kind} {listing.where}: {obj.name} has no Glance image (store {listing.store})",
        (
            Evidence.fact(f"{listing.kind} {listing.where}: {obj.name}, {obj.size} bytes"),
            Evidence.fact(f"glance: no image {match.group(1)} and no location names it"),
            Evidence.fact(f"last written {obj.modified}"),
        ),
        params=(("store", listing.store), ("where", listing.where), ("name", obj.name)),
        provisioned=obj.size,
        used=obj.size,
        store=listing.store,
    )


def _staging(ctx: Ctx, listing: StoreListing) -> Iterator[Outcome]:
    resource = Resource("store", f"{listing.store} {listing.where}")
    why = _listing_gap(listing) or ctx.idx.catalog_gap
    if why is not None:
        yield ctx.unknown(STAGING, resource, why)
        return
    for obj in listing.objects:
        match = _STAGED.fullmatch(obj.name)
        if match is None:
            yield ctx.excluded(STAGING, "foreign-name", obj.size, store=listing.store)
            continue
        image = ctx.idx.images.get(match.group(1).lower())
        if image is not None and image.status in _IN_FLIGHT:
            continue
        young = ctx.too_young(obj.modified)
        if young is not None:
            yield ctx.excluded(STAGING, young, obj.size, store=listing.store)
            continue
        state = f"image {image.id} is {image.status}" if image else "no such image"
        copying = image.os_glance_importing_to_stores if image is not None else ()
        if copying:
            state += f", still lists {','.join(copying)} in os_glance_importing_to_stores"
        yield ctx.item(
            STAGING,
            Resource("file", _full_name(listing, obj)),
            f"staging file {obj.name}: {state}",
            (Evidence.fact(f"staging {listing.where}: {obj.name}, {obj.size} bytes"),),
            params=(("store", listing.store), ("where", listing.where), ("name", obj.name)),
            provisioned=obj.size,
            used=obj.size,
            store=listing.store,
            confident=not copying,
        )


def object_absent(ctx: Ctx, loc: Location, unsure: dict[str, str]) -> str | None:
    """Why a file, Swift or S3 location has no data; None when present or not decidable
    (``unsure`` then says why, per store)."""
    store = loc.store or ""
    listings = ctx.idx.listings.get(store, ())
    if not listings and store in unsure:
        # NOTE: nothing more to learn from another location of a store that was not listed
        # (its reason is recorded once); the URL need not even be parsed
        return None
    parsed = loc.parsed
    if not isinstance(parsed, FileLocation | SwiftLocation | S3Location):
        return None
    if not listings:
        unsure.setdefault(store, f"store {store} was not listed")
        return None
    for listing, names in listings:
        name = _name_in(listing, parsed)
        if name is None:
            continue
        if not listing.complete:
            unsure.setdefault(store, _listing_gap(listing) or "")
            return None
        return None if name in names else f"{listing.kind} {listing.where}: no {name}"
    unsure.setdefault(store, f"no listing of store {store} covers {loc.url}")
    return None


def _name_in(
    listing: StoreListing, parsed: FileLocation | SwiftLocation | S3Location
) -> str | None:
    if isinstance(parsed, FileLocation):
        prefix = listing.where.rstrip("/") + "/"
        return parsed.path[len(prefix) :] if parsed.path.startswith(prefix) else None
    where = parsed.container if isinstance(parsed, SwiftLocation) else parsed.bucket
    return parsed.object if where == listing.where else None
