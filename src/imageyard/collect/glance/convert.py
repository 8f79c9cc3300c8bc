"""Glance API JSON into imageyard's model, one record at a time.

Concepts: every function here takes one decoded JSON object as the Glance v2 API returns it
and builds the frozen model record straight away, so nothing API-shaped outlives a page.
Images keep the core attributes as typed fields; every other key (user properties, ``min_ram``
...) becomes a string property, JSON-encoded when the API gave a non-string. API furniture
(``self``, ``file``, ``schema``) is dropped. Comma-joined API strings (``stores``,
``os_glance_importing_to_stores``) become tuples. Repeated short values (status, formats,
owners, store ids) are interned and recurring property pairs share one tuple, which keeps
100,000 images small in memory. Location URLs
go through ``Location.from_url``, which removes any credentials.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from imageyard.model.api_version import ApiVersion
from imageyard.model.cache import CachedImage, CacheNode
from imageyard.model.image import Image, ImageMember
from imageyard.model.location import Location
from imageyard.model.store import Store, StoreSource, StoreType

# keys that are typed Image fields, or API links that say nothing about the image
_CORE = frozenset(
    {
        "id", "name", "status", "disk_format", "container_format", "size", "virtual_size",
        "checksum", "os_hash_algo", "os_hash_value", "owner", "visibility", "protected",
        "os_hidden", "stores", "locations", "direct_url", "os_glance_importing_to_stores",
        "os_glance_failed_import", "tags", "created_at", "updated_at", "self", "file", "schema",
    }
)  # fmt: skip

_intern = sys.intern
_JSON_CONSTANTS = {True: "true", False: "false", None: "null"}
_CSV_SEEN: dict[str, tuple[str, ...]] = {}
_CSV_SEEN_MAX = 4096


_VERSION_SUFFIX = re.compile(r"/v\d+(?:\.\d+)?$")


def _opt_str(value: Any) -> str | None:
    if type(value) is str:
        return _intern(value)
    return None if value is None else _intern(str(value))


def _opt_int(value: Any) -> int | None:
    return value if type(value) is int else None


def split_csv(value: Any) -> tuple[str, ...]:
    """``"fast,ceph"`` -> ``("fast", "ceph")``; empty, None or non-strings -> ``()``."""
    if not value or type(value) is not str:
        return ()
    known = _CSV_SEEN.get(value)
    if known is None:
        known = tuple(_intern(part.strip()) for part in value.split(",") if part.strip())
        if len(_CSV_SEEN) < _CSV_SEEN_MAX:  # a few store combinations, shared by all images
            _CSV_SEEN[value] = known
    return known


_SHORT = 40  # property values up to this long are interned: few distinct ones, many images


def as_text(value: Any) -> str:
    """A property value as a string: strings unchanged, anything else JSON-encoded.

    Short strings (``ubuntu``, ``scsi``, ``22.04``) are interned: the same few values recur
    on every image of a catalog, and one shared copy replaces one per image.
    """
    kind = type(value)
    if kind is str:
        return _intern(value) if len(value) <= _SHORT else value
    if kind is int:
        return _intern(str(value))  # what json.dumps writes for an int, without its cost
    if value is True or value is False or value is None:
        return _JSON_CONSTANTS[value]
    return json.dumps(value, sort_keys=True)


def locations_from_api(raw: Any) -> tuple[Location, ...]:
    """``[{"url": ..., "metadata": {"store": ...}}, ...]`` -> Locations (credentials removed)."""
    if not isinstance(raw, list):
        return ()
    found: list[Location] = []
    for entry in raw:
        url = entry.get("url") if isinstance(entry, dict) else None
        if type(url) is not str:
            continue
        metadata = entry.get("metadata")
        store = metadata.get("store") if isinstance(metadata, dict) else None
        found.append(Location(url=url, store=_opt_str(store)))
    return tuple(found)


def members_from_api(body: Any) -> tuple[ImageMember, ...]:
    """The body of ``GET /v2/images/{id}/members`` -> ImageMembers."""
    rows = body.get("members") if isinstance(body, Mapping) else None
    if not isinstance(rows, list):
        return ()
    return tuple(
        ImageMember(
            member_id=_intern(str(m.get("member_id"))),
            status=_intern(str(m.get("status"))),
            created_at=_prop(m, "created_at"),
        )
        for m in rows
        if isinstance(m, Mapping) and m.get("member_id") is not None
    )


_PAIRS: dict[tuple[str, str], tuple[str, str]] = {}
_PAIRS_MAX = 1 << 16


def _pair(key: str, value: str) -> tuple[str, str]:
    """``(key, value)``, one shared tuple for a pair that recurs (``os_distro``, ``ubuntu``).

    Most properties of a catalog are the same few pairs on every image; sharing the tuple,
    not only its strings, saves about 60 bytes per property of each image. Long values are
    mostly unique and are not kept; neither is anything beyond ``_PAIRS_MAX`` pairs.
    """
    pair = (key, value)
    if len(value) > _SHORT:
        return pair
    known = _PAIRS.get(pair)
    if known is None:
        if len(_PAIRS) >= _PAIRS_MAX:
            return pair
        known = _PAIRS.setdefault(pair, pair)
    return known


def image_properties(raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    """Every non-core key of an image body, as ``(key, string value)`` pairs."""
    return tuple(_pair(_intern(key), as_text(raw[key])) for key in raw.keys() - _CORE)


def image_from_api(
    raw: Mapping[str, Any],
    *,
    locations: tuple[Location, ...] | None = None,
    members: tuple[ImageMember, ...] = (),
) -> Image:
    """One image body (from a list page or ``GET /v2/images/{id}``) -> Image.

    ``locations`` overrides the body's own ``locations`` (for ``/v2/images/{id}/locations``).
    """
    get = raw.get  # NOTE: runs 100,000 times per large cloud; kept free of needless calls
    tags = get("tags")
    created, updated = get("created_at"), get("updated_at")
    if locations is None:
        locations = locations_from_api(get("locations"))
    return Image(
        id=str(raw["id"]),
        name=get("name"),
        status=_intern(str(get("status") or "unknown")),
        disk_format=_opt_str(get("disk_format")),
        container_format=_opt_str(get("container_format")),
        size=_opt_int(get("size")),
        virtual_size=_opt_int(get("virtual_size")),
        checksum=get("checksum"),
        os_hash_algo=_opt_str(get("os_hash_algo")),
        os_hash_value=get("os_hash_value"),
        owner=_opt_str(get("owner")),
        visibility=_intern(str(get("visibility") or "shared")),
        protected=get("protected") is True,
        os_hidden=get("os_hidden") is True,
        stores=split_csv(get("stores")),
        locations=locations,
        direct_url=_same_url(get("direct_url"), locations),
        os_glance_importing_to_stores=split_csv(get("os_glance_importing_to_stores")),
        os_glance_failed_import=split_csv(get("os_glance_failed_import")),
        members=members,
        tags=tuple(_intern(str(t)) for t in tags) if tags and type(tags) is list else (),
        properties=image_properties(raw),
        created_at=created,
        updated_at=created if updated == created else updated,  # one string, not two
    )


def _same_url(url: Any, locations: tuple[Location, ...]) -> Any:
    """``direct_url``, as the very string of the location it names (one copy, not two)."""
    if type(url) is str:
        for location in locations:
            if location.url == url:
                return location.url
    return url


def _flag(value: Any) -> bool:
    """Glance's ``"default": "true"`` (a string), or a real boolean."""
    return value is True or (isinstance(value, str) and value.lower() == "true")


