"""Glance's object names, store options with secrets, datadir options and rbd info times."""

from __future__ import annotations

from pathlib import Path

import pytest

from imageyard import secrets
from imageyard.collect.backends.files import datadirs
from imageyard.collect.backends.naming import image_id_of, is_glance_name
from imageyard.collect.backends.options import OptionsError, store_options, swift_reference
from imageyard.collect.ceph.cli import ctime_to_iso, parse_info_times
from imageyard.model.config import GlanceApiConfig

ID = "0a1b2c3d-0000-4000-8000-00000000000a"


@pytest.mark.parametrize(
    ("kind", "name", "glance"),
    [
        ("file", ID, True),
        ("file", ID.upper(), True),
        ("file", f"{ID}-00001", False),  # the file store never segments
        ("swift", f"{ID}-00001", True),
        ("swift", f"{ID}-123456", True),
        ("swift", f"{ID}-1", False),
        ("s3", f"{ID}.bak", False),
        ("s3", "lost+found", False),
        ("s3", ID[:-1], False),
    ],
)
def test_glance_names(kind: str, name: str, glance: bool) -> None:
    assert is_glance_name(kind, name) is glance


def test_a_segment_belongs_to_its_manifest_image() -> None:
    assert image_id_of("swift", f"{ID.upper()}-00002") == ID
    assert image_id_of("swift", "notes.txt") is None


def test_datadirs_option_wins_and_drops_priorities() -> None:
    assert datadirs("/single", ["/a:100", "/b", "/c:"]) == ("/a", "/b", "/c")
    assert datadirs("/single", []) == ("/single",)
    assert datadirs(None, []) == ()


def _glance(tmp_path: Path, *texts: str, multistore: bool = True) -> GlanceApiConfig:
    paths = []
    for n, text in enumerate(texts):
        path = tmp_path / f"{n}.conf"
        path.write_text(text)
        paths.append(str(path))
    return GlanceApiConfig(
        path=paths[0],
        files=tuple(paths),
        enabled_backends=None if not multistore else _cv("s3:s3"),
    )


def _cv(value: str) -> object:
    from imageyard.model.config import ConfigValue

    return ConfigValue("DEFAULT", "enabled_backends", value, "x", 1)


@pytest.fixture(autouse=True)
def fresh_redactor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(secrets, "_current", secrets.Redactor())


def test_store_options_merge_files_and_fall_back_to_backend_defaults(tmp_path: Path) -> None:
    glance = _glance(
        tmp_path,
        "[S3]\ns3_store_bucket = first\n[backend_defaults]\ns3_store_host = http://h\n",
        "[s3]\ns3_store_bucket = second\ns3_store_secret_key = TOPSECRET-1\n",
    )
    options = store_options(glance, "s3")
    assert options.get("s3_store_bucket") == "second"  # the later file wins
    assert options.get("s3_store_host") == "http://h"  # [backend_defaults]
    assert options.get("s3_store_region_name", "none") == "none"
    assert secrets.scrub("key=TOPSECRET-1 in a message") == "key=*** in a message"
    assert "TOPSECRET-1" not in secrets.scrub("raw TOPSECRET-1")


def test_single_store_options_live_in_glance_store(tmp_path: Path) -> None:
    glance = _glance(tmp_path, "[glance_store]\ns3_store_bucket = b\n", multistore=False)
    assert store_options(glance, "s3").get("s3_store_bucket") == "b"


def test_a_broken_file_is_one_line(tmp_path: Path) -> None:
    glance = _glance(tmp_path, "[s3\nx = 1\n")
    with pytest.raises(OptionsError, match=r"0\.conf"):
        store_options(glance, "s3")


def test_swift_reference_unquotes_and_remembers_the_key(tmp_path: Path) -> None:
    path = tmp_path / "glance-swift.conf"
    path.write_text("[ref1]\nuser = \"p:u\"\nkey = 'SWIFTKEY-9'\nauth_address = http://a/v3\n")
    ref = swift_reference(str(path), "ref1")
    assert ref == {"user": "p:u", "key": "SWIFTKEY-9", "auth_address": "http://a/v3"}
    assert "SWIFTKEY-9" not in secrets.scrub("saw SWIFTKEY-9")
    with pytest.raises(OptionsError, match=r"no reference \[ref2\]"):
        swift_reference(str(path), "ref2")


def test_rbd_info_times() -> None:
    text = (
        '{"name": "x", "create_timestamp": "Wed Nov 25 09:22:39 2026",'
        ' "modify_timestamp": "Wed Nov 25 10:00:00 2026"}'
    )
    assert parse_info_times(text) == (
        ctime_to_iso("Wed Nov 25 09:22:39 2026"),
        ctime_to_iso("Wed Nov 25 10:00:00 2026"),
    )
    assert parse_info_times('{"name": "x"}') == (None, None)
