"""Image locations: where Glance keeps one copy of an image's data, parsed by URL scheme.

Concepts: a Glance image has one location per store holding its data. The location URL names
the backend object (``rbd://<fsid>/<pool>/<image>/<snap>``, ``file:///<path>``,
``s3://<host>/<bucket>/<object>``, ``swift+config://<ref>/<container>/<object>``, ...).
``parse_location`` turns a URL into a typed variant, one per scheme family, and never raises:
anything it cannot read becomes ``UnparsableLocation`` with the reason.

Credentials never enter the model: s3 URLs may carry ``access:secret@host`` and swift URLs
``user:key@auth``; ``strip_credentials`` removes the userinfo, and every class here that
holds a URL passes it through that function when constructed.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote

from imageyard.model.codec import INTERN

# NOTE: for these schemes everything up to the *last* "@" is userinfo, because s3 secret keys
# often contain "/" (so the userinfo can reach past the first "/").
_SECRET_SCHEMES = frozenset(
    {"s3", "s3+http", "s3+https", "swift", "swift+http", "swift+https", "swift+config"}
)
_SWIFT_SCHEMES = frozenset({"swift", "swift+http", "swift+https", "swift+config"})
_S3_SCHEMES = frozenset({"s3", "s3+http", "s3+https"})


_SCHEME_PREFIX = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):/*")


def strip_credentials(url: str) -> str:
    """Return ``url`` without any ``user:secret@`` part (idempotent, never raises).

    For s3 and swift schemes everything between the scheme and the last ``@`` goes, even in
    malformed URLs (``s3:/key:secret@host``); for other schemes the userinfo of the
    authority (``scheme://user:pw@host/...``) goes.
    """
    if "@" not in url:  # NOTE: the common case; every branch below needs an "@" to strip
        return url
    prefix = _SCHEME_PREFIX.match(url)
    if prefix is not None and prefix.group(1).lower() in _SECRET_SCHEMES:
        at = url.rfind("@", prefix.end())
        return url if at < 0 else url[: prefix.end()] + url[at + 1 :]
    sep = url.find("://")
    if sep < 0:
        return url
    rest = url[sep + 3 :]
    authority = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    at = authority.rfind("@")
    return url if at < 0 else url[: sep + 3] + rest[at + 1 :]


def _clean(value: str) -> str:
    return strip_credentials(value)


def _drop_userinfo(authority: str) -> str:
    return authority[authority.rfind("@") + 1 :]


@dataclass(frozen=True, slots=True)
class RbdLocation:
    """``rbd://fsid/pool/image/snapshot`` (parts URL-unquoted) or the legacy ``rbd://image``.

    ``cloneable_form`` is True only for exactly four non-empty parts: the shape Nova and
    Cinder require before they even try a copy-on-write clone.
    """

    fsid: str
    pool: str
    image: str
    snapshot: str
    legacy: bool = False
    cloneable_form: bool = False
    kind: Literal["rbd"] = field(default="rbd", init=False)


@dataclass(frozen=True, slots=True)
class FileLocation:
    """``file://<path>``: a file under a filesystem store's data directory."""

    path: str
    kind: Literal["file"] = field(default="file", init=False)


@dataclass(frozen=True, slots=True)
class SwiftLocation:
    """``swift[+http|+https|+config]://<auth>/<container>/<object>``.

    ``auth`` is the auth address (or, for ``swift+config``, the reference name in the swift
    store config file), without credentials.
    """

    scheme: str
    auth: str
    container: str
    object: str
    kind: Literal["swift"] = field(default="swift", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "auth", _drop_userinfo(self.auth))

    @property
    def auth_ref(self) -> str | None:
        """The reference name for ``swift+config`` locations, else None."""
        return self.auth if self.scheme == "swift+config" else None


@dataclass(frozen=True, slots=True)
class S3Location:
    """``s3[+http|+https]://<host>/<bucket>/<object>`` without the access and secret keys."""

    scheme: str
    host: str
    bucket: str
    object: str
    kind: Literal["s3"] = field(default="s3", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "host", _drop_userinfo(self.host))


@dataclass(frozen=True, slots=True)
class HttpLocation:
    """``http(s)://...``: the read-only http store; the URL is kept whole (minus userinfo)."""

    url: str
    kind: Literal["http"] = field(default="http", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", _clean(self.url))


@dataclass(frozen=True, slots=True)
class CinderLocation:
    """``cinder://<volume id>`` or ``cinder://<store>/<volume id>``."""

    volume_id: str
    store: str | None = None
    kind: Literal["cinder"] = field(default="cinder", init=False)


@dataclass(frozen=True, slots=True)
class UnknownLocation:
    """A well-formed URL whose scheme imageyard does not model (``vsphere://`` ...)."""

    scheme: str
    raw: str
    kind: Literal["unknown"] = field(default="unknown", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw", _clean(self.raw))


@dataclass(frozen=True, slots=True)
class UnparsableLocation:
    """A location URL that could not be read, and why."""

    raw: str
    reason: str
    kind: Literal["unparsable"] = field(default="unparsable", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw", _clean(self.raw))


ParsedLocation = (
    RbdLocation
    | FileLocation
    | SwiftLocation
    | S3Location
    | HttpLocation
    | CinderLocation
    | UnknownLocation
    | UnparsableLocation
)


class _ParsedSlot:
    """The slots that keep ``Location.parsed`` once it is first read and
    ``Location.rbd_scheme`` (``Location`` inherits them: a dataclass with ``slots=True``
    makes slots for its fields only)."""

    __slots__ = ("parsed", "rbd_scheme")
    parsed: ParsedLocation
    rbd_scheme: bool


@dataclass(frozen=True, slots=True)
class Location(_ParsedSlot):
    """One location of an image: its URL (without credentials) and store id.

    ``parsed`` is the URL parsed into its scheme's variant (never raises), derived on first
    use (it is not stored in snapshots): a large catalog is collected without parsing
    locations nobody asks about. ``rbd_scheme`` is True when the URL starts with ``rbd://``
    in any case: only then can ``parsed`` be an ``RbdLocation`` (a reader of rbd locations
    alone need not parse the others); it is set when the location is built (not stored in
    snapshots either).
    """

    url: str
    store: str | None = field(metadata=INTERN)

    def __post_init__(self) -> None:
        # NOTE: runs once per location of a large catalog: a URL without "@" has nothing
        # to strip (the first thing strip_credentials checks), so it is left as it is; the
        # store id (a handful per catalog) is interned here, while the string is new; the
        # scheme is read once here rather than on each reading of every location
        url = self.url
        if "@" in url:
            url = strip_credentials(url)
            _SET_URL(self, url)
        if (store := self.store) is not None:
            _SET_STORE(self, _intern(store))
        # NOTE: _is_rbd, inline; a URL in lower case (most) is told without a copy of it
        _SET_RBD_SCHEME(
            self, url.startswith("rbd://") or (url[:1] in "rR" and url[:6].lower() == "rbd://")
        )

    if not TYPE_CHECKING:  # NOTE: typed as the slots; other names stay unknown

        def __getattr__(self, name: str) -> object:
            # NOTE: only called while the slot ``parsed`` is empty (the first read, which
            # fills it); every later read is the slot's, without calling anything: a
            # 100,000-image audit reads some 150,000 locations' ``parsed``, several times.
            # ``rbd_scheme`` is set when the location is built; a copy (which copies the
            # fields alone) sets it again on its first read
            if name == "parsed":
                parsed = parse_location(self.url)
                _SET_PARSED(self, parsed)
                return parsed
            if name == "rbd_scheme":
                rbd = _is_rbd(self.url)
                _SET_RBD_SCHEME(self, rbd)
                return rbd
            message = f"'Location' object has no attribute {name!r}"
            raise AttributeError(message, name=name, obj=self)

    @classmethod
    def from_url(cls, url: str, store: str | None = None) -> Location:
        """Build a Location from a URL as Glance reports it (credentials removed)."""
        return cls(url=url, store=store)


def _is_rbd(url: str) -> bool:
    """True when ``url`` starts with ``rbd://`` in any case."""
    return url[:6].lower() == "rbd://"


_intern = sys.intern
_SET_URL = Location.__dict__["url"].__set__
_SET_STORE = Location.__dict__["store"].__set__
_SET_PARSED = _ParsedSlot.__dict__["parsed"].__set__
_SET_RBD_SCHEME = _ParsedSlot.__dict__["rbd_scheme"].__set__


def parse_location(url: str) -> ParsedLocation:
    """Parse a Glance location URL into its scheme's variant; never raises."""
    # NOTE: the shape of most rbd locations of a catalog (lower-case scheme, four non-empty
    # parts, nothing to unquote or strip) read without the general parser below; the
    # result is the one it gives (a test compares both over generated URLs)
    if url.startswith("rbd://") and "%" not in url and "@" not in url:
        parts = url[6:].split("/")
        if len(parts) == 4 and all(parts):
            return _rbd_location(parts, cloneable=True)
    return _parse(url)


def _parse(url: str) -> ParsedLocation:
    """``parse_location`` for every shape of URL."""
    if not isinstance(url, str):
        return UnparsableLocation(raw="", reason=f"not a string: {type(url).__name__}")
    clean = strip_credentials(url)
    sep = clean.find("://")
    if not clean.strip():
        return UnparsableLocation(raw=clean, reason="empty URL")
    if sep <= 0:
        return UnparsableLocation(raw=clean, reason="no scheme (expected '<scheme>://')")
    scheme, rest = clean[:sep].lower(), clean[sep + 3 :]
    if scheme == "rbd":
        return _parse_rbd(clean, rest)
    if scheme == "file":
        return _parse_file(clean, rest)
    if scheme in _SWIFT_SCHEMES:
        return _parse_swift(clean, scheme, rest)
    if scheme in _S3_SCHEMES:
        return _parse_s3(clean, scheme, rest)
    if scheme in ("http", "https"):
        return _parse_http(clean, rest)
    if scheme == "cinder":
        return _parse_cinder(clean, rest)
    if not _is_scheme(scheme):
        return UnparsableLocation(raw=clean, reason=f"invalid scheme {scheme!r}")
    return UnknownLocation(scheme=scheme, raw=clean)


def _is_scheme(scheme: str) -> bool:
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789+-.")
    return scheme[:1].isascii() and scheme[:1].isalpha() and set(scheme) <= allowed


def _parse_rbd(clean: str, rest: str) -> ParsedLocation:
    parts = rest.split("/")
    if "%" in rest:  # NOTE: unquote leaves a part without '%' as it is; most URLs have none
        parts = [unquote(p) for p in parts]
    if len(parts) == 1:
        if not parts[0]:
            return UnparsableLocation(raw=clean, reason="rbd URL without an image name")
        return RbdLocation(fsid="", pool="", image=parts[0], snapshot="", legacy=True)
    if len(parts) != 4:
        reason = f"rbd URL must have 1 or 4 parts, found {len(parts)}"
        return UnparsableLocation(raw=clean, reason=reason)
    # NOTE: Nova and Cinder match the literal lower-case prefix before splitting.
    return _rbd_location(parts, cloneable=all(parts) and clean.startswith("rbd://"))


def _rbd_location(parts: list[str], *, cloneable: bool) -> RbdLocation:
    """The 4-part ``RbdLocation`` of ``fsid, pool, image, snapshot`` (already unquoted)."""
    fsid, pool, image, snapshot = parts
    # NOTE: a catalog's locations name a few clusters, pools and snapshot names: one string
    # each for every parsed location (a million locations keep their parse). Built through
    # its slots' own setters: the frozen dataclass's __init__ (object.__setattr__ per
    # field) costs twice as much, once per rbd location of a catalog (a test compares both)
    loc = _new(RbdLocation)
    _SET_RBD_FSID(loc, _intern(fsid))
    _SET_RBD_POOL(loc, _intern(pool))
    _SET_RBD_IMAGE(loc, image)
    _SET_RBD_SNAPSHOT(loc, _intern(snapshot))
    _SET_RBD_LEGACY(loc, False)
    _SET_RBD_CLONEABLE(loc, cloneable)
    _SET_RBD_KIND(loc, "rbd")
    return loc


_new = object.__new__
_SET_RBD_FSID = RbdLocation.__dict__["fsid"].__set__
_SET_RBD_POOL = RbdLocation.__dict__["pool"].__set__
_SET_RBD_IMAGE = RbdLocation.__dict__["image"].__set__
_SET_RBD_SNAPSHOT = RbdLocation.__dict__["snapshot"].__set__
_SET_RBD_LEGACY = RbdLocation.__dict__["legacy"].__set__
_SET_RBD_CLONEABLE = RbdLocation.__dict__["cloneable_form"].__set__
_SET_RBD_KIND = RbdLocation.__dict__["kind"].__set__


def _parse_file(clean: str, rest: str) -> ParsedLocation:
    path = rest.split("?", 1)[0].split("#", 1)[0]
    if not path or path == "/":
        return UnparsableLocation(raw=clean, reason="file URL without a path")
    return FileLocation(path=path)


def _split_tail(rest: str) -> tuple[str, str, str] | None:
    """Split ``<head>/<container>/<object>`` on the last two slashes (all three non-empty)."""
    pieces = rest.rsplit("/", 2)
    if len(pieces) != 3 or not all(pieces):
        return None
    return pieces[0], pieces[1], pieces[2]


def _parse_swift(clean: str, scheme: str, rest: str) -> ParsedLocation:
    split = _split_tail(rest)
    if split is None:
        reason = f"{scheme} URL must be {scheme}://<auth>/<container>/<object>"
        return UnparsableLocation(raw=clean, reason=reason)
    auth, container, obj = split
    return SwiftLocation(scheme=scheme, auth=auth, container=container, object=obj)


def _parse_s3(clean: str, scheme: str, rest: str) -> ParsedLocation:
    split = _split_tail(rest)
    if split is None:
        reason = f"{scheme} URL must be {scheme}://<host>/<bucket>/<object>"
        return UnparsableLocation(raw=clean, reason=reason)
    host, bucket, obj = split
    return S3Location(scheme=scheme, host=host, bucket=bucket, object=obj)


def _parse_http(clean: str, rest: str) -> ParsedLocation:
    if not rest.split("/", 1)[0]:
        return UnparsableLocation(raw=clean, reason="http URL without a host")
    return HttpLocation(url=clean)


def _parse_cinder(clean: str, rest: str) -> ParsedLocation:
    pieces = rest.split("/")
    if len(pieces) == 1 and pieces[0]:
        return CinderLocation(volume_id=pieces[0])
    if len(pieces) == 2 and all(pieces):
        return CinderLocation(volume_id=pieces[1], store=pieces[0])
    reason = "cinder URL must be cinder://<volume id> or cinder://<store>/<volume id>"
    return UnparsableLocation(raw=clean, reason=reason)
