"""A Swift store's container(s), listed with the store's own account.

Concepts: glance_store's swift driver (single-tenant, the usual deployment) takes its account
from a reference of ``swift_store_config_file`` (``default_swift_reference``; ``user`` is
written ``project:user``) or from the deprecated ``swift_store_user``/``swift_store_key``/
``swift_store_auth_address`` options, authenticates with Keystone v3 (it forces v3) and uses
the catalog's ``swift_store_service_type`` endpoint of ``swift_store_endpoint_type`` in
``swift_store_region`` unless ``swift_store_endpoint`` names one. Here the same through
keystoneauth; an ``auth_address`` ending in ``/auth/1.0`` or ``/auth/v1.0`` (Swift's and
radosgw's own auth) is spoken as auth v1 instead. With ``swift_store_multiple_containers_seed``
N > 0 the images are spread over containers ``<swift_store_container>_<first N characters of
the id>``: every container of the account with that prefix is listed, one listing each.
Container and account listings are paged with ``limit`` and ``marker``; every request has the
run's connect and read timeouts. Errors are one line (status, or the connection failure),
never a credential.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from imageyard.collect.backends.listing import ListingError, iso_utc
from imageyard.collect.backends.options import OptionsError, StoreOptions, swift_reference
from imageyard.collect.openstack.probe import Timeouts
from imageyard.model.objects import StoredObject

PAGE_SIZE = 1000
DEFAULT_CONTAINER = "glance"
_V1_PATHS = ("/auth/1.0", "/auth/v1.0")


@dataclass(frozen=True)
class SwiftAccess:
    """One Swift account as the store uses it (credentials stay in memory only)."""

    auth_address: str
    user: str  # project:user
    key: str = ""
    user_domain_id: str | None = "default"
    project_domain_id: str | None = "default"
    user_domain_name: str | None = None
    project_domain_name: str | None = None
    endpoint: str | None = None  # swift_store_endpoint: skips the catalog
    region: str | None = None
    interface: str = "public"
    service_type: str = "object-store"

    @property
    def v1(self) -> bool:
        """True when the auth address is Swift's own auth (v1)."""
        return urlsplit(self.auth_address).path.rstrip("/").endswith(_V1_PATHS)

    def __repr__(self) -> str:
        return f"SwiftAccess(auth_address={self.auth_address!r}, user={self.user!r})"


@dataclass(frozen=True)
class Containers:
    """Which containers hold the store's images: one name, or a prefix (seed > 0)."""

    container: str
    seed: int = 0

    @classmethod
    def of(cls, options: StoreOptions) -> Containers:
        seed = options.get("swift_store_multiple_containers_seed", "0") or "0"
        if not seed.strip().isdigit() or not 0 <= int(seed) <= 32:
            raise ListingError(f"swift_store_multiple_containers_seed {seed!r} is not 0-32")
        return cls(options.get("swift_store_container", DEFAULT_CONTAINER) or "", int(seed))


def access_of(options: StoreOptions) -> SwiftAccess:
    """The account of a store's options; raises ListingError when it is not configured."""
    ref_file = options.get("swift_store_config_file")
    if ref_file:
        name = options.get("default_swift_reference", "ref1") or "ref1"
        try:
            ref = swift_reference(ref_file, name)
        except OptionsError as exc:
            raise ListingError(str(exc)) from None
    else:
        ref = {
            "user": options.get("swift_store_user") or "",
            "key": options.get("swift_store_key") or "",
            "auth_address": options.get("swift_store_auth_address") or "",
        }
    if not (ref.get("auth_address") and ref.get("user") and ref.get("key")):
        raise ListingError("no Swift account configured (auth_address, user and key)")
    return _access(ref, options)


def _access(ref: dict[str, str], options: StoreOptions) -> SwiftAccess:
    user_domain = ref.get("user_domain_id") or (None if ref.get("user_domain_name") else "default")
    project_domain = ref.get("project_domain_id") or (
        None if ref.get("project_domain_name") else "default"
    )
    interface = options.get("swift_store_endpoint_type", "publicURL") or "publicURL"
    return SwiftAccess(
        auth_address=ref["auth_address"],
        user=ref["user"],
        key=ref["key"],
        user_domain_id=user_domain,
        project_domain_id=project_domain,
        user_domain_name=ref.get("user_domain_name"),
        project_domain_name=ref.get("project_domain_name"),
        endpoint=options.get("swift_store_endpoint"),
        region=options.get("swift_store_region"),
        interface=interface.removesuffix("URL"),
        service_type=options.get("swift_store_service_type", "object-store") or "object-store",
    )


@dataclass(frozen=True)
class Session:
    """An authenticated account: its storage URL and token."""

    storage_url: str
    token: str
    timeouts: Timeouts = field(default_factory=Timeouts)

    def __repr__(self) -> str:
        return f"Session(storage_url={self.storage_url!r})"


Authenticator = Callable[[SwiftAccess, Timeouts], Session]


