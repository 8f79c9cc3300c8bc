"""``wire``: GETs on plain sockets, against a scripted loopback server that answers each
request with exactly the bytes a test gives (length-delimited, chunked, to the end of the
connection, interim answers, keep-alive or not, servers that drop idle connections)."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest

from imageyard.collect.glance import glance_http
from imageyard.collect.openstack import Failure, HttpError, RetryPolicy
from imageyard.collect.openstack.wire import Dropped, Unsupported, Wire

TIMEOUT = (2.0, 2.0)
# (an answer's bytes, whether the server closes the connection after sending them)
Script = Callable[[str], tuple[bytes, bool]]


@dataclass
class Scripted:
    """A loopback server answering each request with ``script(target)``; it counts the
    connections it accepted and records each request's head."""

    script: Script
    heads: list[str] = field(default_factory=list)
    accepted: int = 0
    clients: list[Wire] = field(default_factory=list)  # closed with the server

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self._threads: list[threading.Thread] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            thread = threading.Thread(target=self._serve, args=(conn,), daemon=True)
            self._threads.append(thread)
            thread.start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            data = b""
            while True:
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                head, _, data = data.partition(b"\r\n\r\n")
                self.heads.append(head.decode())
                answer, close = self.script(head.decode().split(" ")[1])
                conn.sendall(answer)
                if close:
                    return

    def close(self) -> None:
        """Stop listening (a shutdown ends the accept in progress; a close alone would not)."""
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)
        self.sock.close()
        for wire in self.clients:
            wire.close()


@pytest.fixture
def serve() -> Iterator[Callable[[Script], Scripted]]:
    servers: list[Scripted] = []

    def start(script: Script) -> Scripted:
        servers.append(Scripted(script))
        return servers[-1]

    yield start
    for server in servers:
        server.close()


def _wire(server: Scripted, timeout: tuple[float, float] = TIMEOUT) -> Wire:
    server.clients.append(Wire("127.0.0.1", server.port, timeout, most=4))
    return server.clients[-1]


