"""A fake Nova + Cinder (+ a minimal Keystone) on 127.0.0.1 for collector tests.

Concepts: ``FakeCompute`` serves, under one ephemeral port, the documents openstacksdk and
the usage collectors read: the compute version document at ``/compute/v2.1`` and the
block-storage one at ``/volume/v3`` (openstacksdk GETs an endpoint override itself to
discover its version), ``/servers/detail`` and ``/volumes/detail`` paged with ``limit`` and
``marker`` and a ``*_links`` ``next`` link when a page is full, exactly like Nova and
Cinder. A minimal Keystone v3 (``/identity/v3``) issues a token whose catalog holds only the
services a test asks for, so "the cloud has no compute endpoint" can be tested for real.

Faults are programmed with ``FakeCompute.fail(...)``: an HTTP status or a stall (longer than
the client's timeout) for requests whose path ends with a given suffix and, optionally,
carry a given ``marker``; each fault fires ``times`` times (``None``: forever). Every
request is recorded in ``requests`` as ``(method, path, query)``.
"""

from __future__ import annotations

import json
import sys
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, urlsplit

COMPUTE_PREFIX = "/compute/v2.1"
VOLUME_PREFIX = "/volume/v3"
IDENTITY_PREFIX = "/identity/v3"
IMAGE_PREFIX = "/image"

JsonDict = dict[str, Any]
_DOMAIN: JsonDict = {"id": "default", "name": "Default"}


@dataclass
class Fault:
    """One programmed failure: a status code, or a stall of ``delay`` seconds."""

    path_suffix: str
    status: int | None = None
    delay: float = 0.0
    marker: str | None = None
    times: int | None = 1

    def matches(self, path: str, query: Mapping[str, str]) -> bool:
        """True when this fault applies to a request for ``path`` with ``query``."""
        if self.times is not None and self.times <= 0:
            return False
        if not path.rstrip("/").endswith(self.path_suffix):
            return False
        return self.marker is None or query.get("marker") == self.marker


def fake_server(
    server_id: str,
    *,
    image_id: str | None,
    project: str = "p-1",
    host: str | None = "compute-1",
    zone: str = "nova",
    status: str = "ACTIVE",
    name: str = "",
    created: str = "2026-01-01T00:00:00Z",
) -> JsonDict:
    """A server as ``/servers/detail`` shows it to an admin (``image_id`` None: from a volume)."""
    image: JsonDict | str = ""
    if image_id is not None:
        image = {"id": image_id, "links": [{"rel": "bookmark", "href": f"/images/{image_id}"}]}
    return {
        "id": server_id,
        "name": name or f"vm-{server_id}",
        "tenant_id": project,
        "user_id": "u-1",
        "status": status,
        "image": image,
        "flavor": {"id": "1", "links": []},
        "OS-EXT-SRV-ATTR:host": host,
        "OS-EXT-SRV-ATTR:hypervisor_hostname": host,
        "OS-EXT-AZ:availability_zone": zone,
        "created": created,
        "links": [{"rel": "self", "href": f"/servers/{server_id}"}],
    }


def fake_volume(
    volume_id: str,
    *,
    image_id: str | None = None,
    image_name: str | None = None,
    project: str = "p-1",
    host: str | None = "cinder-1@ceph#ceph",
    size: int = 10,
    status: str = "available",
    volume_type: str | None = "__DEFAULT__",
) -> JsonDict:
    """A volume as ``/volumes/detail`` shows it to an admin (image metadata when from an image)."""
    volume: JsonDict = {
        "id": volume_id,
        "name": f"vol-{volume_id}",
        "os-vol-tenant-attr:tenant_id": project,
        "os-vol-host-attr:host": host,
        "bootable": "true" if image_id is not None else "false",
        "size": size,
        "status": status,
        "volume_type": volume_type,
        "attachments": [],
        "metadata": {},
        "links": [{"rel": "self", "href": f"/volumes/{volume_id}"}],
    }
    if image_id is not None:
        volume["volume_image_metadata"] = {
            "image_id": image_id,
            "image_name": image_name or "",
            "checksum": "0" * 32,
            "disk_format": "raw",
            "container_format": "bare",
            "size": "1073741824",
            "min_disk": "0",
            "min_ram": "0",
        }
    return volume


