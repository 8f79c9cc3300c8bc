"""The qemu-nbd export is opened only once qemu-nbd listens, not when its socket path shows."""

from __future__ import annotations

import hashlib
import socket
import struct
import subprocess
import threading
from pathlib import Path
from typing import Any, cast

import pytest

from imageyard.apply import nbd


class _Running:
    """A ``qemu-nbd`` that is still running."""

    stderr = None

    def poll(self) -> int | None:
        return None


class _Ended:
    """A ``qemu-nbd`` that gave up, saying why."""

    def __init__(self, path: Path) -> None:
        path.write_bytes(b"qemu-nbd: Failed to blk_new_open 'x': No such file\n")
        self.stderr = path.open("rb")

    def poll(self) -> int | None:
        return 1


def _proc(fake: Any) -> subprocess.Popen[bytes]:
    return cast("subprocess.Popen[bytes]", fake)


def _serve(server: socket.socket, listening: threading.Event, size: int) -> None:
    """Listen once ``listening`` is set, then answer one NBD handshake for ``size`` bytes."""
    listening.wait(60)
    server.listen(1)
    try:
        conn, _ = server.accept()
    except TimeoutError:
        return  # the client never connected: the test says so
    with conn:
        conn.sendall(b"NBDMAGICIHAVEOPT" + struct.pack(">H", 3))  # fixed newstyle, no zeroes
        conn.recv(4 + 16)  # the client's flags, then NBD_OPT_EXPORT_NAME of ""
        conn.sendall(struct.pack(">QH", size, 0))
        conn.recv(1)  # until the client hangs up


def test_a_socket_bound_but_not_yet_listening_is_waited_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(tmp_path / "nbd.sock")
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)  # the path exists, but a connect now is refused
    server.settimeout(30)
    listening = threading.Event()
    thread = threading.Thread(target=_serve, args=(server, listening, 4096), daemon=True)
    thread.start()
    monkeypatch.setattr(nbd.time, "sleep", lambda s: listening.set())  # qemu-nbd listens
    try:
        reader = nbd._open(path, _proc(_Running()), hashlib.sha512())
        assert len(reader) == 4096 and listening.is_set()
        reader.close()
    finally:
        listening.set()
        thread.join(60)
        server.close()


def test_a_qemu_nbd_that_ended_is_unavailable_with_what_it_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(nbd.time, "sleep", lambda s: pytest.fail("waited for an ended qemu-nbd"))
    ended = _Ended(tmp_path / "err")
    with pytest.raises(nbd.ExportUnavailable, match=r"qemu-nbd failed: .*No such file"):
        nbd._connect(str(tmp_path / "nbd.sock"), _proc(ended))
    ended.stderr.close()
