"""Secrets planted in configs, flags and the environment never reach any output.

Every command and format runs over configs that carry 40+ kinds of secrets; stdout,
stderr, every file written (snapshot, reports, memo, renderings, config files) and a crash
log are searched for every planted value. The commands and their formats are taken from
the CLI's registry, so a command added later is covered without changing this test.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import click
import pytest

from imageyard import cli
from imageyard.errors import ExitCode
from imageyard.model.codec import dumps
from imageyard.model.image import Image
from imageyard.model.snapshot import read_inventory

# Each planted secret is "S3cr" + a number + "xQ": unique, and found by one pattern.
_PLANTED = re.compile(r"S3cr\d+xQ")


def _s(n: int) -> str:
    return f"S3cr{n:02d}xQ"


GLANCE_API = f"""[DEFAULT]
enabled_backends = ceph:rbd, files:file, s3:s3, swift:swift
transport_url = rabbit://openstack:{_s(1)}@ctl1:5672,openstack:{_s(2)}@ctl2:5672/
public_endpoint = http://glance:{_s(3)}@glance.example:9292
worker_self_reference_url = https://svc:{_s(4)}@10.0.0.5:9292
admin_token = {_s(5)}
backend_argument = url:redis://u:{_s(6)}@redis:6379, redis_password:{_s(7)}
[glance_store]
default_backend = ceph
[database]
connection = mysql+pymysql://glance:{_s(8)}@db.example/glance
[keystone_authtoken]
auth_url = http://keystone:5000
  password = {_s(9)}
memcache_secret_key = {_s(10)}
password: {_s(11)}
[service_user]
password = "{_s(12)} with spaces"
[cache]
backend_argument = redis_password:{_s(13)}, db:0
[coordination]
backend_url = redis://:{_s(14)}@redis:6379?sentinel=mymaster
[oslo_messaging_notifications]
transport_url = rabbit://notify:{_s(15)}@h1,
    notify:{_s(16)}@h2/