def _compute_version(base: str) -> JsonDict:
    return {
        "version": {
            "id": "v2.1",
            "status": "CURRENT",
            "version": "2.96",
            "min_version": "2.1",
            "updated": "2013-07-23T11:33:21Z",
            "links": [{"rel": "self", "href": f"{base}{COMPUTE_PREFIX}/"}],
            "media-types": [
                {
                    "base": "application/json",
                    "type": "application/vnd.openstack.compute+json;version=2.1",
                }
            ],
        }
    }


def _volume_versions(base: str) -> JsonDict:
    return {
        "versions": [
            {
                "id": "v3.0",
                "status": "CURRENT",
                "version": "3.70",
                "min_version": "3.0",
                "updated": "2023-08-31T00:00:00Z",
                "links": [{"rel": "self", "href": f"{base}{VOLUME_PREFIX}/"}],
                "media-types": [
                    {
                        "base": "application/json",
                        "type": "application/vnd.openstack.volume+json;version=3",
                    }
                ],
            }
        ]
    }


def _identity_version(base: str) -> JsonDict:
    return {
        "version": {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-04-07T00:00:00Z",
            "links": [{"rel": "self", "href": f"{base}{IDENTITY_PREFIX}/"}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }
    }


def _catalog_entry(service_type: str, url: str) -> JsonDict:
    endpoints = [
        {
            "id": uuid.uuid4().hex,
            "interface": interface,
            "region": "RegionOne",
            "region_id": "RegionOne",
            "url": url,
        }
        for interface in ("public", "internal", "admin")
    ]
    entry: JsonDict = {"id": uuid.uuid4().hex, "type": service_type, "name": service_type}
    return {**entry, "endpoints": endpoints}


def _page(items: Sequence[JsonDict], query: Mapping[str, str], max_limit: int) -> list[JsonDict]:
    limit = min(int(query.get("limit", max_limit)), max_limit)
    start = 0
    marker = query.get("marker")
    if marker is not None:
        ids = [str(i["id"]) for i in items]
        if marker not in ids:
            raise KeyError(marker)
        start = ids.index(marker) + 1
    return list(items[start : start + limit])


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # clients hanging up are normal


@dataclass
class FakeCompute:
    """Fake Nova, Cinder and Keystone; use as a context manager (``with FakeCompute() as f``)."""

    servers: list[JsonDict] = field(default_factory=list)
    volumes: list[JsonDict] = field(default_factory=list)
    max_limit: int = 1000
    catalog: tuple[str, ...] = ("compute", "volumev3", "image")
    hide_admin_attributes: bool = False
    faults: list[Fault] = field(default_factory=list)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _root: str = ""  # kept after stop: a request still being answered then needs it
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        if self._server is None:
            raise RuntimeError("FakeCompute is not running")
        return self._root

    @property
    def compute_url(self) -> str:
        """The compute endpoint (what ``compute_endpoint_override`` should be)."""
        return self.base_url + COMPUTE_PREFIX

    @property
    def volume_url(self) -> str:
        """The block-storage endpoint (what ``block_storage_endpoint_override`` should be)."""
        return self.base_url + VOLUME_PREFIX

    @property
    def auth_url(self) -> str:
        """The Keystone v3 endpoint of the minimal identity service."""
        return self.base_url + IDENTITY_PREFIX

    def fail(
        self,
        path_suffix: str,
        *,
        status: int | None = None,
        delay: float = 0.0,
        marker: str | None = None,
        times: int | None = 1,
    ) -> Fault:
        """Program a fault (status and/or stall) for matching requests."""
        fault = Fault(path_suffix, status=status, delay=delay, marker=marker, times=times)
        with self._lock:
            self.faults.append(fault)
        return fault

    def count(self, path_suffix: str) -> int:
        """How many requests were made for paths ending with ``path_suffix``."""
        return sum(1 for _m, p, _q in self.requests if p.rstrip("/").endswith(path_suffix))

    def start(self) -> FakeCompute:
        """Start serving on 127.0.0.1 and an ephemeral port."""
        handler = _make_handler(self)
        self._server = _Server(("127.0.0.1", 0), handler)
        self._root = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        """Stop serving."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeCompute:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def take_fault(self, path: str, query: Mapping[str, str]) -> Fault | None:
        """The first fault matching this request, its remaining count decreased."""
        with self._lock:
            for fault in self.faults:
                if fault.matches(path, query):
                    if fault.times is not None:
                        fault.times -= 1
                    return fault
        return None

    def route_get(self, path: str, query: Mapping[str, str]) -> tuple[int, JsonDict]:
        """Status and body for a GET (no faults applied)."""
        base = self._root
        documents = {
            COMPUTE_PREFIX: lambda: _compute_version(base),
            VOLUME_PREFIX: lambda: _volume_versions(base),
            IDENTITY_PREFIX: lambda: _identity_version(base),
        }
        stripped = path.rstrip("/")
        if stripped in documents:
            return 200, documents[stripped]()
        if stripped == COMPUTE_PREFIX + "/servers/detail":
            return self._listing(self.servers, query, "servers", self._server_view)
        if stripped == VOLUME_PREFIX + "/volumes/detail":
            return self._listing(self.volumes, query, "volumes", self._volume_view)
        return 404, {"itemNotFound": {"code": 404, "message": f"no route for {path}"}}

    def _server_view(self, item: JsonDict) -> JsonDict:
        hidden = ("OS-EXT-SRV-ATTR:",)
        return self._hide(item, hidden)

    def _volume_view(self, item: JsonDict) -> JsonDict:
        return self._hide(item, ("os-vol-host-attr:", "os-vol-tenant-attr:"))

    def _hide(self, item: JsonDict, prefixes: tuple[str, ...]) -> JsonDict:
        if not self.hide_admin_attributes:
            return item
        return {k: v for k, v in item.items() if not k.startswith(prefixes)}

    def _listing(
        self,
        items: Sequence[JsonDict],
        query: Mapping[str, str],
        key: str,
        view: Any,
    ) -> tuple[int, JsonDict]:
        try:
            page = _page(items, query, self.max_limit)
        except KeyError as exc:
            return 400, {"badRequest": {"code": 400, "message": f"marker {exc} not found"}}
        body: JsonDict = {key: [view(i) for i in page]}
        limit = min(int(query.get("limit", self.max_limit)), self.max_limit)
        if page and len(page) == limit:
            prefix = COMPUTE_PREFIX if key == "servers" else VOLUME_PREFIX
            href = f"{self._root}{prefix}/{key}/detail?limit={limit}&marker={page[-1]['id']}"
            body[f"{key}_links"] = [{"rel": "next", "href": href}]
        return 200, body

    def token(self) -> tuple[str, JsonDict]:
        """A token id and the Keystone v3 token document with this fake's catalog."""
        urls = {
            "compute": self.compute_url,
            "volumev3": self.volume_url,
            "block-storage": self.volume_url,
            "image": self._root + IMAGE_PREFIX,
        }
        catalog = [_catalog_entry(t, urls[t]) for t in self.catalog if t in urls]
        now = time.gmtime()
        body = {
            "token": {
                "methods": ["password"],
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", now),
                "expires_at": time.strftime(
                    "%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(time.time() + 3600)
                ),
                "user": {"id": "u-1", "name": "admin", "domain": _DOMAIN},
                "project": {"id": "p-1", "name": "admin", "domain": _DOMAIN},
                "roles": [{"id": "r-1", "name": "admin"}],
                "catalog": catalog,
            }
        }
        return uuid.uuid4().hex, body


def _make_handler(fake: FakeCompute) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _send(
            self, status: int, body: JsonDict, headers: Mapping[str, str] | None = None
        ) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def _parse(self, method: str) -> tuple[str, dict[str, str]]:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            fake.requests.append((method, parts.path, query))
            return parts.path, query

        def _faulted(self, path: str, query: Mapping[str, str]) -> bool:
            fault = fake.take_fault(path, query)
            if fault is None:
                return False
            if fault.delay:
                time.sleep(fault.delay)
            if fault.status is None:
                return False
            self._send(fault.status, {"error": {"code": fault.status, "message": "injected"}})
            return True

        def do_GET(self) -> None:
            path, query = self._parse("GET")
            if self._faulted(path, query):
                return
            status, body = fake.route_get(path, query)
            self._send(status, body)

        def do_POST(self) -> None:
            path, query = self._parse("POST")
            length = int(self.headers.get("Content-Length") or 0)
            self.rfile.read(length)
            if self._faulted(path, query):
                return
            if path.rstrip("/") != IDENTITY_PREFIX + "/auth/tokens":
                self._send(404, {"error": {"code": 404, "message": "not found"}})
                return
            token_id, body = fake.token()
            self._send(201, body, {"X-Subject-Token": token_id})

    return Handler
