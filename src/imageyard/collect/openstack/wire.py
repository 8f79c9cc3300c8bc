"""HTTP/1.1 GETs on plain sockets, for a plain ``http://`` endpoint read at length.

Concepts: a GET through urllib3 costs the client about 0.5 ms of CPU on loopback, of which
the socket work (connect, send, receive, close) is under half: the rest is urllib3's and
http.client's request and response objects and the email package parsing the headers. The
Glance collector sends one GET per shared image, and on a two-core machine running its own
Glance every millisecond the client spends is taken from the server. ``Wire`` sends a GET
as one write of ready-made bytes and reads the answer itself: the status line, the headers
it needs (``Content-Length``, ``Transfer-Encoding``, ``Connection``, ``Content-Encoding``),
a body delimited by its length, chunked, or by the end of the connection. A connection the
server keeps open (HTTP/1.1 without ``Connection: close``, body fully read) goes back to a
pool of idle ones (at most ``most``); one reused after the server dropped it (nothing, or a
reset, before any byte of the answer) is replaced by a new one once. Anything this reader does
not take as it is (a compressed body, a transfer coding other than chunked, a malformed
answer) raises ``Unsupported`` before anything is returned, and the caller sends that GET
its usual way. TLS is left to urllib3: only plain ``http`` comes here.
"""

from __future__ import annotations

import socket
import threading
from dataclasses import dataclass

from imageyard import __version__

_HEAD_END = b"\r\n\r\n"
_MAX_HEAD = 65536  # bytes of status line and headers at the most
_READ = 65536
_NO_BODY = frozenset({204, 304})
# what may appear in a request target or header sent as it is (anything else: Unsupported)
_SAFE = frozenset(range(0x21, 0x7F))
USER_AGENT = f"imageyard/{__version__}"


class Unsupported(Exception):
    """An answer (or a request) this reader does not handle; send the GET another way."""


class Dropped(OSError):
    """The server closed the connection before any byte of the answer."""


@dataclass(frozen=True)
class Answer:
    """One response: status, reason phrase and the whole body."""

    status: int
    reason: str | None
    body: bytes


@dataclass
class _Head:
    status: int
    reason: str | None
    headers: dict[str, str]
    rest: bytes  # body bytes received with the head
    version: str


class Wire:
    """GETs to one ``host:port`` over plain sockets, idle connections kept for reuse."""

    def __init__(
        self, host: str, port: int, timeout: tuple[float | None, float | None], most: int
    ) -> None:
        self._address = (host, port)
        name = f"[{host}]" if ":" in host else host
        self._host = name if port == 80 else f"{name}:{port}"  # as http.client writes it
        self._connect_timeout, self._read_timeout = timeout
        self._most = most
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()

    def get(self, target: str, headers: dict[str, str]) -> Answer:
        """The answer to ``GET target``; raises ``OSError`` (``TimeoutError`` included) when
        no answer came, ``Unsupported`` when the answer is not one this reader takes."""
        request = self._request(target, headers)
        conn, reused = self._take()
        try:
            answer, keep = _closing(conn, request)
        except Dropped:
            if not reused:
                raise
            conn = self._connect()  # the server had closed the idle one: once more, anew
            answer, keep = _closing(conn, request)
        self._give_back(conn, keep)
        return answer

    def close(self) -> None:
        """Close the idle connections."""
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()

    def _request(self, target: str, headers: dict[str, str]) -> bytes:
        lines = [f"GET {target} HTTP/1.1", f"Host: {self._host}", "Accept-Encoding: identity",
                 f"User-Agent: {USER_AGENT}"]  # fmt: skip
        lines += [f"{name}: {value}" for name, value in headers.items()]
        text = "\r\n".join(lines) + "\r\n\r\n"
        if not _sendable(target, headers):
            raise Unsupported("a request target or header this client does not send as is")
        return text.encode("ascii")

    def _take(self) -> tuple[socket.socket, bool]:
        with self._lock:
            if self._idle:
                return self._idle.pop(), True
        return self._connect(), False

    def _connect(self) -> socket.socket:
        conn = socket.create_connection(self._address, timeout=self._connect_timeout)
        conn.settimeout(self._read_timeout)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return conn

    def _give_back(self, conn: socket.socket, keep: bool) -> None:
        if keep:
            with self._lock:
                if len(self._idle) < self._most:
                    self._idle.append(conn)
                    return
        conn.close()


def _sendable(target: str, headers: dict[str, str]) -> bool:
    """Only printable ASCII without spaces in the target, none of CR, LF in headers."""
    if not target.isascii() or not _SAFE.issuperset(target.encode()):
        return False
    text = "".join(f"{name}{value}" for name, value in headers.items())
    return text.isascii() and "\r" not in text and "\n" not in text


def _closing(conn: socket.socket, request: bytes) -> tuple[Answer, bool]:
    """``_exchange``, the connection closed when it fails."""
    try:
        return _exchange(conn, request)
    except BaseException:
        conn.close()
        raise


