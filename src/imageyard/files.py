"""Reading input files and writing outputs the way a careful Unix tool does.

Concepts:

* An **input** (snapshot, site, mute file) is opened without blocking and must be a
  regular file no larger than its cap; a FIFO, a device, a directory or a symlink loop is
  refused in one line before a byte is read, so ``/dev/zero`` or a FIFO can never hang or
  fill memory. Text must be UTF-8 without NUL bytes.
* An **output** path ``-`` is stdout. An existing FIFO, character device or anything under
  ``/dev`` or ``/proc`` is written *through* (opened and written, as a shell redirection
  does); a regular file (or a new one) is replaced atomically: a temp file beside it, then
  ``os.replace``, keeping its permissions. A symlink is followed, so the link stays and its
  target gets the new content. An output that is one of the command's inputs is refused.
  The text may come as an iterable of chunks, written as they are made (a large snapshot
  is never one string), and is compressed when ``compress`` names a format (``gz``: gzip,
  ``zst``: Zstandard).
* A **human** output (a table, Markdown, a memo, plain text) shows each control character a
  catalog value carries as a visible stand-in (``imageyard.terminal.visible``), so a tenant's
  image name cannot drive the operator's terminal; machine formats (JSON, SARIF, CSV) are
  written exactly.
"""

from __future__ import annotations

import contextlib
import errno
import gzip
import json
import os
import stat
import sys
import tempfile
from collections.abc import Callable, Iterable
from typing import IO, Any

import zstandard

from imageyard.errors import ImageyardError, InputError, UsageError
from imageyard.secrets import Scrubbed, scrub
from imageyard.terminal import visible

Fail = Callable[[str], ImageyardError]
MiB = 1 << 20
ZSTD_LEVEL = 3
_WRITE_THROUGH_ROOTS = ("/dev/", "/proc/")


def _input_error(message: str) -> ImageyardError:
    return InputError(message)


def os_reason(exc: OSError) -> str:
    """A short reason for an ``OSError`` raised while opening or reading a file."""
    reasons = {
        errno.ENOENT: "no such file",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.EISDIR: "is a directory, not a file",
        errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
        errno.ENOTDIR: "a path component is not a directory",
        errno.ENAMETOOLONG: "file name too long",
    }
    return reasons.get(exc.errno or 0, exc.strerror or type(exc).__name__)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a directory, not a file"
    if stat.S_ISFIFO(mode):
        return "is a FIFO, not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def limit_text(max_bytes: int) -> str:
    """``1 GiB``, ``64 KiB``, ``100 bytes``: a size cap as the messages name it."""
    for unit, size in (("GiB", 1 << 30), ("MiB", MiB), ("KiB", 1 << 10)):
        if max_bytes >= size and max_bytes % size == 0:
            return f"{max_bytes // size} {unit}"
    return f"{max_bytes} bytes"


def open_input(path: str | os.PathLike[str], what: str, max_bytes: int, fail: Fail) -> IO[bytes]:
    """Regular file ``path`` (at most ``max_bytes``) open for reading; else ``fail(message)``."""
    name = os.fspath(path)
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
    except OSError as exc:
        raise fail(f"{name}: cannot read the {what}: {os_reason(exc)}") from None
    info = os.fstat(fd)
    if not stat.S_ISREG(info.st_mode):
        os.close(fd)
        raise fail(f"{name}: {_kind(info.st_mode)} (the {what} must be a file)")
    if info.st_size > max_bytes:
        os.close(fd)
        raise fail(f"{name}: the {what} is larger than the {limit_text(max_bytes)} limit")
    return os.fdopen(fd, "rb")


def read_bytes(path: str | os.PathLike[str], what: str, max_bytes: int, fail: Fail) -> bytes:
    """The content of regular file ``path`` (at most ``max_bytes``); else ``fail(message)``."""
    name = os.fspath(path)
    with open_input(name, what, max_bytes, fail) as handle:
        try:
            data = handle.read(max_bytes + 1)
        except OSError as exc:
            raise fail(f"{name}: cannot read the {what}: {os_reason(exc)}") from None
    if len(data) > max_bytes:
        raise fail(f"{name}: the {what} is larger than the {limit_text(max_bytes)} limit")
    return data


