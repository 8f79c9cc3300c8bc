"""One bounded look at an HTTP(S) endpoint before a collector spends retries on it.

Concepts: ``probe(url, timeouts)`` resolves the host, connects, does the TLS handshake for
``https://`` and waits for the first bytes of an answer to one ``GET /``, each step bounded
by ``Timeouts``. It returns None when an HTTP answer arrived, else one line naming the
endpoint and the cause: DNS, refused, connect timeout, TLS failure or timeout (typically
``https://`` against a plain-HTTP port), no answer, or an answer that is not HTTP (e.g. a
TLS alert to ``http://``). When a proxy applies to the URL the probe is skipped (None),
since only the proxy can reach it. The probe never verifies certificates (the SDK does
that, and says so in its own error); it only tells a dead endpoint from a live one.
"""

from __future__ import annotations

import socket
import ssl
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlsplit

DEFAULT_CONNECT_TIMEOUT = 10.0
DEFAULT_READ_TIMEOUT = 60.0


@dataclass(frozen=True)
class Timeouts:
    """Seconds to wait for a connection, and for each read once connected."""

    connect: float = DEFAULT_CONNECT_TIMEOUT
    read: float = DEFAULT_READ_TIMEOUT

    @property
    def pair(self) -> tuple[float, float]:
        """As requests takes it: ``(connect, read)``."""
        return (self.connect, self.read)


def _proxied(url: str, host: str) -> bool:
    proxies = urllib.request.getproxies()
    scheme = urlsplit(url).scheme
    return scheme in proxies and not urllib.request.proxy_bypass(host)


def _connect(url: str, host: str, port: int, timeouts: Timeouts) -> socket.socket | str:
    try:
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        return f"{url}: DNS: cannot resolve {host} ({getattr(exc, 'strerror', None) or exc})"
    try:
        return socket.create_connection((host, port), timeout=timeouts.connect)
    except ConnectionRefusedError:
        return f"{url}: connection refused"
    except TimeoutError:
        return f"{url}: connect timed out after {timeouts.connect:g}s"
    except OSError as exc:
        return f"{url}: cannot connect ({exc.strerror or type(exc).__name__})"


def _tls(url: str, sock: socket.socket, host: str, timeouts: Timeouts) -> socket.socket | str:
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    hint = "; is it a plain http:// endpoint?"
    try:
        return context.wrap_socket(sock, server_hostname=host)
    except TimeoutError:
        return f"{url}: TLS handshake timed out after {timeouts.read:g}s{hint}"
    except ssl.SSLError as exc:
        return f"{url}: TLS handshake failed ({exc.reason or exc}){hint}"
    except OSError as exc:
        return f"{url}: TLS handshake failed ({exc.strerror or type(exc).__name__}){hint}"


def _answer(url: str, sock: socket.socket, host: str, timeouts: Timeouts) -> str | None:
    try:
        sock.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode("ascii", "replace"))
        first = sock.recv(8)
    except TimeoutError:
        return f"{url}: connected, but no answer within {timeouts.read:g}s"
    except OSError as exc:
        return f"{url}: connection failed ({exc.strerror or type(exc).__name__})"
    if not first:
        return f"{url}: closed the connection without answering"
    if first[:1] == b"\x15":
        return f"{url}: the server speaks TLS; use https://"
    if not first.startswith(b"HTTP/"):
        return f"{url}: answered, but not with HTTP"
    return None


def probe(url: str, timeouts: Timeouts) -> str | None:
    """None when ``url`` answers HTTP within ``timeouts``, else the one-line cause."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        return f"{url}: not a valid URL ({exc})"
    if not host:
        return f"{url}: no host"
    if _proxied(url, host):
        return None
    sock = _connect(url, host, port, timeouts)
    if isinstance(sock, str):
        return sock
    sock.settimeout(timeouts.read)
    if parts.scheme == "https":
        wrapped = _tls(url, sock, host, timeouts)
        if isinstance(wrapped, str):
            sock.close()
            return wrapped
        sock = wrapped
    with sock:
        return _answer(url, sock, host, timeouts)
