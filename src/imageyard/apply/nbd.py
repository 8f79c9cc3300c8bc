"""A disk image read as raw bytes, front to back, through ``qemu-nbd``: no raw file on disk.

Concepts: ``qemu-img convert`` cannot write raw to a pipe (its raw driver resizes and seeks
its target), so converting through a file costs a second full copy on local disk. Instead,
``qemu-nbd --read-only --format FMT`` exports the source as a raw block device on a Unix
socket, and ``NbdReader`` reads it in order over the NBD protocol (fixed newstyle
handshake, ``NBD_OPT_EXPORT_NAME`` of the default export, then ``NBD_CMD_READ`` of at most
1 MiB at a time, simple replies), hashing what it fetches and handing it out in the
smaller blocks an HTTP client asks for. Its ``len()`` is the export's
size (the image's virtual size), so an HTTP upload can send a Content-Length. Memory stays
at one block; ``qemu-nbd`` reads only what is asked. ``nbd_export`` starts ``qemu-nbd`` in
a private directory, connects once it listens (its socket path appears a moment before)
and always stops it; when the export cannot be opened (``qemu-nbd``
missing, or it cannot open the source) it raises ``ExportUnavailable`` before any byte is
read, so the caller may take another path.
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any

from imageyard.apply.glance import StepError

CHUNK = 1 << 20
_OPTS_MAGIC = b"IHAVEOPT"
_REQUEST = 0x25609513
_REPLY = 0x67446698
_FIXED_NEWSTYLE, _NO_ZEROES = 1, 2
_OPT_EXPORT_NAME = 1
_CMD_READ, _CMD_DISC = 0, 2


class ExportUnavailable(StepError):
    """``qemu-nbd`` could not export the source; nothing was read from it."""


def _recv(sock: socket.socket, size: int) -> bytes:
    parts, left = [], size
    while left:
        part = sock.recv(min(left, CHUNK))
        if not part:
            raise StepError("qemu-nbd closed the connection")
        parts.append(part)
        left -= len(part)
    return b"".join(parts)


class NbdReader:
    """The raw bytes of an NBD export, read once in order; ``digest`` sees every byte."""

    def __init__(self, sock: socket.socket, digest: Any) -> None:
        self._sock = sock
        self._sock.settimeout(300)
        self._size = self._handshake()
        self._offset = 0
        self._handle = 0
        self._buffer = memoryview(b"")
        self.digest = digest

    def _handshake(self) -> int:
        head = _recv(self._sock, 18)
        if head[:16] != b"NBDMAGIC" + _OPTS_MAGIC:
            raise StepError("qemu-nbd did not answer as a newstyle NBD server")
        (flags,) = struct.unpack(">H", head[16:])
        mine = _FIXED_NEWSTYLE | (flags & _NO_ZEROES)
        self._sock.sendall(struct.pack(">I", mine))
        self._sock.sendall(_OPTS_MAGIC + struct.pack(">II", _OPT_EXPORT_NAME, 0))
        size, _ = struct.unpack(">QH", _recv(self._sock, 10))
        if not flags & _NO_ZEROES:
            _recv(self._sock, 124)
        return int(size)

    def __len__(self) -> int:
        return self._size

    def read(self, size: int = -1) -> bytes:
        """The next ``size`` bytes (at most 1 MiB; empty at the end), from 1 MiB reads."""
        want = min(size if size and size > 0 else CHUNK, CHUNK)
        if not self._buffer:
            self._buffer = memoryview(self._fetch())
        chunk, self._buffer = bytes(self._buffer[:want]), self._buffer[want:]
        return chunk

    def _fetch(self) -> bytes:
        length = min(CHUNK, self._size - self._offset)
        if length <= 0:
            return b""
        self._handle += 1
        request = struct.pack(">IHHQQI", _REQUEST, 0, _CMD_READ, self._handle, self._offset, length)
        self._sock.sendall(request)
        magic, error, handle = struct.unpack(">IIQ", _recv(self._sock, 16))
        if magic != _REPLY or handle != self._handle or error:
            raise StepError(f"qemu-nbd read at {self._offset} failed (error {error})")
        block = _recv(self._sock, length)
        self._offset += length
        self.digest.update(block)
        return block

    def close(self) -> None:
        """Say goodbye to the server and close the socket."""
        with contextlib.suppress(OSError):
            self._sock.sendall(struct.pack(">IHHQQI", _REQUEST, 0, _CMD_DISC, 0, 0, 0))
        self._sock.close()


def _stderr(proc: subprocess.Popen[bytes]) -> str:
    """What an ended ``qemu-nbd`` said, on one line."""
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    return " ".join(err.split())[:300]


def _connect(path: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> socket.socket:
    """A socket connected to ``qemu-nbd`` at ``path``. The path appears when it binds the
    socket, a moment before it listens: a connect in between is refused, so it is tried
    again (as is a path not there yet) while ``qemu-nbd`` runs, up to ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.connect(path)
            return sock
        except (FileNotFoundError, ConnectionRefusedError):
            sock.close()
        if proc.poll() is not None:
            raise ExportUnavailable(f"qemu-nbd failed: {_stderr(proc)}")
        if time.monotonic() > deadline:
            raise ExportUnavailable(f"qemu-nbd did not start within {timeout:.0f}s")
        time.sleep(0.05)


def _open(path: str, proc: subprocess.Popen[bytes], digest: Any) -> NbdReader:
    sock = _connect(path, proc)
    try:
        return NbdReader(sock, digest)
    except (OSError, StepError) as exc:
        sock.close()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)  # it may have given up on the source: say why
        why = (_stderr(proc) if proc.poll() else "") or str(exc)
        raise ExportUnavailable(f"qemu-nbd failed: {why}") from None


@contextlib.contextmanager
def nbd_export(source: str, fmt: str, digest: Any) -> Iterator[NbdReader]:
    """``source`` (of format ``fmt``) as an ``NbdReader`` of its raw bytes."""
    with tempfile.TemporaryDirectory(prefix="imageyard-nbd-") as tmp:
        sock = os.path.join(tmp, "nbd.sock")
        cmd = ["qemu-nbd", "--read-only", "--format", fmt, "--socket", sock, source]
        try:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        except OSError as exc:
            raise ExportUnavailable(f"qemu-nbd: {exc}") from None
        try:
            reader = _open(sock, proc, digest)
            try:
                yield reader
            finally:
                reader.close()
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
