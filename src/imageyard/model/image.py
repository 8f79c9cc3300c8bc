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
from dataclasses import dataclass, field

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
    if "@" in url:
        url = strip_credentials(url)
    for loc in locations:
        if loc.url == url:
            return loc.url
    return url


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
            _set(self, "direct_url", _location_url(url, self.locations))
        if len(self.members) > 1 or type(self.members) is not tuple:
            _set(self, "members", tuple(sorted(self.members, key=_member_key)))
        if len(self.tags) > 1 or type(self.tags) is not tuple:
            _set(self, "tags", tuple(sorted(self.tags)))
        if len(self.properties) > 1 or type(self.properties) is not tuple:
            _set(self, "properties", tuple(sorted(self.properties)))
        table = interning.current()
        if table is not None:
            self._intern(table)

    def _intern(self, table: interning.Table) -> None:
        """Its repeated values interned, within a read that shares them (``model.interning``)."""
        # NOTE: straight-line code: a snapshot read of 100,000 images runs it as often
        get, intern, shared = table.get, sys.intern, interning.shared
        _set(self, "status", intern(self.status))
        _set(self, "visibility", intern(self.visibility))
        if (value := self.disk_format) is not None:
            _set(self, "disk_format", intern(value))
        if (value := self.container_format) is not None:
            _set(self, "container_format", intern(value))
        if (value := self.os_hash_algo) is not None:
            _set(self, "os_hash_algo", intern(value))
        if (value := self.owner) is not None:
            _set(self, "owner", intern(value))
        if stores := self.stores:
            _set(self, "stores", get(stores) or shared(stores, table))
        if tags := self.tags:
            _set(self, "tags", get(tags) or shared(tags, table))
        if properties := self.properties:
            _set(self, "properties", get(properties) or shared(properties, table))
        if self.os_glance_importing_to_stores or self.os_glance_failed_import:
            self._intern_imports(table)
        for loc in self.locations:
            if (value := loc.store) is not None:
                _set(loc, "store", intern(value))
        for member in self.members:
            _set(member, "member_id", intern(member.member_id))
            _set(member, "status", intern(member.status))

    def _intern_imports(self, table: interning.Table) -> None:
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
