"""The apply lock: one exclusive ``flock`` per Glance endpoint, so two applies never overlap.

Concepts: the lock file lives in ``$XDG_RUNTIME_DIR`` (else the temp directory) and is
named after the endpoint or cloud; ``--lock-file`` names another. The kernel drops the lock
when the process dies (SIGKILL included), so a crashed apply never leaves it held.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
from collections.abc import Iterator

from imageyard.errors import ImageyardError


def default_lock_path(target: str) -> str:
    """The lock file for a Glance endpoint or cloud name."""
    where = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    digest = hashlib.sha256(target.encode()).hexdigest()[:16]
    return os.path.join(where, f"imageyard-apply-{digest}.lock")


@contextlib.contextmanager
def exclusive(path: str) -> Iterator[None]:
    """Hold an exclusive lock on ``path``; ``ImageyardError`` when another process has it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 64, 0).decode("ascii", "replace").strip() or "?"
            raise ImageyardError(
                f"another apply holds the lock {path} (pid {holder})",
                tip="wait for it to finish; the lock goes when that process ends",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