def _exchange(conn: socket.socket, request: bytes) -> tuple[Answer, bool]:
    """Send ``request`` and read its answer; also whether the connection may be reused."""
    try:
        conn.sendall(request)
    except (BrokenPipeError, ConnectionResetError) as exc:
        raise Dropped(str(exc)) from exc
    head = _read_head(conn, b"", fresh=True)
    while 100 <= head.status < 200:  # an interim answer (103 Early Hints): the real one follows
        head = _read_head(conn, head.rest, fresh=False)
    body, delimited = _read_body(conn, head)
    keep = delimited and head.version == "HTTP/1.1" and not _closes(head.headers)
    return Answer(head.status, head.reason, body), keep


def _read_head(conn: socket.socket, start: bytes, fresh: bool) -> _Head:
    """The status line and headers (``fresh``: nothing of the answer received yet)."""
    data = bytearray(start)
    while (end := data.find(_HEAD_END)) < 0:
        if len(data) > _MAX_HEAD:
            raise Unsupported("response headers too long")
        chunk = _recv(conn, first=fresh and not data)
        if not chunk:
            raise Unsupported("connection closed inside the response headers")
        data += chunk
    if end > _MAX_HEAD:
        raise Unsupported("response headers too long")
    return _parse_head(bytes(data[:end]), bytes(data[end + len(_HEAD_END) :]))


def _recv(conn: socket.socket, first: bool) -> bytes:
    """Bytes from ``conn``; a reset before the answer's first byte is ``Dropped``."""
    try:
        chunk = conn.recv(_READ)
    except ConnectionResetError as exc:
        if not first:
            raise
        raise Dropped(str(exc)) from exc
    if first and not chunk:
        raise Dropped("connection closed before the answer")
    return chunk


def _parse_head(raw: bytes, rest: bytes) -> _Head:
    lines = raw.decode("latin-1").split("\r\n")
    version, _, tail = lines[0].partition(" ")
    code, _, reason = tail.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise Unsupported(f"not an HTTP/1.x status line: {lines[0][:80]!r}")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(":")
        if not colon or name != name.strip() or not name:
            raise Unsupported(f"malformed response header: {line[:80]!r}")
        key = name.lower()
        if key in headers and key in ("content-length", "transfer-encoding"):
            raise Unsupported(f"repeated {name} header")
        headers[key] = value.strip()
    return _Head(int(code), reason.strip() or None, headers, rest, version)


def _closes(headers: dict[str, str]) -> bool:
    tokens = headers.get("connection", "").lower().split(",")
    return "close" in (t.strip() for t in tokens)


def _read_body(conn: socket.socket, head: _Head) -> tuple[bytes, bool]:
    """The body and whether it ended where its framing said, nothing after it (so the
    connection can carry another GET)."""
    coding = head.headers.get("content-encoding", "identity").strip().lower()
    if coding not in ("", "identity"):
        raise Unsupported(f"a body in content-encoding {coding}")
    if head.status in _NO_BODY:
        return b"", True
    transfer = head.headers.get("transfer-encoding")
    if transfer is not None:
        if transfer.strip().lower() != "chunked":
            raise Unsupported(f"transfer-encoding {transfer}")
        chunked = _Chunked(conn, head.rest)
        return chunked.read(), not chunked.left
    length = head.headers.get("content-length")
    if length is not None:
        if not length.isdigit():
            raise Unsupported(f"content-length {length!r}")
        return _exactly(conn, head.rest, int(length)), len(head.rest) <= int(length)
    return _to_end(conn, head.rest), False


def _exactly(conn: socket.socket, start: bytes, size: int) -> bytes:
    """``size`` bytes of body (``start`` received already; anything beyond is dropped)."""
    if len(start) >= size:
        return start[:size]
    data = bytearray(start)
    while len(data) < size:
        chunk = conn.recv(min(size - len(data), 1 << 20))
        if not chunk:
            raise ConnectionResetError("connection closed inside the response body")
        data += chunk
    return bytes(data)


def _to_end(conn: socket.socket, start: bytes) -> bytes:
    data = bytearray(start)
    while chunk := conn.recv(_READ):
        data += chunk
    return bytes(data)


class _Chunked:
    """A chunked body (RFC 9112 section 7.1): size lines, data, trailers."""

    def __init__(self, conn: socket.socket, start: bytes) -> None:
        self._conn = conn
        self._buffer = bytearray(start)

    def read(self) -> bytes:
        body = bytearray()
        while size := self._size():
            body += self._take(size)
            if self._take(2) != b"\r\n":
                raise Unsupported("malformed chunk")
        while self._line():  # trailer fields, up to the empty line
            pass
        return bytes(body)

    @property
    def left(self) -> int:
        """Bytes received beyond the body's end."""
        return len(self._buffer)

    def _size(self) -> int:
        text = self._line().split(";", 1)[0].strip()
        try:
            return int(text, 16)
        except ValueError:
            raise Unsupported(f"malformed chunk size {text[:20]!r}") from None

    def _line(self) -> str:
        while (end := self._buffer.find(b"\r\n")) < 0:
            if len(self._buffer) > _MAX_HEAD:
                raise Unsupported("chunk line too long")
            self._fill()
        line = bytes(self._buffer[:end]).decode("latin-1")
        del self._buffer[: end + 2]
        return line

    def _take(self, size: int) -> bytes:
        while len(self._buffer) < size:
            self._fill()
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def _fill(self) -> None:
        chunk = self._conn.recv(_READ)
        if not chunk:
            raise ConnectionResetError("connection closed inside a chunked body")
        self._buffer += chunk
