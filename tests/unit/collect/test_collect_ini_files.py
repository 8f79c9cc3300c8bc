"""read_config_file: every way a file can be unusable is one ConfigFileError."""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

import pytest

from imageyard.collect.ini import load_ini, read_config_file
from imageyard.errors import ConfigFileError, ExitCode


def _error(path: Path, **kwargs: object) -> ConfigFileError:
    with pytest.raises(ConfigFileError) as info:
        read_config_file(path, **kwargs)  # type: ignore[arg-type]
    assert info.value.exit_code == ExitCode.BAD_INPUT
    return info.value


def test_reads_text_size_and_digest(tmp_path: Path) -> None:
    conf = tmp_path / "nova.conf"
    conf.write_bytes(b"[DEFAULT]\nhost = c1\n")
    content = read_config_file(conf)
    assert content.text == "[DEFAULT]\nhost = c1\n"
    assert content.size == 20
    assert len(content.sha256) == 64
    assert content.path == str(conf)


def test_missing_file(tmp_path: Path) -> None:
    assert _error(tmp_path / "nope.conf").reason == "file not found"


def test_directory(tmp_path: Path) -> None:
    assert _error(tmp_path).reason == "is a directory, not a file"


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.conf"
    os.mkfifo(fifo)
    assert _error(fifo).reason == "not a regular file"


def test_unreadable_through_the_opener(tmp_path: Path) -> None:
    # NOTE: root ignores file modes, so EACCES is injected through the opener seam.
    conf = tmp_path / "glance-api.conf"
    conf.write_text("[DEFAULT]\n")

    def denied(path: str) -> BinaryIO:
        raise PermissionError(13, "Permission denied", path)

    assert _error(conf, opener=denied).reason == "permission denied"


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.conf"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # sparse: no 50 MB actually written

    def never(path: str) -> BinaryIO:
        raise AssertionError(f"{path} was opened")

    error = _error(big, opener=never)
    assert "larger than the 10485760-byte limit" in error.reason


def test_file_growing_past_the_limit_while_read(tmp_path: Path) -> None:
    conf = tmp_path / "grow.conf"
    conf.write_bytes(b"[a]\n")

    def grown(path: str) -> BinaryIO:
        import io

        return io.BytesIO(b"x" * 64)

    assert "larger than" in _error(conf, max_bytes=16, opener=grown).reason


def test_nul_byte_reports_its_line(tmp_path: Path) -> None:
    conf = tmp_path / "bin.conf"
    conf.write_bytes(b"[a]\nk = v\nj = \x00\n")
    error = _error(conf)
    assert error.line == 3 and "NUL" in error.reason


def test_invalid_utf8_reports_its_line(tmp_path: Path) -> None:
    conf = tmp_path / "latin1.conf"
    conf.write_bytes(b"[a]\n\nk = caf\xe9\n")
    error = _error(conf)
    assert error.line == 3
    assert error.reason == "not UTF-8 text (byte 0xe9)"
    assert str(error) == f"{conf}:3: not UTF-8 text (byte 0xe9)"


def test_utf8_bom_is_ignored(tmp_path: Path) -> None:
    conf = tmp_path / "bom.conf"
    conf.write_bytes(b"\xef\xbb\xbf[DEFAULT]\nk = v\n")
    _content, doc = load_ini(conf)
    assert doc.get("DEFAULT", "k") is not None
