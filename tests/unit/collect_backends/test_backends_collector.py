"""The backends source end to end against local files and a local S3/Swift server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from object_store_server import Backend, serve

from imageyard import cli
from imageyard.collect.backends import BackendsCollector, Clients
from imageyard.collect.base import NullProgress, run_collectors
from imageyard.collect.config_source import ConfigCollector
from imageyard.collect.configs import ConfigPaths, discover
from imageyard.collect.openstack.probe import Timeouts
from imageyard.errors import ExitCode
from imageyard.model.inventory import Inventory
from imageyard.model.objects import StoreListing

STAGING = "os_glance_staging_store"

ID_A = "0a1b2c3d-0000-4000-8000-00000000000a"
ID_B = "0a1b2c3d-0000-4000-8000-00000000000b"
S3_SECRET = "s3-SECRET-value-0001"
SWIFT_KEY = "right-key"
FAST = Timeouts(connect=2.0, read=2.0)

GLANCE = """\
[DEFAULT]
enabled_backends = fast:file, s3:s3, swift:swift, ceph:rbd

[glance_store]
default_backend = fast

[fast]
filesystem_store_datadir = {datadir}

[os_glance_staging_store]
filesystem_store_datadir = {staging}

[s3]
s3_store_host = {url}
s3_store_access_key = ACCESS0001
s3_store_secret_key = {secret}
s3_store_bucket = images
s3_store_bucket_url_format = path