def decode_text(name: str, data: bytes, what: str, fail: Fail) -> str:
    """``data`` as UTF-8 text (a BOM dropped); NUL bytes or bad UTF-8 give ``fail``."""
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        raise fail(f"{name}:{line}: binary content (NUL byte); the {what} must be text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise fail(f"{name}:{line}: not UTF-8 text; the {what} must be UTF-8") from None
    return text.removeprefix("\ufeff")


def read_text(
    path: str | os.PathLike[str], what: str, max_bytes: int, fail: Fail = _input_error
) -> str:
    """``read_bytes`` then ``decode_text``."""
    return decode_text(os.fspath(path), read_bytes(path, what, max_bytes, fail), what, fail)


def parse_json(name: str, text: str) -> Any:
    """``text`` (read from ``name``) as JSON; ``InputError`` (exit 5) naming the line if not."""
    try:
        return json.loads(text)
    except ValueError as exc:
        raise InputError(f"{name}:{getattr(exc, 'lineno', 1)}: not JSON: {exc}") from None


def read_json(path: str | os.PathLike[str], what: str, max_bytes: int) -> Any:
    """``read_text`` then ``parse_json``: the ``what`` file at ``path`` as JSON (exit 5 if not)."""
    return parse_json(os.fspath(path), read_text(path, what, max_bytes))


# ---------------------------------------------------------------- outputs


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.realpath(a) == os.path.realpath(b)


def check_output(out: str, what: str, inputs: Iterable[str | os.PathLike[str] | None]) -> None:
    """Refuse an output that would overwrite an input or cannot be a file (exit 2)."""
    if out == "-":
        return
    for given in inputs:
        if given is not None and _same_file(out, os.fspath(given)):
            raise UsageError(f"{out}: the {what} would overwrite the input {os.fspath(given)}")
    try:
        info = os.stat(out)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ImageyardError(f"{out}: cannot write the {what}: {os_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise UsageError(f"{out}: is a directory; name a file for the {what}")


def _writes_through(target: str) -> bool:
    if target.startswith(_WRITE_THROUGH_ROOTS):
        return True
    try:
        return not stat.S_ISREG(os.stat(target).st_mode)
    except FileNotFoundError:
        return False


def _scrub(chunk: str | Scrubbed) -> str | Scrubbed:
    return chunk if isinstance(chunk, Scrubbed) else scrub(chunk)


def _shown(chunk: str | Scrubbed) -> str | Scrubbed:
    """A chunk of a human output with its control characters shown (``terminal.visible``)."""
    if not isinstance(chunk, Scrubbed):
        return visible(chunk)
    text = chunk.decode("utf-8")
    shown = visible(text)
    return chunk if shown is text else Scrubbed(shown.encode("utf-8"))


def write_text(
    text: str | Iterable[str | Scrubbed],
    out: str,
    what: str,
    inputs: Iterable[str | os.PathLike[str] | None] = (),
    *,
    compress: str = "",
    human: bool = False,
) -> None:
    """Write ``text``, secrets scrubbed, to ``out`` (``-``: stdout) as the module says
    (``human``: a format for people, its control characters shown)."""
    # NOTE: a chunk is a whole unit (one image of a snapshot), so no secret spans two chunks;
    # a ``Scrubbed`` chunk (UTF-8) was made from data that already went through the policy
    text = scrub(text) if isinstance(text, str) else map(_scrub, text)
    if human:
        text = visible(text) if isinstance(text, str) else map(_shown, text)
    if out == "-":
        _write_chunks(sys.stdout, text)
        sys.stdout.flush()
        return
    check_output(out, what, inputs)
    target = os.path.realpath(out)
    try:
        if _writes_through(target):
            with open(out, "wb") as handle:
                _write_encoded(handle, text, compress)
        else:
            _replace(target, text, compress)
    except OSError as exc:
        raise ImageyardError(f"{out}: cannot write the {what}: {os_reason(exc)}") from None


def _write_chunks(handle: IO[str], text: str | Iterable[str | Scrubbed]) -> None:
    if isinstance(text, str):
        handle.write(text)
        return
    for chunk in text:
        if isinstance(chunk, Scrubbed):
            _write_scrubbed(handle, chunk)
        else:
            handle.write(chunk)


def _write_scrubbed(handle: IO[str], chunk: Scrubbed) -> None:
    """UTF-8 text to a text stream: to its binary buffer when it has one, after the text
    written so far; else decoded (a scrubbing stream then scans it once more)."""
    buffer = getattr(handle, "buffer", None)
    if buffer is None:
        handle.write(chunk.decode("utf-8"))
        return
    handle.flush()
    buffer.write(chunk)


def _write_encoded(handle: IO[bytes], text: str | Iterable[str | Scrubbed], compress: str) -> None:
    """UTF-8 text into a binary handle, through gzip or Zstandard as ``compress`` says."""
    if compress == "zst":
        with zstandard.ZstdCompressor(level=ZSTD_LEVEL).stream_writer(handle, closefd=False) as z:
            _write_utf8(z.write, text)
    elif compress == "gz":
        with gzip.GzipFile("", "wb", 6, handle, mtime=0) as packed:
            _write_utf8(packed.write, text)
    else:
        _write_utf8(handle.write, text)


def _write_utf8(write: Callable[[bytes], object], text: str | Iterable[str | Scrubbed]) -> None:
    for chunk in (text,) if isinstance(text, str) else text:
        write(chunk if isinstance(chunk, Scrubbed) else chunk.encode("utf-8"))


def _mode_for(name: str) -> int:
    """Keep an existing file's permissions; a new one is 0644 less the umask."""
    try:
        return stat.S_IMODE(os.stat(name).st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o644 & ~umask


def _replace(target: str, text: str | Iterable[str | Scrubbed], compress: str = "") -> None:
    directory = os.path.dirname(target) or "."
    fd, tmp = tempfile.mkstemp(prefix=".imageyard-", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), _mode_for(target))
            _write_encoded(handle, text, compress)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