def authenticate(access: SwiftAccess, timeouts: Timeouts) -> Session:
    """Log in (v1 or Keystone v3); raises ListingError with the cause."""
    return _auth_v1(access, timeouts) if access.v1 else _auth_v3(access, timeouts)


def _auth_v1(access: SwiftAccess, timeouts: Timeouts) -> Session:
    headers = {"X-Auth-User": access.user, "X-Auth-Key": access.key}
    resp = _request(access.auth_address, headers, timeouts, what="auth v1")
    token, url = resp.headers.get("X-Auth-Token"), resp.headers.get("X-Storage-Url")
    if not token or not url:
        raise ListingError(f"{access.auth_address}: auth v1 answer without token or storage URL")
    return Session(access.endpoint or url, token, timeouts)


def _auth_v3(access: SwiftAccess, timeouts: Timeouts) -> Session:
    from keystoneauth1 import exceptions as ks_exc
    from keystoneauth1 import session as ks_session
    from keystoneauth1.identity import v3

    project, _, user = access.user.rpartition(":")
    if not project:
        raise ListingError(f"Swift user {access.user!r} is not written project:user")
    auth = v3.Password(
        auth_url=access.auth_address,
        username=user,
        password=access.key,
        project_name=project,
        user_domain_id=access.user_domain_id,
        user_domain_name=access.user_domain_name,
        project_domain_id=access.project_domain_id,
        project_domain_name=access.project_domain_name,
    )
    sess = ks_session.Session(auth=auth, timeout=timeouts.read)
    try:
        token = sess.get_token()
        url = access.endpoint or sess.get_endpoint(
            service_type=access.service_type, interface=access.interface, region_name=access.region
        )
    except ks_exc.ClientException as exc:
        raise ListingError(f"{access.auth_address}: Keystone v3: {_ks_brief(exc)}") from None
    if not url:
        raise ListingError(f"no {access.service_type} endpoint in the catalog")
    return Session(str(url), str(token), timeouts)


def _ks_brief(exc: Any) -> str:
    status = getattr(exc, "http_status", None)
    name = type(exc).__name__
    return f"HTTP {status} {name}" if status else f"{name}: {str(exc).splitlines()[0][:200]}"


def _request(
    url: str, headers: dict[str, str], timeouts: Timeouts, *, what: str, params: Any = None
) -> requests.Response:
    try:
        resp = requests.get(url, headers=headers, params=params, timeout=timeouts.pair)
    except requests.Timeout:
        raise ListingError(f"{url}: {what}: timed out") from None
    except requests.RequestException as exc:
        raise ListingError(f"{url}: {what}: cannot connect ({type(exc).__name__})") from None
    if resp.status_code >= 400 and resp.status_code != 404:
        raise ListingError(f"{url}: {what}: HTTP {resp.status_code} {resp.reason}".rstrip())
    return resp


def _pages(session: Session, url: str, page_size: int, what: str, **query: str) -> Iterator[Any]:
    """Each row of a paged JSON listing of ``url`` (nothing when it answers 404)."""
    marker = ""
    headers = {"X-Auth-Token": session.token}
    while True:
        params = {"format": "json", "limit": str(page_size), "marker": marker, **query}
        resp = _request(url, headers, session.timeouts, what=what, params=params)
        if resp.status_code == 404 or resp.status_code == 204:
            return
        try:
            rows = resp.json()
        except ValueError:
            raise ListingError(f"{url}: {what}: the answer is not JSON") from None
        if not isinstance(rows, list):
            raise ListingError(f"{url}: {what}: the answer is not a JSON list")
        yield from rows
        if len(rows) < page_size:
            return
        marker = str(rows[-1].get("name") or rows[-1].get("subdir") or "")
        if not marker:
            raise ListingError(f"{url}: {what}: a full page without a marker")


def container_url(session: Session, container: str) -> str:
    """The URL of ``container`` in the session's account."""
    return f"{session.storage_url.rstrip('/')}/{quote(container, safe='')}"


def list_container(
    session: Session, container: str, page_size: int = PAGE_SIZE
) -> Iterator[StoredObject]:
    """Every object of ``container``; raises ListingError on any failure."""
    url = container_url(session, container)
    for row in _pages(session, url, page_size, f"container {container}"):
        modified = row.get("last_modified")
        stamp = _swift_time(modified) if isinstance(modified, str) else None
        yield StoredObject(str(row["name"]), _int(row.get("bytes")), stamp)


def list_containers(session: Session, prefix: str, page_size: int = PAGE_SIZE) -> tuple[str, ...]:
    """The account's containers whose names start with ``prefix``."""
    rows = _pages(session, session.storage_url, page_size, "account", prefix=prefix)
    return tuple(str(row["name"]) for row in rows)


def _int(value: object) -> int | None:
    return value if isinstance(value, int) else None


def _swift_time(text: str) -> str | None:
    from datetime import datetime

    try:
        return iso_utc(datetime.fromisoformat(text))
    except ValueError:
        return None
