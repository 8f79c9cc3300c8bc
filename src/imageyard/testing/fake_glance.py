"""A fake Glance v2 API for tests and benchmarks: real response shapes, generated catalog.

Concepts: ``FakeGlance`` serves a ``Catalog`` of images generated deterministically from their
index, so 100,000 images cost nothing up front and every run sees the same catalog. The
bodies copy what a real Glance 33 returns (key order included): image lists with ``first``,
``next`` (``/v2/images?limit=..&marker=..``) and ``schema``; images with ``stores``,
``locations``, ``direct_url``, ``os_hash_*`` and ``os_glance_*``; ``/v2/info/stores[/detail]``,
``/v2/info/import``, ``/v2/images/{id}/locations``, ``/v2/images/{id}/members``,
``/v2/cache``; and the ``/`` version document that openstacksdk's discovery reads. Images are
listed newest first (descending index); as in Glance, hidden ones only with ``os_hidden=true``
and community ones only with ``visibility=all`` (or ``community``): a client comparing counts
with imageyard (which asks for ``visibility=all``) must ask for it too.

``Faults`` program failures: an HTTP status (and/or a delay) on the Nth page of the image list
(any list without ``os_hidden=true``) for the first K requests of it, 403 on locations or
stores detail, 404 on ``/v2/info/stores`` (multi-store off), a status for ``/v2/cache``, and
``show_multiple_locations`` / ``show_image_direct_url`` switched off.

The server is stdlib only (``http.server``, threaded) on 127.0.0.1 and an ephemeral port. By
default it runs in a child process, as a real Glance would, so a client measured against it
does not share its interpreter; ``in_process=True`` runs it in a thread instead. Use it as a
context manager; ``url`` is the unversioned root, ``requests()`` the requests served so far.
Run ``python -m imageyard.testing.fake_glance --images N`` to serve a catalog by hand.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import hashlib
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FSID = "5d8f0c3e-7a41-4b8e-9c1d-2f6a8e4b7c90"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 25
EPOCH = 1_700_000_000  # created_at of image 0; each later index is 60 s newer
PROJECTS = ("admin-project", "project-alpha", "project-beta", "project-gamma")
# (id, type, weight, description, properties), as /v2/info/stores/detail shows them
STORES: tuple[tuple[str, str, int, str, dict[str, Any]], ...] = (
    ("fast", "file", 100, "Fast local file tier",
     {"data_dir": "/var/lib/glance/fast", "chunk_size": 65536, "thin_provisioning": False}),
    ("ceph", "rbd", 80, "Ceph RBD pool images",
     {"chunk_size": 8388608, "pool": "images", "thin_provisioning": False, "fsid": FSID}),
    ("cheap", "file", 50, "Cheap local file tier",
     {"data_dir": "/var/lib/glance/cheap", "chunk_size": 65536, "thin_provisioning": False}),
    ("swift", "swift", 20, "Swift container",
     {"container": "glance", "large_object_size": 5242880000,
      "large_object_chunk_size": 204800000}),
    ("s3", "s3", 10, "S3 bucket",
     {"s3_store_large_object_size": 104857600, "s3_store_large_object_chunk_size": 10485760,
      "s3_store_thread_pools": 10}),
)  # fmt: skip
DEFAULT_STORE = "fast"
# store sets an image with data can have, by weight (fast, ceph, ... as Glance orders them)
STORE_SETS: tuple[tuple[str, ...], ...] = (
    ("ceph",), ("ceph",), ("ceph",), ("fast",), ("cheap",), ("fast", "ceph"),
    ("ceph", "swift", "s3"), ("s3",), ("swift",), ("fast", "ceph", "cheap", "swift", "s3"),
)  # fmt: skip
# statuses other than active, at fixed residues of index % 100
SPECIAL_STATUS = {
    3: "queued", 17: "saving", 29: "importing", 41: "deactivated", 53: "killed",
    67: "pending_delete", 79: "uploading", 91: "deactivated",
}  # fmt: skip
_HAS_DATA = frozenset({"active", "deactivated", "pending_delete"})
IMPORT_METHODS = ("glance-direct", "web-download", "copy-image")


@dataclass(frozen=True)
class Catalog:
    """What to generate: ``images`` images, every ``hidden_every``-th one hidden, ..."""

    images: int = 100
    hidden_every: int = 50  # index % n == n - 1 -> os_hidden (0: none)
    shared_every: int = 100  # index % n == 7 -> visibility shared with members (0: none)
    community_every: int = 10  # index % n == 4 -> community, unless shared (0: none)
    s3_credentials: bool = False  # s3 URLs carry "access:secret@" as pre-2023 Glance wrote
    cached: int = 3  # the first N images with data are in the node's cache
    queued_in_cache: int = 1

    def is_hidden(self, index: int) -> bool:
        n = self.hidden_every
        return n > 0 and index % n == n - 1

    def is_shared(self, index: int) -> bool:
        n = self.shared_every
        return n > 0 and index % n == 7 % n

    def visibility_of(self, index: int) -> str:
        if self.is_shared(index):
            return "shared"
        n = self.community_every
        if n > 0 and index % n == 4 % n:
            return "community"
        return "public" if index % 3 == 0 else "private"


@dataclass(frozen=True)
class Faults:
    """Failures to serve. Page numbers count pages of the default image list from 1."""

    page: int | None = None  # which page gets page_status and/or page_delay
    page_status: int | None = None
    page_delay: float = 0.0
    page_times: int = 1_000_000  # only the first N requests of that page are hit
    list_status: int | None = None  # every page of every image list (401/403 ...)
    locations_status: int | None = None  # GET /v2/images/{id}/locations
    members_status: int | None = None  # GET /v2/images/{id}/members
    stores_detail_status: int | None = None
    stores_status: int | None = None  # 404: multi-store is off
    cache_status: int | None = None  # GET /v2/cache (403, 404, 409 ...)
    show_multiple_locations: bool = True
    show_image_direct_url: bool = True


# ---------------------------------------------------------------------------- the catalog
def image_id(index: int) -> str:
    """The id of image ``index``: random-looking, with the index in the last group."""
    digest = hashlib.md5(str(index).encode(), usedforsecurity=False).hexdigest()
    return f"{digest[:8]}-{digest[8:12]}-4{digest[13:16]}-a{digest[17:20]}-{index:012x}"


def index_of(image: str) -> int | None:
    """The index an id of ``image_id`` encodes, or None for any other string."""
    parts = image.split("-")
    if len(parts) != 5 or len(parts[4]) != 12:
        return None
    try:
        index = int(parts[4], 16)
    except ValueError:
        return None
    return index if image_id(index) == image else None


def _stamp(index: int, later: int = 0) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(EPOCH + index * 60 + later))


def status_of(index: int) -> str:
    return SPECIAL_STATUS.get(index % 100, "active")


def stores_of(index: int) -> tuple[str, ...]:
    return STORE_SETS[index % len(STORE_SETS)] if status_of(index) in _HAS_DATA else ()


def location_url(catalog: Catalog, store: str, image: str) -> str:
    kind = next(s[1] for s in STORES if s[0] == store)
    if kind == "rbd":
        return f"rbd://{FSID}/images/{image}/snap"
    if kind == "file":
        return f"file:///var/lib/glance/{store}/{image}"
    if kind == "s3":
        secret = "AKIAFAKEACCESS:fake/secret+key0123@" if catalog.s3_credentials else ""
        return f"s3://{secret}s3.example.test:8080/glance-s3/{image}"
    return f"swift+config://ref1/glance-swift/{image}"


def _data_fields(index: int, image: str) -> dict[str, Any]:
    digest = hashlib.sha512(image.encode()).hexdigest()
    size = (1 + index % 40) * 1 << 24
    return {
        "size": size,
        "virtual_size": size if index % 3 else size * 4,
        "checksum": digest[:32],
        "os_hash_algo": "sha512",
        "os_hash_value": digest,
    }


def image_body(catalog: Catalog, faults: Faults, index: int) -> dict[str, Any]:
    """Image ``index`` exactly as ``GET /v2/images/{id}`` would return it."""
    image, status = image_id(index), status_of(index)
    has_data = status in _HAS_DATA
    data = (
        _data_fields(index, image)
        if has_data
        else dict.fromkeys(("size", "virtual_size", "checksum", "os_hash_algo", "os_hash_value"))
    )
    body: dict[str, Any] = {
        "name": f"image-{index:06d}",
        "disk_format": ("raw", "qcow2", "raw", "iso")[index % 4],
        "container_format": "bare",
        "visibility": catalog.visibility_of(index),
        "size": data["size"],
        "virtual_size": data["virtual_size"],
        "status": status,
        "checksum": data["checksum"],
        "protected": index % 13 == 0,
        "min_ram": 0,
        "min_disk": index % 3 * 10,
        "owner": PROJECTS[index % len(PROJECTS)],
        "os_hidden": catalog.is_hidden(index),
        "os_hash_algo": data["os_hash_algo"],
        "os_hash_value": data["os_hash_value"],
        "id": image,
        "created_at": _stamp(index),
        "updated_at": _stamp(index, 30),
    }
    body.update(_extra_properties(index, status))
    stores = stores_of(index)
    urls = [{"url": location_url(catalog, s, image), "metadata": {"store": s}} for s in stores]
    if faults.show_multiple_locations:
        body["locations"] = urls
    if faults.show_image_direct_url and urls:
        body["direct_url"] = urls[0]["url"]
    body["tags"] = ["golden", "ci"][: index % 3]
    body["self"] = f"/v2/images/{image}"
    body["file"] = f"/v2/images/{image}/file"
    body["schema"] = "/v2/schemas/image"
    if stores:
        body["stores"] = ",".join(stores)
    return body


def _extra_properties(index: int, status: str) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if index % 5 == 0:
        extra["os_distro"], extra["os_version"] = "ubuntu", "22.04"
    if index % 7 == 0:
        extra["hw_disk_bus"], extra["hw_scsi_model"] = "scsi", "virtio-scsi"
    if status == "importing":
        extra["os_glance_importing_to_stores"] = "ceph,s3"
        extra["os_glance_failed_import"] = ""
    elif index % 11 == 0:
        extra["os_glance_importing_to_stores"] = ""
        extra["os_glance_failed_import"] = "swift" if index % 22 == 0 else ""
    return extra


def members_body(index: int) -> dict[str, Any]:
    image = image_id(index)
    members = [
        {"member_id": project, "image_id": image, "status": status,
         "created_at": _stamp(index, 40), "updated_at": _stamp(index, 50),
         "schema": "/v2/schemas/member"}
        for project, status in (("project-beta", "accepted"), ("project-gamma", "pending"))
    ][: 1 + index % 2]  # fmt: skip
    return {"members": members, "schema": "/v2/schemas/members"}


def stores_body(detail: bool) -> dict[str, Any]:
    rows = []
    for store, kind, weight, description, props in STORES:
        row: dict[str, Any] = {"id": store, "description": description}
        if store == DEFAULT_STORE:
            row["default"] = "true"
        if detail:
            row.update(type=kind, properties=props, weight=weight)
        rows.append(row)
    return {"stores": rows}


def import_body() -> dict[str, Any]:
    return {
        "import-methods": {
            "description": "Import methods available.",
            "type": "array",
            "value": list(IMPORT_METHODS),
        }
    }


def cache_body(catalog: Catalog) -> dict[str, Any]:
    with_data = (i for i in range(catalog.images) if status_of(i) == "active")
    picked = [
        i for _, i in zip(range(catalog.cached + catalog.queued_in_cache), with_data, strict=False)
    ]
    cached = [
        {"id": n + 1, "image_id": image_id(i), "last_accessed": float(EPOCH + i * 60 + 90),
         "last_modified": float(EPOCH + i * 60 + 60),
         "size": _data_fields(i, image_id(i))["size"], "hits": i % 5,
         "checksum": _data_fields(i, image_id(i))["checksum"]}
        for n, i in enumerate(picked[: catalog.cached])
    ]  # fmt: skip
    queued = [image_id(i) for i in picked[catalog.cached :]]
    return {"cached_images": cached, "queued_images": queued}


def versions_body(root: str) -> dict[str, Any]:
    ids = [f"v2.{minor}" for minor in range(18, -1, -1)]
    return {
        "versions": [
            {
                "id": version,
                "status": "CURRENT" if n == 0 else "SUPPORTED",
                "links": [{"rel": "self", "href": f"{root}/v2/"}],
            }
            for n, version in enumerate(ids)
        ]
    }


# ---------------------------------------------------------------------------- paging
def _candidates(catalog: Catalog, hidden: bool, start: int) -> Iterator[int]:
    """Indices from ``start`` down whose ``os_hidden`` is ``hidden``."""
    if hidden and catalog.hidden_every <= 0:
        return
    index = start
    if hidden:
        step = catalog.hidden_every
        index -= (index - (step - 1)) % step  # down to the nearest hidden index
        yield from range(index, -1, -step)
        return
    for index in range(start, -1, -1):
        if not catalog.is_hidden(index):
            yield index


def _listed(catalog: Catalog, query: dict[str, str], start: int) -> Iterator[int]:
    """Indices a list with ``query`` shows, newest first, from ``start`` down.

    As in Glance: hidden images only with ``os_hidden=true``; community images only with
    ``visibility=all`` or ``visibility=community``; ``visibility=<v>`` shows only ``v``;
    ``created_at=<op>:<time>`` compares the creation time (``lt``, ``lte``, ``gt``, ``gte``,
    ``eq``, ``neq``).
    """
    hidden = query.get("os_hidden", "false").lower() == "true"
    return filter(_shown(catalog, query), _candidates(catalog, hidden, start))


def _listed_oldest_first(catalog: Catalog, query: dict[str, str], start: int) -> Iterator[int]:
    """The same list oldest first (``sort_dir=asc``), from ``start`` up."""
    hidden = query.get("os_hidden", "false").lower() == "true"
    indices = (i for i in range(start, catalog.images) if catalog.is_hidden(i) == hidden)
    return filter(_shown(catalog, query), indices)


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b, "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b, "eq": lambda a, b: a == b, "neq": lambda a, b: a != b,
}  # fmt: skip


def _shown(catalog: Catalog, query: dict[str, str]) -> Callable[[int], bool]:
    wanted = query.get("visibility")
    op, _, when = query.get("created_at", "gte:1970-01-01T00:00:00Z").partition(":")
    threshold = calendar.timegm(time.strptime(when, "%Y-%m-%dT%H:%M:%SZ"))
    compare = _COMPARE[op]

    def shown(index: int) -> bool:
        visibility = catalog.visibility_of(index)
        return compare(EPOCH + index * 60, threshold) and (
            wanted == "all"
            or visibility == wanted
            or (wanted is None and visibility != "community")
        )

    return shown


def page_number(catalog: Catalog, query: dict[str, str], marker: int | None, limit: int) -> int:
    """Which page (from 1) of the list with ``query`` starts after ``marker``."""
    if marker is None:
        return 1
    newer = sum(1 for _ in _listed(catalog, query, catalog.images - 1) if _ >= marker)
    return newer // limit + 1


# ---------------------------------------------------------------------------- HTTP
class _Error(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
           409: "Conflict", 500: "Internal Server Error", 502: "Bad Gateway",
           503: "Service Unavailable"}  # fmt: skip


def error_page(status: int, message: str) -> bytes:
    """Glance's (webob's) small HTML error body."""
    title = f"{status} {_TITLES.get(status, 'Error')}"
    return (
        f"<html>\n <head>\n  <title>{title}</title>\n </head>\n <body>\n  <h1>{title}</h1>\n"
        f"  {message}<br /><br />\n\n\n\n </body>\n</html>"
    ).encode()


class FakeGlanceState:
    """The catalog, the faults and the request log of one fake server."""

    def __init__(self, catalog: Catalog, faults: Faults) -> None:
        self.catalog = catalog
        self.faults = faults
        self.log: list[tuple[str, int]] = []
        self.page_hits: dict[int, int] = {}
        self.lock = threading.Lock()

    def record(self, target: str, status: int) -> None:
        with self.lock:
            if len(self.log) < 100_000:
                self.log.append((target, status))

    def route(self, path: str, query: dict[str, str], root: str) -> Any:
        """The JSON body for a GET, or raise _Error."""
        if path in ("", "/", "/versions"):
            return versions_body(root)
        if path == "/v2/images":
            return self.images_page(query)
        if path.startswith("/v2/images/"):
            return self.image_route(path[len("/v2/images/") :].split("/"))
        return self.info_route(path)

    def info_route(self, path: str) -> Any:
        faults = self.faults
        if path == "/v2/info/stores/detail":
            _maybe_fail(faults.stores_detail_status, "stores_info_detail")
            _maybe_fail(faults.stores_status, "stores_info_detail")
            return stores_body(detail=True)
        if path == "/v2/info/stores":
            _maybe_fail(faults.stores_status, "stores_info")
            return stores_body(detail=False)
        if path == "/v2/info/import":
            return import_body()
        if path == "/v2/cache":
            _maybe_fail(faults.cache_status, "cache_list")
            return cache_body(self.catalog)
        raise _Error(404, "The resource could not be found.")

    def image_route(self, parts: list[str]) -> Any:
        index = index_of(parts[0])
        if index is None or index >= self.catalog.images:
            raise _Error(404, f"No image found with ID {parts[0]}")
        if len(parts) == 1:
            return image_body(self.catalog, self.faults, index)
        if parts[1:] == ["locations"]:
            _maybe_fail(self.faults.locations_status, "fetch_image_location")
            body = image_body(self.catalog, Faults(), index)
            return body["locations"]
        if parts[1:] == ["members"]:
            _maybe_fail(self.faults.members_status, "get_members")
            return members_body(index) if self.catalog.is_shared(index) else _no_members()
        raise _Error(404, "The resource could not be found.")

    def images_page(self, query: dict[str, str]) -> Any:
        _maybe_fail(self.faults.list_status, "get_images")
        limit = min(int(query.get("limit", DEFAULT_LIMIT)), MAX_LIMIT)
        hidden = query.get("os_hidden", "false").lower() == "true"
        marker = query.get("marker")
        marker_index = None if marker is None else index_of(marker)
        if marker is not None and (marker_index is None or marker_index >= self.catalog.images):
            raise _Error(400, f"No image found with ID {marker}")
        if not hidden and self.faults.page is not None:
            self._page_fault(page_number(self.catalog, query, marker_index, limit))
        if query.get("sort_dir") == "asc":
            start = 0 if marker_index is None else marker_index + 1
            return self._page(query, _listed_oldest_first(self.catalog, query, start), limit)
        start = self.catalog.images - 1 if marker_index is None else marker_index - 1
        return self._page(query, _listed(self.catalog, query, start), limit)

    def _page_fault(self, page: int) -> None:
        faults = self.faults
        if faults.page != page:
            return
        with self.lock:
            hits = self.page_hits[page] = self.page_hits.get(page, 0) + 1
        if hits > faults.page_times:
            return
        if faults.page_delay:
            time.sleep(faults.page_delay)
        _maybe_fail(faults.page_status, "get_images")

    def _page(self, query: dict[str, str], indices: Iterator[int], limit: int) -> Any:
        images = [
            image_body(self.catalog, self.faults, i)
            for _, i in zip(range(limit), indices, strict=False)
        ]
        base = {k: v for k, v in query.items() if k != "marker"}
        first = "/v2/images?" + "&".join(f"{k}={v}" for k, v in base.items())
        body: dict[str, Any] = {"images": images, "first": first.rstrip("?"),
                                "schema": "/v2/schemas/images"}  # fmt: skip
        if len(images) == limit and next(indices, None) is not None:
            joiner = "&" if "?" in body["first"] else "?"
            body["next"] = f"{body['first']}{joiner}marker={images[-1]['id']}"
        return body


def _no_members() -> Any:
    raise _Error(403, "Only shared images have members.")


def _maybe_fail(status: int | None, action: str) -> None:
    if status is None:
        return
    messages = {401: "The request you have made requires authentication.",
                403: f"You are not authorized to complete {action} action.",
                404: "The resource could not be found.",
                409: "Image cache is not enabled on this node."}  # fmt: skip
    raise _Error(status, messages.get(status, "Internal Server Error"))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and body are separate writes: without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every small response
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        state = self.server.state
        if split.path == "/_fake/requests":
            with state.lock:
                self._send(200, json.dumps(state.log).encode(), "application/json")
            return
        try:
            status, body = 200, json.dumps(state.route(split.path, query, self.server.root))
        except _Error as exc:
            state.record(self.path, exc.status)
            self._send(exc.status, error_page(exc.status, exc.message), "text/html")
            return
        state.record(self.path, 300 if split.path in ("", "/") else status)
        self._send(300 if split.path in ("", "/") else 200, body.encode(), "application/json")

    def _send(self, status: int, payload: bytes, ctype: str) -> None:
        self.send_response(status)
        charset = "; charset=UTF-8" if ctype == "text/html" else ""
        self.send_header("Content-Type", ctype + charset)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("x-openstack-request-id", f"req-{time.monotonic_ns():x}")
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # clients hanging up are normal

    def __init__(self, state: FakeGlanceState) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.state = state
        self.root = f"http://127.0.0.1:{self.server_address[1]}"


# ---------------------------------------------------------------------------- running it
@dataclass
class FakeGlance:
    """A running fake Glance (a context manager). ``url`` is the unversioned root."""

    catalog: Catalog = field(default_factory=Catalog)
    faults: Faults = field(default_factory=Faults)
    in_process: bool = False
    url: str = ""
    _server: _Server | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _child: subprocess.Popen[str] | None = field(default=None, repr=False)

    def start(self) -> FakeGlance:
        if self.in_process:
            self._server = _Server(FakeGlanceState(self.catalog, self.faults))
            self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
            self._thread.start()
            self.url = self._server.root
        else:
            self._start_child()
        return self

    def _start_child(self) -> None:
        spec = json.dumps({"catalog": asdict(self.catalog), "faults": asdict(self.faults)})
        self._child = subprocess.Popen(
            [sys.executable, "-m", "imageyard.testing.fake_glance", "--spec", spec],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._child.stdout is not None
        line = self._child.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise RuntimeError(f"fake Glance did not start: {line!r}")
        self.url = line

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._child is not None:
            self._child.terminate()
            self._child.wait(timeout=10)
            if self._child.stdout is not None:
                self._child.stdout.close()
            self._child = None

    def requests(self) -> list[tuple[str, int]]:
        """``(path?query, status)`` of every request served so far."""
        if self._server is not None:
            with self._server.state.lock:
                return list(self._server.state.log)
        with urllib.request.urlopen(self.url + "/_fake/requests", timeout=10) as resp:
            return [(str(t), int(s)) for t, s in json.loads(resp.read())]

    def image_id(self, index: int) -> str:
        return image_id(index)

    def __enter__(self) -> FakeGlance:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve a fake Glance v2 API on 127.0.0.1.")
    parser.add_argument("--spec", help="JSON {catalog: {...}, faults: {...}}")
    parser.add_argument("--images", type=int, help="catalog size (when no --spec)")
    args = parser.parse_args(argv)
    spec = json.loads(args.spec) if args.spec else {}
    catalog = Catalog(**spec.get("catalog", {}))
    if args.images is not None:
        catalog = Catalog(images=args.images)
    server = _Server(FakeGlanceState(catalog, Faults(**spec.get("faults", {}))))
    print(server.root, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