[swift]
swift_store_config_file = {refs}
default_swift_reference = ref1
swift_store_container = glance
{swift_extra}
"""

REFS = """\
[ref1]
user = lab:swift
key = {key}
auth_address = {url}/auth/1.0
"""


@pytest.fixture
def backend() -> Backend:
    return Backend(
        buckets={"images": [ID_A, "backup.tar"]},
        containers={"glance": [ID_A, f"{ID_B}", f"{ID_B}-00001", "notes.txt"]},
    )


@pytest.fixture
def url(backend: Backend) -> Iterator[str]:
    with serve(backend) as base:
        yield base


def write_config(tmp_path: Path, url: str, **changes: str) -> Path:
    etc, datadir = tmp_path / "etc", tmp_path / "fast"
    etc.mkdir(exist_ok=True)
    datadir.mkdir(exist_ok=True)
    (datadir / ID_A).write_bytes(b"12345")
    (datadir / "lost+found").mkdir(exist_ok=True)
    (tmp_path / "staging").mkdir(exist_ok=True)
    values = {
        "datadir": str(datadir),
        "staging": str(tmp_path / "staging"),
        "url": url,
        "secret": S3_SECRET,
        "refs": str(etc / "glance-swift.conf"),
        "swift_extra": "",
        "key": SWIFT_KEY,
        **changes,
    }
    (etc / "glance-api.conf").write_text(GLANCE.format(**values))
    (etc / "glance-swift.conf").write_text(REFS.format(**values))
    return etc


def collect(etc: Path, **kwargs: object) -> Inventory:
    collectors = [
        ConfigCollector(discover(etc), ConfigPaths()),
        BackendsCollector(timeouts=FAST, **kwargs),  # type: ignore[arg-type]
    ]
    return run_collectors(collectors, Inventory(), NullProgress())


def by_store(inv: Inventory) -> dict[str, StoreListing]:
    return {listing.store: listing for listing in inv.store_listings}


def test_every_file_s3_and_swift_store_is_listed(tmp_path: Path, url: str) -> None:
    inv = collect(write_config(tmp_path, url))
    found = by_store(inv)
    assert set(found) == {"fast", "s3", "swift", STAGING}  # rbd is the ceph source's
    assert found[STAGING].objects == () and found[STAGING].complete
    assert sorted(o.name for o in found["fast"].objects) == [ID_A, "lost+found"]
    assert found["fast"].foreign == 1
    sizes = {o.name: o.size for o in found["fast"].objects}
    assert sizes == {ID_A: 5, "lost+found": None}
    assert sorted(o.name for o in found["s3"].objects) == sorted([ID_A, "backup.tar"])
    assert found["s3"].foreign == 1 and found["s3"].where == "images"
    assert found["s3"].objects[0].modified == "2026-05-01T10:00:00Z"
    assert found["swift"].foreign == 1  # notes.txt; the segment is Glance's
    assert len(found["swift"].objects) == 4
    assert all(lst.complete and lst.error is None for lst in found.values())
    assert inv.is_complete("backends")


def test_pages_are_followed(tmp_path: Path, url: str, backend: Backend) -> None:
    backend.buckets["images"] = [f"0a1b2c3d-0000-4000-8000-{n:012d}" for n in range(7)]
    backend.containers["glance"] = [f"0a1b2c3d-0000-4000-8000-{n:012d}" for n in range(7)]
    inv = collect(write_config(tmp_path, url), clients=Clients(page_size=3))
    found = by_store(inv)
    assert len(found["s3"].objects) == 7 and len(found["swift"].objects) == 7
    assert backend.pages_served == 6  # 3 + 3 + 1 per listing
    assert sum("marker=" in r and "limit=3" in r for r in backend.requests) == 3


def test_a_failed_page_makes_that_listing_unknown(
    tmp_path: Path, url: str, backend: Backend
) -> None:
    backend.containers["glance"] = [f"0a1b2c3d-0000-4000-8000-{n:012d}" for n in range(7)]
    backend.buckets = {}  # no bucket: nothing stored there yet (complete, empty)
    backend.fail_after_pages = 1
    inv = collect(write_config(tmp_path, url), clients=Clients(page_size=3))
    found = by_store(inv)
    assert not found["swift"].complete and found["swift"].objects == ()
    assert "HTTP 500" in (found["swift"].error or "")
    assert found["s3"].complete and found["s3"].objects == ()
    assert found["fast"].complete
    assert [g.scope for g in inv.gaps_for("backends")] == ["store swift"]
    assert not inv.is_complete("backends")


def test_swift_401_is_a_gap_for_that_store_only(tmp_path: Path, url: str) -> None:
    inv = collect(write_config(tmp_path, url, key="wrong-key"))
    found = by_store(inv)
    assert not found["swift"].complete
    assert "HTTP 401" in (found["swift"].error or "")
    assert found["s3"].complete and found["fast"].complete
    gaps = inv.gaps_for("backends")
    assert [g.scope for g in gaps] == ["store swift"]
    assert "wrong-key" not in json.dumps([g.error for g in gaps])


def test_s3_refused_signature_is_a_gap(tmp_path: Path, url: str, backend: Backend) -> None:
    backend.s3_denied = True
    inv = collect(write_config(tmp_path, url))
    found = by_store(inv)
    assert not found["s3"].complete
    assert "HTTP 403 SignatureDoesNotMatch" in (found["s3"].error or "")
    assert found["swift"].complete and found["fast"].complete
    assert [g.scope for g in inv.gaps_for("backends")] == ["store s3"]


def test_unreadable_datadir_is_a_gap(tmp_path: Path, url: str) -> None:
    not_a_dir = tmp_path / "plain-file"
    not_a_dir.write_text("x")
    inv = collect(write_config(tmp_path, url, datadir=str(not_a_dir)))
    found = by_store(inv)
    assert not found["fast"].complete
    assert found["fast"].error == f"{not_a_dir}: Not a directory"
    assert [g.scope for g in inv.gaps_for("backends")] == ["store fast"]
    assert found["s3"].complete and found["swift"].complete


def test_a_silent_server_times_out(tmp_path: Path, url: str, backend: Backend) -> None:
    backend.delay = 1.5
    collectors = [
        ConfigCollector(discover(write_config(tmp_path, url)), ConfigPaths()),
        BackendsCollector(timeouts=Timeouts(connect=1.0, read=0.3)),
    ]
    inv = run_collectors(collectors, Inventory(), NullProgress())
    found = by_store(inv)
    assert not found["swift"].complete and "timed out" in (found["swift"].error or "")
    assert not found["s3"].complete and "timeout" in (found["s3"].error or "").lower()
    assert found["fast"].complete


def test_a_listing_over_the_limit_is_cut(tmp_path: Path, url: str) -> None:
    inv = collect(write_config(tmp_path, url), limit=1)
    found = by_store(inv)
    assert not found["s3"].complete and found["s3"].objects == ()
    assert found["s3"].error == "cut at 1 objects (raise --backend-limit)"


@pytest.mark.parametrize(("key", "complete"), [(SWIFT_KEY, True), ("wrong-key", False)])
def test_keystone_v3_account(
    tmp_path: Path, url: str, backend: Backend, key: str, complete: bool
) -> None:
    etc = write_config(tmp_path, url, key=key)
    refs = etc / "glance-swift.conf"
    refs.write_text(refs.read_text().replace("/auth/1.0", "/v3"))
    swift = by_store(collect(etc))["swift"]
    assert "POST /v3/auth/tokens" in backend.requests
    assert swift.complete is complete
    if complete:
        assert len(swift.objects) == 4
    else:
        assert swift.error is not None and "Keystone v3: HTTP 401" in swift.error


def test_multiple_containers_are_found_by_prefix(
    tmp_path: Path, url: str, backend: Backend
) -> None:
    backend.containers = {
        "glance_0a1": [ID_A],
        "glance_0b2": ["0b2c3d4e-0000-4000-8000-00000000000b"],
        "glancebackup": ["other"],
    }
    extra = "swift_store_multiple_containers_seed = 3"
    inv = collect(write_config(tmp_path, url, swift_extra=extra))
    swift = [lst for lst in inv.store_listings if lst.store == "swift"]
    assert [lst.where for lst in swift] == ["glance_0a1", "glance_0b2"]
    assert all(lst.complete and len(lst.objects) == 1 for lst in swift)


def test_cli_names_the_source_and_never_writes_a_secret(
    tmp_path: Path, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    etc = write_config(tmp_path, url, key="wrong-key")
    out = tmp_path / "inv.json"
    args = ["collect", "--config-dir", str(etc), "--sources", "config,backends"]
    code = cli.run([*args, "--allow-partial", "--connect-timeout", "2", "-o", str(out)])
    assert code == ExitCode.OK
    text = out.read_text()
    doc = json.loads(text)
    assert {lst["store"] for lst in doc["store_listings"]} == {"fast", "s3", "swift", STAGING}
    captured = capsys.readouterr()
    for secret in (S3_SECRET, "wrong-key", "ACCESS0001"):
        assert secret not in text + captured.out + captured.err


def test_auto_never_dials_the_backends(tmp_path: Path, url: str, backend: Backend) -> None:
    etc = write_config(tmp_path, url)
    out = tmp_path / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(etc), "-o", str(out)]) == ExitCode.OK
    doc = json.loads(out.read_text())
    assert doc["store_listings"] == [] and backend.requests == []
    status = next(s for s in doc["sources"] if s["source"] == "backends")
    assert status["complete"] is False and "not requested" in status["detail"]


def test_backends_without_config_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run(["collect", "--sources", "backends", "--glance-endpoint", "http://x:1"])
    assert code == ExitCode.USAGE
    assert "cannot collect backends" in capsys.readouterr().err


def test_the_staging_directory_is_listed_as_the_reserved_store(tmp_path: Path, url: str) -> None:
    etc = write_config(tmp_path, url)
    (tmp_path / "staging" / ID_B).write_bytes(b"1234567")
    (tmp_path / "staging" / f"{ID_B}.qcow2").write_bytes(b"123")
    listing = by_store(collect(etc))[STAGING]
    assert (listing.kind, listing.where, listing.complete) == (
        "file",
        str(tmp_path / "staging"),
        True,
    )
    assert {o.name: o.size for o in listing.objects} == {ID_B: 7, f"{ID_B}.qcow2": 3}


def test_an_unreadable_staging_directory_is_a_gap_for_it_alone(tmp_path: Path, url: str) -> None:
    inv = collect(write_config(tmp_path, url, staging=str(tmp_path / "absent")))
    found = by_store(inv)
    assert not found[STAGING].complete and "absent" in (found[STAGING].error or "")
    assert all(lst.complete for name, lst in found.items() if name != STAGING)
    assert [g.scope for g in inv.gaps_for("backends")] == [f"store {STAGING}"]


def test_a_staging_store_without_a_directory_stages_in_glance_stores_default(
    tmp_path: Path, url: str
) -> None:
    etc = write_config(tmp_path, url)
    conf = etc / "glance-api.conf"
    conf.write_text(conf.read_text().replace("[os_glance_staging_store]", "[unused]"))
    listing = by_store(collect(etc))[STAGING]
    assert listing.where == "/var/lib/glance/os_glance_staging_store"


def test_an_empty_staging_directory_option_is_a_gap(tmp_path: Path, url: str) -> None:
    etc = write_config(tmp_path, url, staging="")
    inv = collect(etc)
    listing = by_store(inv)[STAGING]
    assert not listing.complete
    assert listing.error == f"[{STAGING}] filesystem_store_datadir is empty"
    assert [g.scope for g in inv.gaps_for("backends")] == [f"store {STAGING}"]


def test_a_single_store_stages_in_node_staging_uri(tmp_path: Path) -> None:
    etc, staged = tmp_path / "etc", tmp_path / "staged"
    etc.mkdir()
    staged.mkdir()
    (staged / ID_A).write_bytes(b"12")
    (etc / "glance-api.conf").write_text(
        f"[DEFAULT]\nnode_staging_uri = file://{staged}\n"
        f"[glance_store]\nfilesystem_store_datadir = {tmp_path}\n"
    )
    listing = by_store(collect(etc))[STAGING]
    assert listing.where == str(staged) and [o.name for o in listing.objects] == [ID_A]


def test_a_non_file_node_staging_uri_is_a_gap(tmp_path: Path) -> None:
    etc = tmp_path / "etc"
    etc.mkdir()
    (etc / "glance-api.conf").write_text("[DEFAULT]\nnode_staging_uri = http://x/staging\n")
    listing = by_store(collect(etc))[STAGING]
    assert not listing.complete and "not a file:// URI" in (listing.error or "")
