"""SdkJsonHttp's direct GETs against a loopback server: what is sent directly, and what is
left to keystoneauth (a 401, a redirect, a proxy)."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from imageyard.collect.glance import glance_http
from imageyard.collect.openstack import Failure, HttpError, RetryPolicy

FAST = RetryPolicy(attempts=1, timeout=(2.0, 0.5))


@dataclass
class Seen:
    """What the server received: (request target, User-Agent, X-Auth-Token) per GET."""

    requests: list[tuple[str, str, str]] = field(default_factory=list)
    unauthorized_once: set[str] = field(default_factory=set)  # paths answered 401 first
    stall: bool = False
    release: threading.Event = field(default_factory=threading.Event)  # ends a stall


def _handler(seen: Seen) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.requests.append(
                (
                    self.path,
                    self.headers.get("User-Agent", ""),
                    self.headers.get("X-Auth-Token", ""),
                )
            )
            if seen.stall and "/members" in self.path:
                seen.release.wait(10)
            path = self.path.split("://", 1)[-1]
            path = path[path.find("/") :] if "://" in self.path else path
            if path in seen.unauthorized_once:
                seen.unauthorized_once.discard(path)
                return self._answer(401, {"error": {"message": "token expired"}})
            if path == "/v2/moved":
                self.send_response(307)
                self.send_header("Location", f"http://{self.headers['Host']}/v2/images/x/members")
                self.send_header("Content-Length", "0")
                return self.end_headers()
            if path.startswith("/v2/images/x/members"):
                return self._answer(200, {"members": [{"member_id": "p1", "status": "accepted"}]})
            if path in ("/", "/versions"):
                root = f"http://{self.headers['Host']}"
                version = {"id": "v2.16", "status": "CURRENT",
                           "links": [{"rel": "self", "href": f"{root}/v2/"}]}  # fmt: skip
                return self._answer(300 if path == "/" else 200, {"versions": [version]})
            return self._answer(404, {"error": {"message": "no such thing"}})

        def _answer(self, status: int, body: object) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = False  # server_close waits for every handler: none outlives its test

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # a client that gave up (the timeout test) is no error of the server


@pytest.fixture
def server() -> Iterator[tuple[str, Seen]]:
    seen = Seen()
    httpd = _Server(("127.0.0.1", 0), _handler(seen))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", seen
    seen.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy",
                 "ALL_PROXY", "no_proxy", "NO_PROXY"):  # fmt: skip
        monkeypatch.delenv(name, raising=False)


def _members(seen: Seen) -> list[tuple[str, str, str]]:
    return [r for r in seen.requests if "/members" in r[0] or "/moved" in r[0]]


def test_a_get_goes_directly_in_origin_form_with_the_token(server: tuple[str, Seen]) -> None:
    url, seen = server
    http = glance_http(endpoint=url, policy=FAST, token="secret-token")
    assert http.get_json("/images/x/members", {"member_status": "all"})["members"][0] == {
        "member_id": "p1", "status": "accepted"
    }  # fmt: skip
    [(target, agent, token)] = _members(seen)
    assert target == "/v2/images/x/members?member_status=all"
    assert token == "secret-token"
    assert "keystoneauth" not in agent  # not sent by keystoneauth's session


def test_a_401_is_asked_again_through_keystoneauth(server: tuple[str, Seen]) -> None:
    url, seen = server
    seen.unauthorized_once.add("/v2/images/x/members")
    http = glance_http(endpoint=url, policy=FAST)
    assert http.get_json("/images/x/members")["members"][0]["member_id"] == "p1"
    first, second = _members(seen)
    assert first[0] == second[0] == "/v2/images/x/members"
    assert "keystoneauth" not in first[1] and "keystoneauth" in second[1]


def test_a_redirect_is_followed_by_keystoneauth(server: tuple[str, Seen]) -> None:
    url, seen = server
    http = glance_http(endpoint=url, policy=FAST)
    assert http.get_json("/moved")["members"][0]["status"] == "accepted"
    assert [r[0] for r in _members(seen)] == ["/v2/moved", "/v2/moved", "/v2/images/x/members"]


def test_an_error_status_is_an_http_error_with_the_message(server: tuple[str, Seen]) -> None:
    url, _ = server
    http = glance_http(endpoint=url, policy=FAST)
    with pytest.raises(HttpError) as caught:
        http.get_json("/images/nope")
    assert caught.value.status == 404 and "no such thing" in caught.value.brief


def test_a_stalled_answer_is_a_timeout(server: tuple[str, Seen]) -> None:
    url, seen = server
    seen.stall = True
    http = glance_http(endpoint=url, policy=FAST)
    with pytest.raises(HttpError) as caught:
        http.get_json("/images/x/members")
    assert caught.value.kind is Failure.TIMEOUT and "timed out" in caught.value.brief


def test_an_endpoint_behind_a_proxy_keeps_keystoneauth(
    server: tuple[str, Seen], monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy, seen = server  # the server plays the proxy: it sees absolute-form targets
    monkeypatch.setenv("http_proxy", proxy)
    http = glance_http(endpoint="http://glance.invalid:9292", policy=FAST)
    assert http.get_json("/images/x/members")["members"][0]["member_id"] == "p1"
    targets = [r[0] for r in _members(seen)]
    assert targets == ["http://glance.invalid:9292/v2/images/x/members"]


def test_many_gets_at_once_keep_their_connections_for_the_next() -> None:
    """Against a keep-alive server, 24 GETs in flight together and 24 more afterwards use
    24 connections: none is closed for want of room in the pool (requests keeps ten)."""
    seen = Seen()
    ports: list[int] = []
    handler = _handler(seen)

    class KeepAlive(handler):  # type: ignore[misc,valid-type]
        protocol_version = "HTTP/1.1"
        timeout = 5  # an idle kept connection ends, so the server can close

        def do_GET(self) -> None:
            ports.append(self.client_address[1])
            super().do_GET()

    keep = _Server(("127.0.0.1", 0), KeepAlive)
    threading.Thread(target=keep.serve_forever, daemon=True).start()
    try:
        http = glance_http(endpoint=f"http://127.0.0.1:{keep.server_address[1]}",
                           policy=RetryPolicy(attempts=1, timeout=(2.0, 20.0)))  # fmt: skip
        http.get_json("/images/x/members")  # discovery done, one connection made
        seen.stall = True  # the member GETs wait until all 24 are in
        with ThreadPoolExecutor(24) as pool:
            jobs = [pool.submit(http.get_json, "/images/x/members") for _ in range(24)]
            while len(_members(seen)) < 25 and not any(job.done() for job in jobs):
                seen.release.wait(0.01)
            seen.release.set()
            assert all(job.result()["members"] for job in jobs)
            seen.stall = False
            assert all(r["members"] for r in pool.map(
                lambda _: http.get_json("/images/x/members"), range(24)))  # fmt: skip
        assert len(_members(seen)) == 49
        assert len(set(ports[-48:])) == 24  # the second 24 reused the first 24's connections
    finally:
        seen.release.set()
        keep.shutdown()
        keep.server_close()
