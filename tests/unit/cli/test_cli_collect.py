"""``imageyard collect`` on config files: snapshots, gaps, bad input and secrets."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from imageyard import cli
from imageyard.errors import ExitCode
from imageyard.model.inventory import Inventory
from imageyard.model.snapshot import read_inventory
from imageyard.model.store import StoreType

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "configs"
ALL_FIXTURES = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())


def collect(args: list[str], out: Path) -> tuple[int, Inventory | None]:
    code = cli.run(["collect", "-q", *args, "--out", str(out)])
    return code, read_inventory(out) if out.exists() else None


def one_error_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) >= 1
    assert lines[0].startswith("imageyard: error: ")
    assert all(line.startswith("imageyard: ") for line in lines)
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_every_fixture_collects_into_a_readable_snapshot(name: str, tmp_path: Path) -> None:
    code, inv = collect(["--config-dir", str(FIXTURES / name)], tmp_path / "inv.json")
    assert code == ExitCode.OK
    assert inv is not None
    assert inv.config.files, "no file was read"
    assert inv.source_status("config") is not None


def test_lab_fixture_stores_weights_default_and_fsid(tmp_path: Path) -> None:
    code, inv = collect(["--config-dir", str(FIXTURES / "lab")], tmp_path / "inv.json")
    assert code == ExitCode.OK and inv is not None
    got = {s.id: (s.type, s.weight, s.is_default) for s in inv.stores}
    assert got == {
        "fast": (StoreType.FILE, 100, True),
        "cheap": (StoreType.FILE, 50, False),
        "ceph": (StoreType.RBD, 80, False),
        "s3": (StoreType.S3, 10, False),
        "swift": (StoreType.SWIFT, 20, False),
    }
    ceph = inv.store("ceph")
    assert ceph is not None
    assert ceph.rbd_pool == "images"
    assert ceph.rbd_fsid == "7a1f7c02-1d2b-4c3e-9f5a-6b7c8d9e0f10"
    # nova.conf, cinder.conf and glance-image-import.conf are not in this directory
    missing = {g.source for g in inv.gaps}
    assert missing == {"config:nova", "config:cinder", "config:glance-image-import"}
    assert not inv.is_complete("config")


def test_legacy_single_store_ids_are_driver_names(tmp_path: Path) -> None:
    code, inv = collect(
        ["--config-dir", str(FIXTURES / "legacy-single-store")], tmp_path / "inv.json"
    )
    assert code == ExitCode.OK and inv is not None
    assert [(s.id, s.is_default, s.weight) for s in inv.stores] == [("rbd", True, None)]
    assert inv.stores[0].rbd_fsid is not None


def test_unresolvable_ceph_conf_is_a_gap_not_a_guess(tmp_path: Path) -> None:
    conf = tmp_path / "glance-api.conf"
    conf.write_text(
        "[DEFAULT]\nenabled_backends = ceph:rbd\n[glance_store]\ndefault_backend = ceph\n"
        "[ceph]\nrbd_store_ceph_conf = /nonexistent/site-b.conf\n"
    )
    code, inv = collect(["--glance-api-conf", str(conf)], tmp_path / "inv.json")
    assert code == ExitCode.OK and inv is not None
    store = inv.store("ceph")
    assert store is not None and store.rbd_fsid is None
    assert any(g.scope == "store ceph" and "fsid unknown" in g.error for g in inv.gaps)


def test_no_source_at_all_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["collect"]) == ExitCode.USAGE
    assert "--config-dir" in one_error_line(capsys.readouterr().err)


def test_missing_explicit_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nope" / "glance-api.conf"
    code, inv = collect(["--glance-api-conf", str(missing)], tmp_path / "inv.json")
    assert code == ExitCode.BAD_INPUT and inv is None
    assert str(missing) in one_error_line(capsys.readouterr().err)


def test_missing_config_dir(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = collect(["--config-dir", str(tmp_path / "nope")], tmp_path / "inv.json")
    assert code in (ExitCode.BAD_INPUT, ExitCode.USAGE)
    assert "nope" in capsys.readouterr().err


def test_binary_garbage_names_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "nova.conf"
    bad.write_bytes(b"[DEFAULT]\nhost = a\n\x00\x01\x02\xff\xfe")
    code, inv = collect(["--nova-conf", str(bad)], tmp_path / "inv.json")
    assert code == ExitCode.BAD_INPUT and inv is None
    assert str(bad) in one_error_line(capsys.readouterr().err)


def test_non_ini_line_names_file_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "cinder.conf"
    bad.write_text("[DEFAULT]\nenabled_backends = ceph\nthis is not ini\n")
    code, _ = collect(["--cinder-conf", str(bad)], tmp_path / "inv.json")
    assert code == ExitCode.BAD_INPUT
    assert f"{bad}:3:" in one_error_line(capsys.readouterr().err)


def test_fifty_megabyte_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "glance-api.conf"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    code, _ = collect(["--glance-api-conf", str(big)], tmp_path / "inv.json")
    assert code == ExitCode.BAD_INPUT
    assert str(big) in one_error_line(capsys.readouterr().err)


def test_broken_file_found_by_discovery_is_a_gap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc" / "nova.conf").write_bytes(b"\x00\x00garbage")
    (tmp_path / "etc" / "glance-api.conf").write_text("[DEFAULT]\nshow_image_direct_url = true\n")
    code, inv = collect(["--config-dir", str(tmp_path / "etc")], tmp_path / "inv.json")
    assert code == ExitCode.OK and inv is not None
    nova_gaps = inv.gaps_for("config:nova")
    assert len(nova_gaps) == 1 and "nova.conf" in nova_gaps[0].scope
    assert not inv.is_complete("config")


def test_duplicated_sections_merge_with_a_warning(tmp_path: Path) -> None:
    code, inv = collect(
        ["--config-dir", str(FIXTURES / "duplicated-sections")], tmp_path / "inv.json"
    )
    assert code == ExitCode.OK and inv is not None
    assert any("glance-api.conf:" in w for w in inv.config.warnings)
    ceph = inv.store("ceph")
    assert ceph is not None and ceph.rbd_pool == "glance-images"  # the later section wins


def test_snapshot_to_stdout_is_json(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "--out", "-"])
    assert code == ExitCode.OK
    doc = json.loads(capsys.readouterr().out)
    assert doc["schema_version"] == "1.7"


def test_no_fixture_secret_reaches_snapshot_or_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marked = [p for p in FIXTURES.rglob("*") if p.is_file() and "FIXTURESECRET" in p.read_text()]
    assert len(marked) >= 5, "the fixtures carry too few marked secrets to look for"
    for name in ALL_FIXTURES:
        out = tmp_path / f"{name}.json"
        assert cli.run(["collect", "--config-dir", str(FIXTURES / name), "--out", str(out)]) == 0
        text = out.read_text() + capsys.readouterr().err
        assert "FIXTURESECRET" not in text, name


def test_snapshot_file_is_written_atomically_and_readable(tmp_path: Path) -> None:
    out = tmp_path / "inv.json"
    out.write_text("old")
    code, inv = collect(["--config-dir", str(FIXTURES / "kolla-multistore")], out)
    assert code == ExitCode.OK and inv is not None
    assert not [p for p in os.listdir(tmp_path) if p != "inv.json"]


def test_show_reads_back_a_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "-o", str(out)]) == 0
    assert cli.run(["show", str(out)]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert "7a1f7c02-1d2b-4c3e-9f5a-6b7c8d9e0f10" in shown
    assert "swift" in shown


def test_show_refuses_an_unknown_schema_major(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "future.json"
    snap.write_text(json.dumps({"schema_version": "7.0", "stores": []}))
    assert cli.run(["show", str(snap)]) == ExitCode.BAD_INPUT
    line = one_error_line(capsys.readouterr().err)
    assert str(snap) in line and "7.0" in line


@pytest.mark.parametrize("content", [b"", b"\x00\xff binary", b"[1, 2]", b"{not json"])
def test_show_refuses_what_is_not_a_snapshot(
    content: bytes, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    snap = tmp_path / "bad.json"
    snap.write_bytes(content)
    assert cli.run(["show", str(snap)]) == ExitCode.BAD_INPUT
    assert str(snap) in one_error_line(capsys.readouterr().err)


def test_show_missing_snapshot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.run(["show", str(tmp_path / "none.json")]) == ExitCode.BAD_INPUT
    assert "none.json" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(
    "args",
    [
        ["--glance-endpoint", "notaurl"],
        ["--glance-endpoint", "ftp://glance:9292"],
        ["--glance-node", "127.0.0.1:9292", "--config-dir", str(FIXTURES / "lab")],
    ],
)
def test_endpoint_flags_must_be_http_urls(
    args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.run(["collect", *args, "-o", str(tmp_path / "x.json")]) == ExitCode.USAGE
    err = capsys.readouterr().err
    assert "is not an http(s) URL" in err and "Traceback" not in err
    assert not (tmp_path / "x.json").exists()


def test_unreachable_glance_alone_collects_nothing(tmp_path: Path) -> None:
    code, inv = collect(["--glance-endpoint", "http://127.0.0.1:9"], tmp_path / "inv.json")
    assert code == ExitCode.ERROR and inv is None


@pytest.mark.parametrize(
    ("extra", "expected"), [((), ExitCode.SOURCE_FAILED), (("--allow-partial",), ExitCode.OK)]
)
def test_unreachable_glance_is_a_gap_and_a_failed_source(
    tmp_path: Path, extra: tuple[str, ...], expected: ExitCode
) -> None:
    args = ["--config-dir", str(FIXTURES / "lab"), "--glance-endpoint", "http://127.0.0.1:9"]
    code, inv = collect([*args, *extra], tmp_path / "inv.json")
    assert code == expected and inv is not None
    assert inv.gaps_for("glance") and not inv.is_complete("glance")
    assert inv.images == () and inv.stores != ()


def test_config_dir_without_configs_collects_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, inv = collect(["--config-dir", str(tmp_path)], tmp_path / "inv.json")
    assert code == ExitCode.ERROR and inv is None
    assert "nothing was collected" in one_error_line(capsys.readouterr().err)


@pytest.mark.parametrize(("command", "what"), [("audit", "the report"), ("design", "the design")])
def test_unwritable_output_is_one_line_and_exit_1(
    command: str, what: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inv = tmp_path / "inv.json"
    assert cli.run(["collect", "-q", "--config-dir", str(FIXTURES / "lab"), "-o", str(inv)]) == 0
    target = tmp_path / "missing-dir" / "out.md"
    code = cli.run([command, "--inventory", str(inv), "-o", str(target)])
    assert code == ExitCode.ERROR
    assert f"{target}: cannot write {what}" in one_error_line(capsys.readouterr().err)


def test_files_of_one_service_on_the_command_line_merge_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = FIXTURES / "ubuntu-compute" / "etc" / "nova"
    api = FIXTURES / "glance-operator" / "etc" / "glance" / "glance.conf.d"
    monkeypatch.chdir(FIXTURES)
    code, inv = collect(
        [
            "--nova-conf",
            f"{base / 'nova.conf'},{base / 'nova-compute.conf'}",
            "--glance-api-conf",
            str((api / "00-config.conf").relative_to(FIXTURES)),
            "--glance-api-conf",
            str(api / "01-config.conf"),
        ],
        tmp_path / "inv.json",
    )
    assert code == ExitCode.OK and inv is not None
    (nova,) = inv.config.nova
    assert nova.files == (str(base / "nova.conf"), str(base / "nova-compute.conf"))
    assert nova.images_type is not None and nova.images_type.value == "rbd"
    glance = inv.config.glance_api
    assert glance is not None and glance.default_backend is not None
    assert glance.default_backend.where == f"{api / '01-config.conf'}:6"
    # paths in the snapshot are absolute, even when given relative
    assert all(os.path.isabs(f.path) for f in inv.config.files)


@pytest.mark.filterwarnings("ignore:The 'service_type' parameter is unnecesary")
@pytest.mark.parametrize(("flag", "read"), [((), False), (("--no-members",), False),
                                            (("--members",), True)])  # fmt: skip
def test_members_only_with_the_flag_and_the_summary_says_so(
    flag: tuple[str, ...], read: bool, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from imageyard.testing.fake_glance import Catalog, FakeGlance

    catalog = Catalog(images=40, shared_every=4)
    with FakeGlance(catalog=catalog) as fake:
        out = tmp_path / "inv.json"
        code = cli.run(["collect", "--glance-endpoint", fake.url, *flag, "--output", str(out)])
        asked = [t for t, _ in fake.requests() if t.endswith("/members")]
    assert code == ExitCode.OK
    inv = read_inventory(out)
    shared = [i for i in inv.images if i.visibility == "shared"]
    assert shared and len(asked) == (len(shared) if read else 0)
    assert any(i.members for i in shared) is read
    err = " ".join(capsys.readouterr().err.split())
    note = "members of" if read else "members not read for"
    assert f"{note} {len(shared)} shared images" in err
