"""Glance images: metadata, the stores holding the data, and each copy's location.

Concepts: an ``Image`` is what ``GET /v2/images/{id}`` returns, typed. ``stores`` (ordered by
store weight, as Glance returns it) and ``locations`` say where the data is; ``locations`` is
empty when the endpoint hides it (``show_multiple_locations`` off), and ``direct_url`` is the
single highest-weight location when ``show_image_direct_url`` is on. Import progress shows in
``os_glance_importing_to_stores`` and ``os_glance_failed_import``. Extra (user) properties
are kept as sorted string pairs; tags and members are sorted too, so equal images compare
and serialise equal. Location URLs never carry credentials (see ``model.location``).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

from imageyard.model import interning
from imageyard.model.codec import INTERN
from imageyard.model.location import Location, strip_credentials

_set = object.__setattr__


@dataclass(frozen=True, slots=True)
class ImageMember:
    """A project an image is shared with, and whether it accepted."""

    member_id: str = field(metadata=INTERN)
    status: str = field(metadata=INTERN)  # pending | accepted | rejected
    created_at: str | None = None  # when the image was shared with the project


def _member_key(member: ImageMember) -> tuple[str, str]:
    return (member.member_id, member.status)


def _location_url(url: str, locations: tuple[Location, ...]) -> str:
    """``url`` without credentials; the string of the location with that URL if any (the
    direct URL is one of the locations: one string for both)."""
    # NOTE: a location's URL is already without credentials (and stripping is idempotent):
    # the common case, a direct URL equal to one, is found before looking for an "@"
    for loc in locations:
        if loc.url == url:
            return loc.url
    if "@" not in url:
        return url
    url = strip_credentials(url)
    return next((loc.url for loc in locations if loc.url == url), url)


@interning.interns_itself
@dataclass(frozen=True, slots=True)
class Image:
    """One Glance image."""

    id: str
    name: str | None = None
    status: str = field(default="active", metadata=INTERN)
    disk_format: str | None = field(default=None, metadata=INTERN)
    container_format: str | None = field(default=None, metadata=INTERN)
    size: int | None = None
    virtual_size: int | None = None
    checksum: str | None = None
    os_hash_algo: str | None = field(default=None, metadata=INTERN)
    os_hash_value: str | None = None
    owner: str | None = field(default=None, metadata=INTERN)
    visibility: str = field(default="shared", metadata=INTERN)
    protected: bool = False
    os_hidden: bool = False
    stores: tuple[str, ...] = field(default=(), metadata=INTERN)
    locations: tuple[Location, ...] = ()
    direct_url: str | None = None
    os_glance_importing_to_stores: tuple[str, ...] = field(default=(), metadata=INTERN)
    os_glance_failed_import: tuple[str, ...] = field(default=(), metadata=INTERN)
    members: tuple[ImageMember, ...] = ()
    tags: tuple[str, ...] = field(default=(), metadata=INTERN)
    properties: tuple[tuple[str, str], ...] = field(default=(), metadata=INTERN)
    created_at: str | None = None
    updated_at: str | None = None

    def __post_init__(self) -> None:
        # NOTE: runs once per image of a large catalog: nothing is rebuilt that is already
        # clean, and strip_credentials only sees a URL with an "@" (the only ones it changes)
        url = self.direct_url
        if url is not None:
            locations = self.locations
            # NOTE: most direct URLs are the first location's: its string, without a call
            if locations and locations[0].url == url:
                _SET_DIRECT_URL(self, locations[0].url)
            else:
                _SET_DIRECT_URL(self, _location_url(url, locations))
        if len(self.members) > 1 or type(self.members) is not tuple:
            _set(self, "members", tuple(sorted(self.members, key=_member_key)))
        table = interning.current()
        if table is None:
            self._sort()
        else:
            self._share(table)

    def _sort(self) -> None:
        """Its tags and properties sorted (outside a read that shares them)."""
        if len(self.tags) > 1 or type(self.tags) is not tuple:
            _set(self, "tags", tuple(sorted(self.tags)))
        if len(self.properties) > 1 or type(self.properties) is not tuple:
            _set(self, "properties", tuple(sorted(self.properties)))

    def _share(self, table: interning.Table) -> None:
        """Its repeated values interned and its tags and properties sorted, within a read
        that shares them (``model.interning``: a tuple as read is sorted once a read); a
        negative size refused (``model.fastread`` does not look for one in the images)."""
        # NOTE: straight-line code through the slots' own setters: a snapshot read of
        # 100,000 images runs it as often
        intern, in_order = sys.intern, table.in_order.get
        _SET_STATUS(self, intern(self.status))
        _SET_VISIBILITY(self, intern(self.visibility))
        if (value := self.disk_format) is not None:
            _SET_DISK_FORMAT(self, intern(value))
        if (value := self.container_format) is not None:
            _SET_CONTAINER_FORMAT(self, intern(value))
        if (value := self.os_hash_algo) is not None:
            _SET_OS_HASH_ALGO(self, intern(value))
        if (value := self.owner) is not None:
            _SET_OWNER(self, intern(value))
        if stores := self.stores:
            _SET_STORES(self, table.get(stores) or interning.shared(stores, table))
        if tags := self.tags:
            _SET_TAGS(self, in_order(tags) or interning.shared_sorted(tags, table))
        if properties := self.properties:
            _SET_PROPERTIES(
                self, in_order(properties) or interning.shared_sorted(properties, table)
            )
        if self.os_glance_importing_to_stores or self.os_glance_failed_import:
            self._share_imports(table)
        for member in self.members:
            _set(member, "member_id", intern(member.member_id))
            _set(member, "status", intern(member.status))
        if (self.size or 0) < 0 or (self.virtual_size or 0) < 0:
            raise ValueError("a negative size")

    def _share_imports(self, table: interning.Table) -> None:
        importing, failed = self.os_glance_importing_to_stores, self.os_glance_failed_import
        _set(self, "os_glance_importing_to_stores", interning.shared(importing, table))
        _set(self, "os_glance_failed_import", interning.shared(failed, table))

    def get_property(self, key: str) -> str | None:
        """The value of one extra property, or None."""
        # NOTE: a plain loop: called for several keys of every image by the signing rules,
        # the family and retention code (over a million calls at 100,000 images), where a
        # generator per call costs three times as much
        for k, v in self.properties:
            if k == key:
                return v
        return None

    def location_in(self, store: str) -> Location | None:
        """The first location recorded for ``store``, or None."""
        return next((loc for loc in self.locations if loc.store == store), None)

    @property
    def is_active(self) -> bool:
        """True when the image is ``active`` (the only state copy/delete-from-store accept)."""
        return self.status == "active"


def _slot_setter(name: str) -> Callable[[Image, object], None]:
    return cast(Callable[[Image, object], None], Image.__dict__[name].__set__)


_SET_STATUS = _slot_setter("status")
_SET_VISIBILITY = _slot_setter("visibility")
_SET_DISK_FORMAT = _slot_setter("disk_format")
_SET_CONTAINER_FORMAT = _slot_setter("container_format")
_SET_OS_HASH_ALGO = _slot_setter("os_hash_algo")
_SET_OWNER = _slot_setter("owner")
_SET_STORES = _slot_setter("stores")
_SET_TAGS = _slot_setter("tags")
_SET_PROPERTIES = _slot_setter("properties")
_SET_DIRECT_URL = _slot_setter("direct_url")
