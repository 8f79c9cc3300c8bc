"""Lab-only fake Keystone v3 in front of radosgw's Swift v1 auth.

glance_store 5.x's swift driver speaks Keystone v3 only, radosgw's built-in Swift auth is v1.
``POST /v3/auth/tokens`` with password auth (user U, password K, project P) becomes
``GET <rgw>/auth/1.0`` with ``X-Auth-User: P:U`` / ``X-Auth-Key: K``; the radosgw token comes
back as ``X-Subject-Token`` and radosgw's ``X-Storage-Url`` as the object-store endpoint of the
catalog. Binds 127.0.0.1 only. Usage: ``python imageyard_lab_keystone.py PORT RGW_URL``.
Never deploy this.
"""

from __future__ import annotations

import datetime
import json
import sys
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RGW = "http://127.0.0.1:7480"
# loopback only: never route the radosgw call through an HTTP proxy from the environment
OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write("fake-keystone: " + format % args + "\n")

    def _send(self, code: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        base = "http://{}/v3/".format(self.headers.get("Host"))
        v3 = {
            "id": "v3.14",
            "status": "stable",
            "updated": "2020-01-01T00:00:00Z",
            "links": [{"rel": "self", "href": base}],
            "media-types": [
                {"base": "application/json", "type": "application/vnd.openstack.identity-v3+json"}
            ],
        }
        if self.path.rstrip("/") == "/v3":
            self._send(200, {"version": v3})
        else:
            self._send(300, {"versions": {"values": [v3]}})

    def do_POST(self) -> None:
        if self.path.rstrip("/") != "/v3/auth/tokens":
            self._send(404, {"error": {"code": 404, "message": "not found"}})
            return
        length = int(self.headers.get("Content-Length", 0))
        req = json.loads(self.rfile.read(length) or b"{}")
        auth = req.get("auth", {})
        user = auth.get("identity", {}).get("password", {}).get("user", {})
        project = auth.get("scope", {}).get("project", {}).get("name") or ""
        rgw_req = urllib.request.Request(
            RGW + "/auth/1.0",
            headers={
                "X-Auth-User": "{}:{}".format(project, user.get("name")),
                "X-Auth-Key": user.get("password", ""),
            },
        )
        try:
            with OPENER.open(rgw_req, timeout=10) as resp:
                token = resp.headers["X-Auth-Token"]
                storage = resp.headers["X-Storage-Url"]
        except (urllib.error.URLError, OSError) as exc:  # bad credentials, rgw down
            self._send(401, {"error": {"code": 401, "message": str(exc)}})
            return
        now = datetime.datetime.now(datetime.UTC)
        fmt = "%Y-%m-%dT%H:%M:%S.000000Z"
        domain = {"id": "default", "name": "Default"}
        endpoints = [
            {
                "id": "ep-" + iface,
                "interface": iface,
                "region": "RegionOne",
                "region_id": "RegionOne",
                "url": storage,
            }
            for iface in ("public", "internal", "admin")
        ]
        body = {
            "token": {
                "methods": ["password"],
                "issued_at": now.strftime(fmt),
                "expires_at": (now + datetime.timedelta(hours=12)).strftime(fmt),
                "user": {"id": user.get("name"), "name": user.get("name"), "domain": domain},
                "project": {"id": project, "name": project, "domain": domain},
                "roles": [{"id": "admin", "name": "admin"}],
                "catalog": [
                    {
                        "id": "swift",
                        "type": "object-store",
                        "name": "swift",
                        "endpoints": endpoints,
                    }
                ],
            }
        }
        self._send(201, body, {"X-Subject-Token": token})


def main(argv: list[str]) -> None:
    global RGW
    port = int(argv[1]) if len(argv) > 1 else 5050
    if len(argv) > 2:
        RGW = argv[2].rstrip("/")
    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    main(sys.argv)
