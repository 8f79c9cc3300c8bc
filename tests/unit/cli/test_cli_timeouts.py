"""Every network source obeys collect's timeouts: Nova, Cinder and Keystone through the cloud's
catalog (--connect-timeout/--read-timeout), Ceph through --ceph-timeout (librados and the rbd
CLI fallback). A source that does not answer in time is one gap naming endpoint and cause."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from keystoneauth1 import exceptions as ks

from imageyard import cli
from imageyard.collect.ceph.cli import _base
from imageyard.collect.ceph.client import ClusterTarget
from imageyard.collect.ceph.collector import CephCollector
from imageyard.collect.configs import ConfigPaths
from imageyard.collect.openstack.probe import Timeouts
from imageyard.collect.openstack.sdk import translate
from imageyard.collect.sources import CollectRequest, build_collectors
from imageyard.errors import ExitCode
from imageyard.model.snapshot import read_inventory
from imageyard.testing.fake_compute import FakeCompute, fake_server, fake_volume

FIXTURES = Path(__file__).parents[2] / "fixtures" / "configs"
STALL = 30.0  # far above the --read-timeout given, far below the 60 s default


@pytest.fixture
def fake() -> Iterator[FakeCompute]:
    with FakeCompute() as server:
        server.servers = [fake_server("s-1", image_id="img-1")]
        server.volumes = [fake_volume("v-1", image_id="img-1")]
        yield server


@pytest.fixture
def os_env(fake: FakeCompute, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "OS_AUTH_URL": fake.auth_url,
        "OS_USERNAME": "admin",
        "OS_PASSWORD": "timeouts-password-0001",
        "OS_PROJECT_NAME": "admin",
        "OS_USER_DOMAIN_NAME": "Default",
        "OS_PROJECT_DOMAIN_NAME": "Default",
        "OS_IDENTITY_API_VERSION": "3",
        "NO_PROXY": "127.0.0.1",
    }.items():
        monkeypatch.setenv(key, value)
    for key in ("OS_CLOUD", "OS_CLIENT_CONFIG_FILE", "OS_AUTH_TOKEN", "OS_AUTH_TYPE"):
        monkeypatch.delenv(key, raising=False)
    for key in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
        monkeypatch.delenv(key, raising=False)


def _collect(tmp_path: Path, *args: str) -> tuple[int, Path]:
    out = tmp_path / "inv.json"
    code = cli.run(["collect", "-q", "--sources", "nova,cinder", *args, "-o", str(out)])
    return code, out


@pytest.mark.usefixtures("os_env")
def test_a_silent_nova_is_a_gap_within_the_read_timeout(
    fake: FakeCompute, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail("/servers/detail", delay=STALL, times=None)
    code, out = _collect(tmp_path, "--read-timeout", "0.3")
    assert code == ExitCode.SOURCE_FAILED
    # (the fake server's own tracebacks for the abandoned requests are not imageyard's)
    err = [x for x in capsys.readouterr().err.splitlines() if x.startswith("imageyard")]
    assert len(err) == 1 and "nova" in err[0] and "timed out" in err[0].lower()
    inv = read_inventory(out)
    (gap,) = inv.gaps_for("nova")
    assert fake.compute_url.split("//")[1].split("/")[0] in gap.error and "\n" not in gap.error
    assert inv.is_complete("cinder") and [v.id for v in inv.volumes] == ["v-1"]


@pytest.mark.usefixtures("os_env")
def test_a_silent_cinder_is_a_gap_and_nova_is_read(
    fake: FakeCompute, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    fake.fail("/volumes/detail", delay=STALL, times=None)
    code, out = _collect(tmp_path, "--read-timeout", "0.3", "--allow-partial")
    assert code == ExitCode.OK
    inv = read_inventory(out)
    (gap,) = inv.gaps_for("cinder")
    assert "timed out" in gap.error.lower()
    assert [s.id for s in inv.servers] == ["s-1"]


@pytest.mark.usefixtures("os_env")
def test_a_refusing_nova_endpoint_is_one_gap_naming_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        refused = f"http://127.0.0.1:{sock.getsockname()[1]}/compute/v2.1"
    monkeypatch.setenv("OS_COMPUTE_ENDPOINT_OVERRIDE", refused)
    code, out = _collect(tmp_path, "--connect-timeout", "2")
    assert code == ExitCode.SOURCE_FAILED
    err = [x for x in capsys.readouterr().err.splitlines() if x.startswith("imageyard")]
    assert len(err) == 1 and "nova" in err[0] and "refused" in err[0].lower()
    (gap,) = read_inventory(out).gaps_for("nova")
    assert refused.split("/compute")[0].split("//")[1] in gap.error


@pytest.mark.usefixtures("os_env")
def test_a_slow_answer_within_the_read_timeout_is_read(fake: FakeCompute, tmp_path: Path) -> None:
    fake.fail("/servers/detail", delay=0.2, times=1)
    code, out = _collect(tmp_path, "--read-timeout", "5")
    assert code == ExitCode.OK
    assert [s.id for s in read_inventory(out).servers] == ["s-1"]


def test_keystone_usage_and_ceph_collectors_get_the_timeouts(
    fake: FakeCompute, os_env: None
) -> None:
    request = CollectRequest(
        sources=("ceph", "nova", "cinder", "keystone"),
        explicit=ConfigPaths(ceph=("/nonexistent/ceph.conf",)),
        timeouts=Timeouts(connect=1.5, read=2.5),
        ceph_timeout=7,
    )
    collectors = {c.name: c for c in build_collectors(request)}
    ceph = collectors["ceph"]
    assert isinstance(ceph, CephCollector) and ceph.timeout == 7
    for name in ("nova", "cinder", "keystone"):
        http = collectors[name].http  # type: ignore[attr-defined]
        assert http.policy.timeout == (1.5, 2.5), name
        assert float(http.connection.config.config["api_timeout"]) == 2.5, name


def test_the_rbd_cli_fallback_bounds_connect_and_every_operation() -> None:
    argv = _base("rbd", ClusterTarget("/etc/ceph/ceph.conf", "glance"), 4.0)
    for option in ("--client_mount_timeout", "--rados_mon_op_timeout", "--rados_osd_op_timeout"):
        assert argv[argv.index(option) + 1] == "4"


def test_a_silent_ceph_monitor_is_one_gap_within_the_ceph_timeout(
    silent_mon: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "ceph.conf"
    conf.write_text(
        f"[global]\nfsid = 00000000-0000-0000-0000-000000000001\nmon_host = {silent_mon}\n"
        "auth_client_required = none\n"
    )
    out = tmp_path / "inv.json"
    argv = ["collect", "--sources", "config,ceph", "--ceph-conf", str(conf)]
    code = cli.run([*argv, "--ceph-timeout", "1", "-q", "-o", str(out)])
    assert code == ExitCode.SOURCE_FAILED
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("imageyard: error: requested source(s) ceph collected nothing")
    (gap,) = read_inventory(out).gaps_for("ceph")
    assert gap.scope == f"cluster {conf}" and "timed out" in gap.error.lower()


def test_help_prints_every_timeout_default(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["collect", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    for option, default in (
        ("--connect-timeout", "10.0"),
        ("--read-timeout", "60.0"),
        ("--ceph-timeout", "15.0"),
    ):
        after = text.split(option, 1)[1].split("--", 1)[0]
        assert f"[default: {default};" in after, option


@pytest.mark.parametrize(
    ("story", "says"),
    [
        ("[Errno 111] Connection refused", "connection refused"),
        ("[Errno -2] Name or service not known", "DNS: cannot resolve the host"),
        ("[SSL: WRONG_VERSION_NUMBER] wrong version number (_ssl.c:992)", "TLS handshake failed"),
        ("Read timed out. (read timeout=0.3)", "timed out"),
    ],
)
def test_a_connection_failure_is_its_url_and_cause(story: str, says: str) -> None:
    url = "http://nova.example:8774/v2.1/servers/detail"
    exc = ks.ConnectFailure(
        f"Unable to establish connection to {url}: HTTPConnectionPool(host='nova.example', "
        f"port=8774): Max retries exceeded with url: /v2.1/servers/detail (Caused by "
        f"NewConnectionError('<urllib3.connection.HTTPConnection object>: {story}'))"
    )
    message = translate(exc).message
    assert message.startswith(f"{url}: {says}") and len(message) < 120
