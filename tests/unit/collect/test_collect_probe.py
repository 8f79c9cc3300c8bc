"""The endpoint probe against loopback servers: refusing, silent, TLS-mismatched, live."""

from __future__ import annotations

import http.server
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.collect.openstack.probe import Timeouts, probe
from imageyard.errors import ExitCode
from imageyard.model.snapshot import read_inventory

FAST = Timeouts(connect=2, read=0.5)
FIXTURES = Path(__file__).parents[2] / "fixtures" / "configs"


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def silent() -> Iterator[str]:
    """Accepts connections (the kernel does) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture
def refused() -> Iterator[str]:
    """A port bound but not listening: connections are refused, and no other server can take it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield f"127.0.0.1:{sock.getsockname()[1]}"


class _Quiet(http.server.BaseHTTPRequestHandler):
    timeout = 5  # a client that sent half a request and went quiet cannot hold the server

    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    """Its request threads are joined when it closes, and they print nothing: a TLS hello
    it cannot read must not land, late, in a later test's captured stderr."""

    daemon_threads = False

    def handle_error(self, request: object, client_address: object) -> None:
        pass


@pytest.fixture
def live() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def not_http() -> Iterator[str]:
    """Answers every connection with a line that is not HTTP."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)

    def serve() -> None:
        while True:
            try:
                conn, _ = sock.accept()
            except OSError:
                return
            with conn:
                conn.sendall(b"SSH-2.0-OpenSSH\r\n")

    threading.Thread(target=serve, daemon=True).start()
    yield f"127.0.0.1:{sock.getsockname()[1]}"
    sock.close()


def test_live_http_endpoint(live: str) -> None:
    assert probe(f"http://{live}", FAST) is None


def test_refused(refused: str) -> None:
    assert probe(f"http://{refused}", FAST) == f"http://{refused}: connection refused"


def test_silent_server_times_out(silent: str) -> None:
    cause = probe(f"http://{silent}", FAST)
    assert cause == f"http://{silent}: connected, but no answer within 0.5s"


def test_https_to_a_silent_plain_port(silent: str) -> None:
    cause = probe(f"https://{silent}", FAST)
    assert cause is not None and "TLS handshake timed out" in cause
    assert "http://" in cause


def test_https_to_a_plain_http_server(live: str) -> None:
    cause = probe(f"https://{live}", FAST)
    assert cause is not None and cause.startswith(f"https://{live}: TLS handshake failed")


def test_dns_failure() -> None:
    cause = probe("http://no-such-host.invalid:9292", FAST)
    assert cause is not None and "DNS: cannot resolve no-such-host.invalid" in cause


def test_not_http(not_http: str) -> None:
    assert probe(f"http://{not_http}", FAST) == f"http://{not_http}: answered, but not with HTTP"


@pytest.mark.parametrize("kind", ["silent", "refused", "tls"])
def test_collect_records_one_gap_naming_endpoint_and_cause(
    kind: str,
    silent: str,
    refused: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = {"silent": f"http://{silent}", "refused": f"http://{refused}", "tls": f"https://{silent}"}
    out = tmp_path / "inv.json"
    code = cli.run(
        [
            "collect", "-q", "--config-dir", str(FIXTURES / "lab"),
            "--glance-endpoint", url[kind],
            "--connect-timeout", "2", "--read-timeout", "0.5", "-o", str(out),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err.strip().splitlines()
    assert code == ExitCode.SOURCE_FAILED
    assert len(err) == 1 and url[kind] in err[0]
    gaps = read_inventory(out).gaps_for("glance")
    assert [(g.scope, g.error.startswith(f"{url[kind]}: ")) for g in gaps] == [("endpoint", True)]
