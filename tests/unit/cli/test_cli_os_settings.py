"""OS_* settings: keystoneauth's own loaders decide what is missing; one line, exit 2."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from imageyard import cli
from imageyard.errors import ExitCode

FIXTURES = Path(__file__).parents[2] / "fixtures" / "configs"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import os

    for name in list(os.environ):
        if name.startswith("OS_") or name.lower().endswith("_proxy"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no clouds.yaml anywhere it is looked for


def _one_line(capsys: pytest.CaptureFixture[str]) -> str:
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines[0].startswith("imageyard: error: ")
    assert len(lines) == 1 or lines[1].startswith("imageyard: tip: ")
    return lines[0]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"OS_AUTH_URL": "http://127.0.0.1:1/v3"}, "missing OS_PASSWORD; OS_USERNAME or"),
        ({"OS_AUTH_URL": "http://127.0.0.1:1/v3", "OS_USERNAME": "a"}, "missing OS_PASSWORD"),
        ({"OS_AUTH_URL": "http://127.0.0.1:1/v3", "OS_PASSWORD": "p"}, "OS_USERNAME or"),
        ({"OS_AUTH_URL": "http://x/v3", "OS_AUTH_TYPE": "bogus"}, "OS_AUTH_TYPE 'bogus' is not"),
        ({"OS_AUTH_URL": "http://x/v3", "OS_AUTH_TYPE": "token"}, "'token'"),
        ({"OS_AUTH_URL": "http://x/v3", "OS_AUTH_TYPE": "v3applicationcredential"}, "credential"),
        ({"OS_CLOUD": "nosuch"}, "cloud 'nosuch'"),
        ({"OS_IMAGE_URL": "ftp://glance"}, "OS_IMAGE_URL 'ftp://glance' is not an http(s) URL"),
    ],
)
def test_incomplete_or_wrong_settings_are_usage_errors(
    env: dict[str, str],
    expected: str,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    code = cli.run(["collect", "-q", "--sources", "glance", "-o", str(tmp_path / "inv.json")])
    assert code == ExitCode.USAGE
    assert expected in _one_line(capsys)
    assert not (tmp_path / "inv.json").exists()


def test_unreachable_keystone_is_one_cause_for_every_cloud_source(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for key, value in {
        "OS_AUTH_URL": "http://127.0.0.1:1/v3",
        "OS_USERNAME": "u",
        "OS_PASSWORD": "secret-password",
        "OS_PROJECT_NAME": "p",
    }.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "inv.json"
    code = cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "-o", str(out)])
    assert code == ExitCode.SOURCE_FAILED
    line = _one_line(capsys)
    assert line.count("http://127.0.0.1:1/v3: connection refused") == 1
    assert "secret-password" not in line


class _Recorder(http.server.BaseHTTPRequestHandler):
    """Glance's version document at the root; 404 for everything else; tokens recorded."""

    seen: ClassVar[list[str | None]] = []

    def do_GET(self) -> None:
        _Recorder.seen.append(self.headers.get("X-Auth-Token"))
        if self.path.rstrip("/") in ("", "/versions"):
            root = f"http://{self.headers['Host']}"
            version = {"id": "v2.16", "status": "CURRENT", "links": [
                {"rel": "self", "href": f"{root}/v2/"}]}  # fmt: skip
            body = json.dumps({"versions": [version]}).encode()
            self.send_response(300)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_image_url_and_token_pair_is_honoured(
    recorder: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OS_IMAGE_URL", recorder)
    monkeypatch.setenv("OS_AUTH_TOKEN", "tok-123456")
    code = cli.run(["collect", "-q", "--allow-partial", "-o", str(tmp_path / "inv.json")])
    assert code in (ExitCode.OK, ExitCode.ERROR)  # the recorder answers 404 to everything
    assert _Recorder.seen and set(_Recorder.seen) - {None} == {"tok-123456"}