def _sized(body: bytes, *headers: str, status: str = "200 OK") -> bytes:
    head = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def _chunked(body: bytes, size: int, trailer: str = "") -> bytes:
    pieces = [body[i : i + size] for i in range(0, len(body), size)]
    out = [b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"]
    out += [f"{len(piece):x};ext=1\r\n".encode() + piece + b"\r\n" for piece in pieces]
    return b"".join([*out, b"0\r\n", trailer.encode(), b"\r\n"])


BODIES = [b"", b"{}", json.dumps({"members": [{"member_id": "p\u00e9"}]}).encode(),
          "\u00e9t\u00e9 \u2603 \r\n\r\n 0\r\n".encode(), bytes(range(256)) * 300]  # fmt: skip


@pytest.mark.parametrize("body", BODIES)
def test_a_sized_answer_is_read_and_its_connection_kept(serve: Callable, body: bytes) -> None:
    server = serve(lambda target: (_sized(body, "Content-Type: application/json"), False))
    wire = _wire(server)
    first, second = wire.get("/v2/a", {}), wire.get("/v2/b", {})
    assert (first.status, first.reason, first.body) == (200, "OK", body)
    assert second.body == body
    assert server.accepted == 1  # the second GET went on the first one's connection


@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("size", [1, 7, 4096])
def test_a_chunked_answer_is_joined(serve: Callable, body: bytes, size: int) -> None:
    server = serve(lambda target: (_chunked(body, size, "X-Trailer: t\r\n"), False))
    wire = _wire(server)
    assert wire.get("/v2/a", {}).body == body
    assert wire.get("/v2/a", {}).body == body
    assert server.accepted == 1


def test_an_answer_read_to_the_end_of_its_connection_closes_it(serve: Callable) -> None:
    server = serve(lambda target: (b"HTTP/1.1 200 OK\r\n\r\n" + target.encode(), True))
    wire = _wire(server)
    assert wire.get("/v2/a", {}).body == b"/v2/a"
    assert wire.get("/v2/b", {}).body == b"/v2/b"
    assert server.accepted == 2


@pytest.mark.parametrize(
    "answer",
    [
        _sized(b"x", "Connection: close"),
        _sized(b"x", "Connection: Keep-Alive, Close"),
        b"HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx",
    ],
)
def test_a_connection_the_server_closes_is_not_reused(serve: Callable, answer: bytes) -> None:
    """(The server keeps serving the connection anyway: a reuse would show.)"""
    server = serve(lambda target: (answer, False))
    wire = _wire(server)
    assert [wire.get("/v2/a", {}).body for _ in range(3)] == [b"x"] * 3
    assert server.accepted == 3


@pytest.mark.parametrize("answer", [_sized(b"x") + b"JUNK", _chunked(b"x", 1) + b"JUNK"])
def test_a_connection_with_bytes_past_the_body_is_not_reused(
    serve: Callable, answer: bytes
) -> None:
    """(The server keeps serving the connection: a reuse would read the junk as an answer.)"""
    server = serve(lambda target: (answer, False))
    wire = _wire(server)
    assert [wire.get("/v2/a", {}).body for _ in range(2)] == [b"x"] * 2
    assert server.accepted == 2


def test_an_interim_answer_is_passed_over(serve: Callable) -> None:
    early = b"HTTP/1.1 103 Early Hints\r\nLink: </x>; rel=preload\r\n\r\n"
    server = serve(lambda target: (early + _sized(b"done"), False))
    answer = _wire(server).get("/v2/a", {})
    assert (answer.status, answer.body) == (200, b"done")


def test_no_content_has_no_body_and_keeps_the_connection(serve: Callable) -> None:
    server = serve(lambda target: (b"HTTP/1.1 204 No Content\r\n\r\n", False))
    wire = _wire(server)
    assert [(a.status, a.reason, a.body) for a in (wire.get("/a", {}), wire.get("/b", {}))] == [
        (204, "No Content", b"")
    ] * 2
    assert server.accepted == 1


def test_an_idle_connection_the_server_dropped_is_replaced_once(serve: Callable) -> None:
    """The server says nothing of closing, but closes after each answer (an idle timeout):
    the next GET finds the kept connection dead and is sent again on a new one."""
    server = serve(lambda target: (_sized(target.encode()), True))
    wire = _wire(server)
    assert wire.get("/v2/a", {}).body == b"/v2/a"
    assert wire.get("/v2/b", {}).body == b"/v2/b"
    assert server.accepted == 2
    lines = [head.split("\r\n")[0] for head in server.heads]
    assert lines == ["GET /v2/a HTTP/1.1", "GET /v2/b HTTP/1.1"]


def test_a_new_connection_closed_before_the_answer_is_an_error(serve: Callable) -> None:
    server = serve(lambda target: (b"", True))
    with pytest.raises(Dropped):
        _wire(server).get("/v2/a", {})
    assert server.accepted == 1  # not sent again: the server may have acted on it


@pytest.mark.parametrize(
    "answer",
    [
        _sized(gzip.compress(b"{}"), "Content-Encoding: gzip"),
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
        b"ICY 200 OK\r\n\r\n",
        b"HTTP/1.1 2000 OK\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nx",
        b"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nX-Big: " + b"y" * 70000 + b"\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    ],
)
def test_an_answer_it_does_not_take_is_unsupported(serve: Callable, answer: bytes) -> None:
    server = serve(lambda target: (answer, True))
    with pytest.raises(Unsupported):
        _wire(server).get("/v2/a", {})


@pytest.mark.parametrize(
    ("target", "headers"),
    [
        ("/v2/a b", {}),
        ("/v2/\u00e9", {}),
        ("/v2/a", {"X-Auth-Token": "t\r\nX-Evil: 1"}),
        ("/v2/a", {"X-Auth-Token": "t\u00e9"}),
    ],
)
def test_a_request_it_cannot_send_as_is_is_unsupported_and_not_sent(
    serve: Callable, target: str, headers: dict[str, str]
) -> None:
    server = serve(lambda target: (_sized(b"x"), False))
    with pytest.raises(Unsupported):
        _wire(server).get(target, headers)
    assert server.accepted == 0


def test_the_request_carries_host_headers_and_no_body(serve: Callable) -> None:
    server = serve(lambda target: (_sized(b"x"), False))
    _wire(server).get("/v2/images?limit=1", {"Accept": "application/json", "X-Auth-Token": "t"})
    [head] = server.heads
    lines = head.split("\r\n")
    assert lines[0] == "GET /v2/images?limit=1 HTTP/1.1"
    assert f"Host: 127.0.0.1:{server.port}" in lines
    assert {"Accept: application/json", "X-Auth-Token: t", "Accept-Encoding: identity"} <= set(
        lines
    )


def test_a_silent_server_is_a_timeout(serve: Callable) -> None:
    quiet = threading.Event()
    server = serve(lambda target: (b"", quiet.wait(5)))
    wire = _wire(server, (2.0, 0.3))
    try:
        with pytest.raises(TimeoutError):
            wire.get("/v2/a", {})
    finally:
        quiet.set()


# ---------------------------------------------------------------- through SdkJsonHttp
def _glance(answers: Callable[[str], bytes]) -> Script:
    """A Glance root (version discovery) plus ``answers`` for everything under /v2/."""

    def script(target: str) -> tuple[bytes, bool]:
        if target in ("/", "/versions"):
            doc = {"versions": [{"id": "v2.16", "status": "CURRENT", "links": [
                {"rel": "self", "href": f"http://127.0.0.1:{ports[0]}/v2/"}]}]}  # fmt: skip
            return _sized(json.dumps(doc).encode(), status="300 Multiple Choices"), False
        return answers(target), False

    ports: list[int] = []
    script.ports = ports  # type: ignore[attr-defined]
    return script


def _http(serve: Callable, answers: Callable[[str], bytes]) -> tuple[Scripted, object]:
    script = _glance(answers)
    server = serve(script)
    script.ports.append(server.port)  # type: ignore[attr-defined]
    policy = RetryPolicy(attempts=1, timeout=TIMEOUT)
    return server, glance_http(endpoint=f"http://127.0.0.1:{server.port}", policy=policy)


def test_a_compressed_answer_is_fetched_again_by_urllib3_and_decoded(serve: Callable) -> None:
    body = json.dumps({"members": [{"member_id": "p\u00e9", "status": "accepted"}]}).encode()
    server, http = _http(serve, lambda t: _sized(gzip.compress(body), "Content-Encoding: gzip"))
    assert http.get_json("/images/x/members") == json.loads(body)  # type: ignore[attr-defined]
    members = [h for h in server.heads if "/members" in h]
    assert len(members) == 2  # once on the wire, then by urllib3
    assert "imageyard/" in members[0] and "imageyard/" not in members[1]


def test_the_same_json_by_wire_in_any_framing(serve: Callable) -> None:
    body = json.dumps({"members": [{"member_id": "\u00e9\u2603", "status": "pending"}]}).encode()
    framings = iter([_sized(body), _chunked(body, 5), _sized(body, "Connection: close")])
    server, http = _http(serve, lambda t: next(framings))
    got = [http.get_json("/images/x/members") for _ in range(3)]  # type: ignore[attr-defined]
    assert got == [json.loads(body)] * 3
    assert all("imageyard/" in h for h in server.heads if "/members" in h)


def test_a_refused_connection_is_a_connection_failure(serve: Callable) -> None:
    server, http = _http(serve, lambda t: _sized(b"{}"))
    http.endpoint()  # type: ignore[attr-defined]  (discovery done while the server is up)
    server.close()
    with pytest.raises(HttpError) as caught:
        http.get_json("/images/x/members")  # type: ignore[attr-defined]
    assert caught.value.kind is Failure.CONNECTION and "connection refused" in caught.value.brief