def _prop(props: Mapping[str, Any], key: str) -> str | None:
    value = props.get(key)
    return None if value is None else as_text(value)


def store_from_api(raw: Mapping[str, Any]) -> Store:
    """One entry of ``/v2/info/stores[/detail]`` -> Store (type unknown without detail)."""
    props = raw.get("properties")
    props = props if isinstance(props, Mapping) else {}
    kind = raw.get("type")
    return Store(
        id=str(raw.get("id")),
        type=StoreType.parse(kind) if isinstance(kind, str) else StoreType.UNKNOWN,
        source=StoreSource.API,
        description=str(raw.get("description") or ""),
        weight=_opt_int(raw.get("weight")),
        is_default=_flag(raw.get("default")),
        read_only=_flag(raw.get("read-only")),
        properties=tuple((str(k), as_text(v)) for k, v in props.items()),
        rbd_pool=_prop(props, "pool"),
        rbd_fsid=_prop(props, "fsid"),
        file_data_dir=_prop(props, "data_dir"),
        s3_host=_prop(props, "s3_store_host"),
        s3_bucket=_prop(props, "s3_store_bucket"),
        swift_container=_prop(props, "container"),
    )


def stores_from_api(body: Any) -> tuple[Store, ...]:
    """The body of ``/v2/info/stores[/detail]`` -> Stores."""
    rows = body.get("stores") if isinstance(body, Mapping) else None
    if not isinstance(rows, list):
        return ()
    return tuple(store_from_api(r) for r in rows if isinstance(r, Mapping) and "id" in r)


def import_methods_from_api(body: Any) -> tuple[str, ...]:
    """``{"import-methods": {"value": [...]}}`` -> the method names."""
    block = body.get("import-methods") if isinstance(body, Mapping) else None
    values = block.get("value") if isinstance(block, Mapping) else None
    return tuple(str(v) for v in values) if isinstance(values, list) else ()


def _opt_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def cached_image_from_api(raw: Mapping[str, Any]) -> CachedImage:
    """One ``cached_images`` entry of ``GET /v2/cache`` -> CachedImage."""
    return CachedImage(
        image_id=str(raw.get("image_id")),
        size=_opt_int(raw.get("size")) or 0,
        hits=_opt_int(raw.get("hits")) or 0,
        last_accessed=_opt_float(raw.get("last_accessed")),
        last_modified=_opt_float(raw.get("last_modified")),
    )


def cache_node_from_api(url: str, body: Any) -> CacheNode:
    """The body of one node's ``GET /v2/cache`` -> CacheNode."""
    body = body if isinstance(body, Mapping) else {}
    cached: Iterable[Any] = body.get("cached_images") or ()
    queued: Iterable[Any] = body.get("queued_images") or ()
    return CacheNode(
        url=url,
        entries=tuple(cached_image_from_api(c) for c in cached if isinstance(c, Mapping)),
        queued=tuple(str(q) for q in queued),
    )


def version_root(endpoint: str) -> str:
    """The unversioned root of a Glance endpoint (``http://h:9292/v2/`` -> ``http://h:9292``)."""
    return _VERSION_SUFFIX.sub("", endpoint.rstrip("/"))


def versions_from_api(body: Any) -> tuple[ApiVersion, ...]:
    """``GET /versions`` -> the versions listed (entries without id or status are skipped)."""
    raw = body.get("versions") if isinstance(body, Mapping) else None
    out = []
    for entry in raw if isinstance(raw, list) else ():
        if isinstance(entry, Mapping) and entry.get("id") and entry.get("status"):
            out.append(ApiVersion(str(entry["id"]), str(entry["status"])))
    return tuple(out)
