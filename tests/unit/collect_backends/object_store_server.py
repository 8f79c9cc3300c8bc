"""A tiny local S3 (ListObjectsV2) and Swift (auth v1, container and account listings) server.

Only what the backends listers call, over real HTTP on 127.0.0.1, so paging, timeouts and
error answers go through boto3, keystoneauth and requests as they do against a cloud.
"""

from __future__ import annotations

import http.server
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit
from xml.sax.saxutils import escape

STAMP = "2026-05-01T10:00:00.000Z"


@dataclass
class Backend:
    """What the server holds and how it misbehaves."""

    buckets: dict[str, list[str]] = field(default_factory=dict)
    containers: dict[str, list[str]] = field(default_factory=dict)
    swift_key: str = "right-key"
    s3_denied: bool = False  # every S3 request: 403 SignatureDoesNotMatch
    fail_after_pages: int | None = None  # the page after this many answers 500
    delay: float = 0.0  # seconds before each listing answer
    pages_served: int = 0
    requests: list[str] = field(default_factory=list)


def _page(names: list[str], marker: str, limit: int) -> tuple[list[str], bool]:
    rest = [n for n in sorted(names) if n > marker]
    return rest[:limit], len(rest) > limit


class Handler(http.server.BaseHTTPRequestHandler):
    backend: Backend

    def log_message(self, format: str, *args: object) -> None:
        pass

    def _send(self, code: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(code)
        for key, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
        self.backend.requests.append(self.path)
        if url.path == "/auth/1.0":
            self._auth()
        elif url.path.startswith("/v1/AUTH_lab"):
            self._swift(url.path.removeprefix("/v1/AUTH_lab").strip("/"), query)
        else:
            self._s3(url.path.strip("/"), query)

    def do_POST(self) -> None:
        """Keystone v3 password auth: a token and a catalog naming the Swift account."""
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        self.backend.requests.append(f"POST {self.path}")
        user = body["auth"]["identity"]["password"]["user"]
        if self.path.rstrip("/") != "/v3/auth/tokens" or user["password"] != self.backend.swift_key:
            self._send(401, b'{"error": {"code": 401}}', {"Content-Type": "application/json"})
            return
        url = f"http://{self.headers.get('Host')}/v1/AUTH_lab"
        endpoints = [
            {"id": i, "interface": i, "region": "RegionOne", "region_id": "RegionOne", "url": url}
            for i in ("public", "internal")
        ]
        token = {
            "methods": ["password"],
            "expires_at": "2999-01-01T00:00:00.000000Z",
            "user": {"id": user["name"], "name": user["name"], "domain": {"id": "default"}},
            "project": {"id": "p", "name": "p", "domain": {"id": "default"}},
            "catalog": [{"type": "object-store", "id": "s", "endpoints": endpoints}],
        }
        data = json.dumps({"token": token}).encode()
        self._send(201, data, {"Content-Type": "application/json", "X-Subject-Token": "tok"})

    def _listing_fault(self) -> bool:
        time.sleep(self.backend.delay)
        limit = self.backend.fail_after_pages
        if limit is not None and self.backend.pages_served >= limit:
            self._send(500, b"boom")
            return True
        self.backend.pages_served += 1
        return False

    def _auth(self) -> None:
        if self.headers.get("X-Auth-Key") != self.backend.swift_key:
            self._send(401, b"Unauthorized")
            return
        host = self.headers.get("Host")
        storage = f"http://{host}/v1/AUTH_lab"
        self._send(204, b"", {"X-Auth-Token": "tok", "X-Storage-Url": storage})

    def _swift(self, container: str, query: dict[str, str]) -> None:
        if self.headers.get("X-Auth-Token") != "tok":
            self._send(401, b"Unauthorized")
            return
        if self._listing_fault():
            return
        limit, marker = int(query.get("limit", "10000")), query.get("marker", "")
        if not container:
            names = [c for c in self.backend.containers if c.startswith(query.get("prefix", ""))]
            page, _ = _page(names, marker, limit)
            rows = [{"name": n, "count": 0, "bytes": 0} for n in page]
        elif container not in self.backend.containers:
            self._send(404, b"Not Found")
            return
        else:
            page, _ = _page(self.backend.containers[container], marker, limit)
            rows = [{"name": n, "bytes": 5, "last_modified": STAMP[:-1]} for n in page]
        self._send(200, json.dumps(rows).encode(), {"Content-Type": "application/json"})

    def _s3(self, bucket: str, query: dict[str, str]) -> None:
        if self.backend.s3_denied:
            self._s3_error(403, "SignatureDoesNotMatch")
            return
        if bucket not in self.backend.buckets:
            self._s3_error(404, "NoSuchBucket")
            return
        if self._listing_fault():
            return
        limit = int(query.get("max-keys", "1000"))
        marker = query.get("continuation-token", "")
        page, truncated = _page(self.backend.buckets[bucket], marker, limit)
        contents = "".join(
            f"<Contents><Key>{escape(k)}</Key><LastModified>{STAMP}</LastModified>"
            f"<Size>5</Size></Contents>"
            for k in page
        )
        token = (
            f"<NextContinuationToken>{escape(page[-1])}</NextContinuationToken>"
            if truncated
            else ""
        )
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
            f"<Name>{bucket}</Name><KeyCount>{len(page)}</KeyCount><MaxKeys>{limit}</MaxKeys>"
            f"<IsTruncated>{'true' if truncated else 'false'}</IsTruncated>{token}{contents}"
            "</ListBucketResult>"
        )
        self._send(200, body.encode(), {"Content-Type": "application/xml"})

    def _s3_error(self, code: int, name: str) -> None:
        body = f"<Error><Code>{name}</Code><Message>{name}</Message></Error>"
        self._send(code, body.encode(), {"Content-Type": "application/xml"})


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the timeout tests) is expected


@contextmanager
def serve(backend: Backend) -> Iterator[str]:
    """Run the server for ``backend``; yields its base URL."""
    handler = type("BoundHandler", (Handler,), {"backend": backend})
    server = _Server(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
