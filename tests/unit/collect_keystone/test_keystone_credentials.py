"""Credentials Keystone refuses end ``collect`` with one line; an unreachable one does not."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from imageyard.collect.openstack import check_credentials
from imageyard.errors import ExitCode, ImageyardError

PASSWORD = "refused-password-0001"


class _Refusing(BaseHTTPRequestHandler):
    """A Keystone that knows v3 and refuses every password."""

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _json(self, code: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        href = f"http://127.0.0.1:{self.server.server_address[1]}/v3/"
        version = {"id": "v3.14", "status": "stable", "links": [{"rel": "self", "href": href}]}
        self._json(200, {"version": version})

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        error = {
            "code": 401,
            "title": "Unauthorized",
            "message": "The request you have made requires authentication.",
        }
        self._json(401, {"error": error}, {"WWW-Authenticate": "Keystone uri='x'"})


@pytest.fixture
def keystone() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refusing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v3"
    server.shutdown()
    server.server_close()


def _os_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object, auth_url: str) -> None:
    for key, value in {
        "OS_AUTH_URL": auth_url,
        "OS_USERNAME": "admin",
        "OS_PASSWORD": PASSWORD,
        "OS_PROJECT_NAME": "admin",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_IDENTITY_API_VERSION": "3",
        "HOME": str(tmp_path),
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "OS_AUTH_TOKEN", "OS_AUTH_TYPE"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")


def test_refused_credentials_are_one_error(
    keystone: str, monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    _os_env(monkeypatch, tmp_path, keystone)
    with pytest.raises(ImageyardError) as err:
        check_credentials(None)
    assert err.value.exit_code == ExitCode.ERROR
    assert err.value.message.startswith("Keystone refused the credentials of the OS_* variables")
    assert "\n" not in err.value.message and PASSWORD not in err.value.message


def test_an_unreachable_keystone_is_left_to_the_sources(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    _os_env(monkeypatch, tmp_path, f"http://127.0.0.1:{port}/v3")
    assert check_credentials(None) is None
