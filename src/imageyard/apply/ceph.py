"""The Ceph calls apply makes: look at one RBD image, move it to the trash with a deferment.

Concepts: ``RbdOps`` is the seam (a fake in tests, ``RbdBindings`` over Ceph's own
``rados``/``rbd`` Python bindings). ``stat`` answers None for an image that is not in the
pool (moved to the trash, or never there), else its id, size and watcher count.
``trash_move`` is ``rbd trash mv --expires-at``: the image leaves the pool but stays
restorable (``rbd trash restore``) and cannot be purged before the deferment ends.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any, Protocol

from imageyard.apply.glance import StepError


class RbdOps(Protocol):
    """What apply asks of Ceph."""

    def stat(self, pool: str, name: str) -> dict[str, Any] | None:
        """``id``, ``size`` and ``watchers`` of ``pool/name``, or None when it is absent."""
        ...

    def trash_move(self, pool: str, name: str, delay: int) -> None:
        """Move ``pool/name`` to the trash, not purgeable for ``delay`` seconds."""
        ...


class RbdBindings:
    """``RbdOps`` over librados/librbd (one connection, used under a lock)."""

    def __init__(self, conf: str, user: str | None = None) -> None:
        import rados

        quiet = {"log_to_stderr": "false", "err_to_stderr": "false"}
        try:
            self._cluster = rados.Rados(conffile=conf, rados_id=user, conf_defaults=quiet)
            self._cluster.connect(timeout=15)
        except rados.Error as exc:
            raise StepError(f"cannot connect to Ceph with {conf}: {exc}") from None
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _ioctx(self, pool: str) -> Iterator[Any]:
        import rados

        with self._lock:
            try:
                ioctx = self._cluster.open_ioctx(pool)
            except rados.Error as exc:
                raise StepError(f"cannot open pool {pool}: {exc}") from None
            try:
                yield ioctx
            finally:
                ioctx.close()

    def stat(self, pool: str, name: str) -> dict[str, Any] | None:
        import rbd

        with self._ioctx(pool) as ioctx:
            try:
                with rbd.Image(ioctx, name, read_only=True) as image:
                    return {
                        "id": image.id(),
                        "size": image.size(),
                        "watchers": len(list(image.watchers_list())),
                    }
            except rbd.ImageNotFound:
                return None
            except rbd.Error as exc:
                raise StepError(f"rbd {pool}/{name}: {exc}") from None

    def trash_move(self, pool: str, name: str, delay: int) -> None:
        import rbd

        with self._ioctx(pool) as ioctx:
            try:
                rbd.RBD().trash_move(ioctx, name, delay)
            except rbd.ImageNotFound:
                return
            except rbd.Error as exc:
                raise StepError(f"rbd trash mv {pool}/{name}: {exc}") from None
