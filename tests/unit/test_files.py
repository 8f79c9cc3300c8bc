"""Inputs are regular files under a cap; outputs are written through, or replaced atomically."""

from __future__ import annotations

import gzip
import io
import os
import sys
import threading
from pathlib import Path

import pytest

from imageyard.errors import ImageyardError, InputError, UsageError
from imageyard.files import read_text, write_text
from imageyard.secrets import REDACTED, Scrubbed


def test_reads_a_regular_file(tmp_path: Path) -> None:
    path = tmp_path / "site.yaml"
    path.write_bytes(b"\xef\xbb\xbfname: x\n")
    assert read_text(path, "site", 100) == "name: x\n"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (lambda p: os.mkfifo(p), "is a FIFO"),
        (lambda p: p.mkdir(), "is a directory"),
        (lambda p: p.symlink_to(p), "symlink loop"),
        (lambda p: None, "no such file"),
        (lambda p: p.symlink_to("/dev/zero"), "is a device"),
    ],
)
def test_refuses_what_is_not_a_regular_file(tmp_path: Path, make: object, reason: str) -> None:
    path = tmp_path / "in"
    make(path)  # type: ignore[operator]
    with pytest.raises(InputError, match=reason):
        read_text(path, "site", 100)


def test_refuses_a_file_over_the_cap(tmp_path: Path) -> None:
    path = tmp_path / "big"
    path.write_bytes(b"a" * 101)
    with pytest.raises(InputError, match="larger than the 100 bytes limit"):
        read_text(path, "site", 100)


@pytest.mark.parametrize(
    ("data", "reason"), [(b"a\n\x00", r"in:2: binary"), (b"a\n\n\xff", r"in:3: not UTF-8")]
)
def test_refuses_binary_and_non_utf8(tmp_path: Path, data: bytes, reason: str) -> None:
    path = tmp_path / "in"
    path.write_bytes(data)
    with pytest.raises(InputError, match=reason):
        read_text(path, "site", 100)


def test_replaces_a_regular_file_keeping_its_mode(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text("old")
    out.chmod(0o640)
    before = out.stat().st_ino
    write_text("new", str(out), "report")
    assert out.read_text() == "new"
    assert out.stat().st_mode & 0o777 == 0o640
    assert out.stat().st_ino != before  # a new file moved into place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json"]


def test_writes_through_a_symlink(tmp_path: Path) -> None:
    target = tmp_path / "real.json"
    target.write_text("old")
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    write_text("new", str(link), "report")
    assert link.is_symlink()
    assert target.read_text() == "new"


def test_writes_through_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()))
    reader.start()
    write_text("through the pipe", str(fifo), "report")
    reader.join(timeout=30)
    assert got == [b"through the pipe"]
    assert fifo.is_fifo()


def test_writes_through_a_character_device() -> None:
    write_text("discarded", "/dev/null", "report")
    assert Path("/dev/null").is_char_device()


def test_dash_is_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    write_text("to stdout", "-", "report")
    assert capsys.readouterr().out == "to stdout"


def test_refuses_to_overwrite_an_input(tmp_path: Path) -> None:
    snap = tmp_path / "inv.json"
    snap.write_text("snapshot")
    alias = tmp_path / "alias.json"
    alias.symlink_to(snap)
    for out in (snap, alias, tmp_path / "." / "inv.json"):
        with pytest.raises(UsageError, match="would overwrite the input"):
            write_text("x", str(out), "report", inputs=(snap,))
    assert snap.read_text() == "snapshot"


def test_directory_output_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="is a directory"):
        write_text("x", str(tmp_path), "report")


def test_unwritable_directory_is_one_error(tmp_path: Path) -> None:
    with pytest.raises(ImageyardError, match="cannot write the report"):
        write_text("x", str(tmp_path / "missing" / "out"), "report")


_CHUNKS = ("token=abc ", Scrubbed("é token=kept ".encode()), "password=x\n")
_WRITTEN = f"token={REDACTED} é token=kept password={REDACTED}\n"


@pytest.mark.parametrize("compress", ["", "gz"])
def test_scrubbed_chunks_are_written_as_they_are(tmp_path: Path, compress: str) -> None:
    out = tmp_path / "report.json"
    write_text(iter(_CHUNKS), str(out), "report", compress=compress)
    data = out.read_bytes()
    assert (gzip.decompress(data) if compress else data).decode() == _WRITTEN


@pytest.mark.parametrize("buffered", [True, False])
def test_scrubbed_chunks_reach_stdout_in_order(
    monkeypatch: pytest.MonkeyPatch, buffered: bool
) -> None:
    raw = io.BytesIO()
    text = io.StringIO()
    monkeypatch.setattr(
        sys, "stdout", io.TextIOWrapper(raw, encoding="utf-8") if buffered else text
    )
    write_text(iter(_CHUNKS), "-", "report")
    assert (raw.getvalue().decode() if buffered else text.getvalue()) == _WRITTEN