[oslo_messaging_rabbit]
rabbit_password = {_s(17)}
[profiler]
hmac_keys = {_s(18)}
connection_string = mongodb://prof:{_s(19)}@mongo:27017/?authSource=admin
[key_manager]
fixed_key = {_s(20)}
[vault]
root_token_id = {_s(21)}
approle_secret_id = {_s(22)}
[ceph]
rbd_store_pool = images
rbd_store_user = glance
[files]
filesystem_store_datadir = /var/lib/glance/images
[s3]
s3_store_host = http://rgw:{_s(23)}@rgw.example:8080
s3_store_access_key = {_s(24)}
s3_store_secret_key = {_s(25)}
s3_store_bucket = images
[swift]
swift_store_container = glance
swift_store_config_file = /etc/glance/glance-swift.conf
default_swift_reference = ref1
[cinder]
cinder_store_password = {_s(26)}
"""

GLANCE_SWIFT = f"""[ref1]
user = service:glance
key = {_s(27)}
auth_address = https://swiftuser:{_s(28)}@keystone:5000/v3
"""

NOVA = f"""[DEFAULT]
transport_url = rabbit://nova:{_s(29)}@ctl1:5672/
[api_database]
connection = mysql+pymysql://nova:{_s(30)}@db/nova_api
[libvirt]
images_type = rbd
images_rbd_pool = vms
rbd_user = cinder
rbd_secret_uuid = 4b5fd580-360c-4f8c-abb5-c83bb9a3f964
[glance]
api_servers = http://apiuser:{_s(31)}@glance.example:9292
[neutron]
metadata_proxy_shared_secret = {_s(32)}
password = {_s(33)}
[placement]
password = {_s(34)}
"""

CINDER = f"""[DEFAULT]
enabled_backends = ceph
backup_swift_key = {_s(35)}
os_privileged_user_password = {_s(36)}
[ceph]
volume_driver = cinder.volume.drivers.rbd.RBDDriver
rbd_pool = volumes
rbd_user = cinder
san_password = {_s(37)}
"""

CEPH = f"""[global]
fsid = 0b3b8c1e-6a45-4b7e-9a52-2f0c1d2e3f40
mon host = 192.0.2.1
rgw keystone admin password = {_s(38)}
[client.glance]
key = {_s(39)}
"""

ENV = {
    "OS_PASSWORD": _s(40),
    "OS_AUTH_TOKEN": _s(41),
    "OS_APPLICATION_CREDENTIAL_SECRET": _s(42),
    "OS_CLIENT_SECRET": _s(43),
}


def _refused_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def planted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    etc = tmp_path / "etc"
    for rel, text in {
        "glance/glance-api.conf": GLANCE_API,
        "glance/glance-swift.conf": GLANCE_SWIFT,
        "nova/nova.conf": NOVA,
        "cinder/cinder.conf": CINDER,
        "ceph/ceph.conf": CEPH,
    }.items():
        (etc / rel).parent.mkdir(parents=True, exist_ok=True)
        (etc / rel).write_text(text)
    for key, value in ENV.items():
        monkeypatch.setenv(key, value)
    for key in ("OS_CLOUD", "OS_AUTH_URL", "OS_IMAGE_URL"):
        monkeypatch.delenv(key, raising=False)
    return etc


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli.run(argv)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def _leaks(text: str) -> set[str]:
    return set(_PLANTED.findall(text))


def _all_files(root: Path) -> str:
    return "".join(p.read_text(errors="replace") for p in sorted(root.rglob("*")) if p.is_file())


def test_planted_secrets_are_more_than_forty_kinds(planted: Path) -> None:
    text = _all_files(planted) + "".join(ENV.values())
    assert len(_leaks(text)) >= 40


def test_no_command_or_format_prints_a_secret(
    planted: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    snap = out / "inv.json"
    port = _refused_port()
    collect = [
        "collect", "--config-dir", str(planted), "--sources", "config,glance",
        "--glance-endpoint", f"http://admin:{_s(44)}@127.0.0.1:{port}",
        "--glance-node", f"http://node:{_s(45)}@127.0.0.1:{port}",
        "--allow-partial",
    ]  # fmt: skip
    runs = [
        [*collect, "-o", str(snap)],
        [*collect, "-o", "-"],
        ["show", str(snap)],
        *(["audit", str(snap), "-f", f, "--fail-on", "none"] for f in FORMATS),
        *(["audit", str(snap), "-f", f, "-o", str(out / f"audit.{f}")] for f in FORMATS),
        ["design", str(snap), "-f", "markdown", "--write-configs", str(out / "configs")],
        ["design", str(snap), "-f", "json", "-o", str(out / "design.json")],
        *(["design", str(snap), "--render", r] for r in RENDERS),
        *(["paths", str(snap), "-f", f] for f in PATH_FORMATS),
        *(["reclaim", str(snap), "-f", f, "--fail-on", "none"] for f in FORMATS),
        *(["reclaim", str(snap), "-f", f, "-o", str(out / f"reclaim.{f}")] for f in FORMATS),
    ]
    seen = ""
    for argv in runs:
        code, printed = _run(argv, capsys)
        assert code in (ExitCode.OK, ExitCode.FINDINGS), (argv, printed)
        seen += printed
    assert snap.exists() and (out / "configs").is_dir()
    assert _leaks(seen) == set()
    assert _leaks(_all_files(out)) == set()
    # and the outputs still say what was there, masked
    assert "***" in snap.read_text()


FORMATS = ("table", "json", "markdown", "sarif")
RENDERS = ("charm", "ini", "kolla", "operator", "osa")
PATH_FORMATS = ("table", "json", "csv")


def test_errors_and_crash_logs_hide_secrets(
    planted: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import imageyard.cli.show as show

    def boom(path: object) -> object:
        raise RuntimeError(f"cannot reach rabbit://u:{_s(46)}@h/ with token={_s(47)}")

    monkeypatch.setattr(show, "read_tallied", boom)
    code, printed = _run(["show", f"http://u:{_s(48)}@host/inv.json"], capsys)
    assert code == ExitCode.INTERNAL
    log = Path(re.search(r"crash log: (\S+)\)", printed).group(1))  # type: ignore[union-attr]
    text = log.read_text()
    log.unlink()
    assert "RuntimeError" in text and "argv" in text
    assert _leaks(printed + text) == set()


# ---------------------------------------------------------------- every registered command
#
# The commands come from the CLI's own registry (groups walked down to their leaves), and
# the formats and renderings from each command's own choices, so a command or a format
# added later is run here without touching this test. A command whose required input this
# test does not know how to give fails it (add the input to _REQUIRED).


def _leaves(command: click.Command, path: tuple[str, ...] = ()) -> Iterator[Leaf]:
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from _leaves(sub, (*path, name))
    else:
        yield Leaf(path, command)


@dataclass(frozen=True)
class Leaf:
    """One runnable command: its words and its click command."""

    path: tuple[str, ...]
    command: click.Command

    def option(self, flag: str) -> click.Parameter | None:
        return next((p for p in self.command.params if flag in p.opts), None)

    def choices(self, flag: str) -> tuple[str | None, ...]:
        param = self.option(flag)
        kind = param.type if param is not None else None
        return tuple(kind.choices) if isinstance(kind, click.Choice) else (None,)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Inputs:
    """What the runs read: a snapshot from the planted configs, a plan and a boot trace."""

    snapshot: Path
    plan: Path
    trace: Path
    endpoint: str  # a refused port, with planted userinfo
    configs: Path
    image: str  # an image of the snapshot (deactivated: a probe reports, never dials)


_REQUIRED: dict[str, Callable[[Inputs], list[str]]] = {
    "plan_file": lambda i: [str(i.plan)],
    "trace_path": lambda i: ["--trace", str(i.trace)],
    "old": lambda i: [str(i.snapshot)],  # diff OLD NEW: the snapshot against itself
    "new": lambda i: [str(i.snapshot)],
    "nova_conf": lambda i: ["--nova-conf", str(i.configs / "nova/nova.conf")],
    "cinder_conf": lambda i: ["--cinder-conf", str(i.configs / "cinder/cinder.conf")],
    "image": lambda i: [i.image],
    "inventory": lambda i: [],  # a required --inventory is given below, as an optional one
}


def _base(leaf: Leaf, inputs: Inputs) -> list[str]:
    argv = list(leaf.path)
    for param in leaf.command.params:
        if param.required:
            assert param.name in _REQUIRED, f"{' '.join(leaf.path)}: how to give {param.name}?"
            argv += _REQUIRED[param.name](inputs)
    if leaf.option("inventory_arg") is not None:
        argv.append(str(inputs.snapshot))
    elif leaf.option("--inventory") is not None:
        argv += ["--inventory", str(inputs.snapshot)]
    for flag in ("--glance-endpoint", "--glance-node"):
        if leaf.option(flag) is not None:
            argv += [flag, inputs.endpoint]
    return argv


def _runs(leaf: Leaf, inputs: Inputs, out: Path) -> Iterator[list[str]]:
    base = _base(leaf, inputs)
    name = "-".join(leaf.path)
    for fmt in leaf.choices("--format"):
        argv = [*base, "-f", fmt] if fmt is not None else base
        if leaf.option("--output") is None:
            yield argv
            continue
        yield [*argv, "-o", "-"]
        yield [*argv, "-o", str(out / f"{name}.{fmt or 'out'}")]
    for render in leaf.choices("--render"):
        if render is not None:
            yield [*base, "--render", render]


def _prepare(planted: Path, tmp: Path, capsys: pytest.CaptureFixture[str]) -> Inputs:
    endpoint = f"http://admin:{_s(49)}@127.0.0.1:{_refused_port()}"
    snapshot, plan, trace = tmp / "inv.json", tmp / "plan.json", tmp / "trace.csv"
    collect = ["collect", "--config-dir", str(planted), "--sources", "config,glance"]
    runs = [
        [*collect, "--glance-endpoint", endpoint, "--allow-partial", "-o", str(snapshot)],
        ["plan", "make", str(snapshot), "-o", str(plan)],
        ["simulate", "generate", "--events", "50", "-o", str(trace)],
    ]
    for argv in runs:
        code, printed = _run(argv, capsys)
        assert code in (ExitCode.OK, ExitCode.FINDINGS), (argv, printed)
        assert _leaks(printed) == set(), argv
    inv = read_inventory(snapshot)
    image = Image("img-probe", name="probed", status="deactivated", disk_format="raw", size=1)
    snapshot.write_text(dumps(replace(inv, images=(*inv.images, image))))
    return Inputs(snapshot, plan, trace, endpoint, planted, image.id)


def test_every_registered_command_and_format_hides_secrets(
    planted: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)  # (a default output name lands here, and is searched too)
    made, out = tmp_path / "inputs", tmp_path / "out"
    made.mkdir()
    out.mkdir()
    inputs = _prepare(planted, made, capsys)
    ran: dict[str, int] = {}
    seen = ""
    for leaf in _leaves(cli.cli):
        for argv in _runs(leaf, inputs, out):
            code, printed = _run(argv, capsys)
            # a usage error would mean this test did not run the command at all
            assert code not in (ExitCode.USAGE, ExitCode.INTERNAL), (argv, printed)
            ran[" ".join(leaf.path)] = ran.get(" ".join(leaf.path), 0) + 1
            seen += printed
    assert set(ran) == {" ".join(leaf.path) for leaf in _leaves(cli.cli)}
    assert ran["audit"] >= 2 * len(FORMATS) and ran["design"] >= len(RENDERS)
    assert _leaks(seen) == set()
    written = [p for p in tmp_path.iterdir() if p != planted]
    assert written and all(
        _leaks(_all_files(p) if p.is_dir() else p.read_text()) == set() for p in written
    )
    assert "***" in inputs.snapshot.read_text()
