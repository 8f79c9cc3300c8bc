"""The Ceph calls apply makes: look at an RBD image or trash entry, trash, purge, flatten.

Concepts: ``RbdOps`` is the seam (a fake in tests, ``RbdBindings`` over Ceph's own
``rados``/``rbd`` Python bindings). ``stat`` answers None for an image that is not in the
pool (moved to the trash, or never there), else its id, size, watcher count and parent
(``pool/image@snap``, None for an image that is not a clone). ``trash_move`` is ``rbd
trash mv --expires-at``: the image leaves the pool but stays restorable (``rbd trash
restore``) and cannot be purged before the deferment ends. ``trash_get`` reads one trash
entry (None when it is gone), with its deferment's end in epoch seconds; ``trash_remove``
is ``rbd snap purge`` of the entry (a deleted Glance image may keep user snapshots, which
``rbd trash rm`` refuses) and ``rbd trash rm`` without ``--force``, after reading the
entry's deferment again: one that has not ended is refused before anything changes (and
librbd itself refuses it too). ``trash_restore`` is ``rbd trash restore``: the entry goes
back into the pool under the given name. ``flatten`` is ``rbd flatten``: the clone gets its
parent's data and no longer depends on it. ``RbdBindings`` is also the ``CephSource``
convert-to-raw reads snapshots from in place (``imageyard.apply.rbd_source``).
"""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import threading
from collections.abc import Iterator
from typing import Any, Protocol

from imageyard.apply.glance import StepError
from imageyard.apply.rbd_source import qemu_rbd_name
from imageyard.model.location import RbdLocation

_READ = 4 << 20


class RbdOps(Protocol):
    """What apply asks of Ceph."""

    def stat(self, pool: str, name: str) -> dict[str, Any] | None:
        """``id``, ``size`` and ``watchers`` of ``pool/name``, or None when it is absent."""
        ...

    def trash_move(self, pool: str, name: str, delay: int) -> None:
        """Move ``pool/name`` to the trash, not purgeable for ``delay`` seconds."""
        ...

    def trash_get(self, pool: str, image_id: str) -> dict[str, Any] | None:
        """``name``, ``source`` and ``deferment_end`` (epoch seconds) of a trash entry."""
        ...

    def trash_remove(self, pool: str, image_id: str) -> None:
        """Purge a trash entry (refused by librbd before its deferment ends)."""
        ...

    def trash_restore(self, pool: str, image_id: str, name: str) -> None:
        """Move trash entry ``image_id`` back into the pool as ``name``."""
        ...

    def flatten(self, pool: str, name: str) -> None:
        """Copy the parent's data into clone ``pool/name`` and detach it."""
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
        self.conf, self.user = conf, user

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
                        "parent": _parent(image),
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

    def trash_get(self, pool: str, image_id: str) -> dict[str, Any] | None:
        import rbd

        with self._ioctx(pool) as ioctx:
            try:
                info = rbd.RBD().trash_get(ioctx, image_id)
            except rbd.ImageNotFound:
                return None
            except rbd.Error as exc:
                raise StepError(f"rbd trash info {pool}/{image_id}: {exc}") from None
        end = info.get("deferment_end_time")
        if end is not None and end.tzinfo is None:
            end = end.replace(tzinfo=datetime.UTC)  # librbd's times are naive UTC
        return {
            "name": info.get("name"),
            "source": str(info.get("source", "")),
            "deferment_end": end.timestamp() if end is not None else None,
        }

    def trash_remove(self, pool: str, image_id: str) -> None:
        import rbd

        with self._ioctx(pool) as ioctx:
            try:
                _deferment_over(ioctx, image_id)
                _purge_snapshots(ioctx, image_id)
                rbd.RBD().trash_remove(ioctx, image_id, force=False)
            except rbd.ImageNotFound:
                return
            except rbd.Error as exc:
                raise StepError(f"rbd trash rm {pool}/{image_id}: {exc}") from None

    def fsid(self) -> str:
        """The cluster's fsid."""
        return str(self._cluster.get_fsid())

    def qemu_source(self, loc: RbdLocation) -> str:
        """The snapshot as qemu's rbd driver names it, through this conf and user."""
        return qemu_rbd_name(loc, self.conf, self.user)

    def snapshot_digest(self, loc: RbdLocation, algo: str) -> tuple[int, str]:
        """Size and digest of a snapshot, read in 4 MiB blocks (outside the lock: librados
        is thread-safe, and a long read must not hold up the other lanes)."""
        import rados
        import rbd

        digest = hashlib.new(algo)
        try:
            ioctx = self._cluster.open_ioctx(loc.pool)
        except rados.Error as exc:
            raise StepError(f"cannot open pool {loc.pool}: {exc}") from None
        try:
            with rbd.Image(ioctx, loc.image, snapshot=loc.snapshot, read_only=True) as image:
                size = image.size()
                for offset in range(0, size, _READ):
                    digest.update(image.read(offset, min(_READ, size - offset)))
        except rbd.Error as exc:
            raise StepError(f"rbd {loc.pool}/{loc.image}@{loc.snapshot}: {exc}") from None
        finally:
            ioctx.close()
        return size, digest.hexdigest()

    def trash_restore(self, pool: str, image_id: str, name: str) -> None:
        import rbd

        with self._ioctx(pool) as ioctx:
            try:
                rbd.RBD().trash_restore(ioctx, image_id, name)
            except rbd.Error as exc:
                raise StepError(f"rbd trash restore {pool}/{image_id}: {exc}") from None

    def flatten(self, pool: str, name: str) -> None:
        import rbd

        with self._ioctx(pool) as ioctx:
            try:
                with rbd.Image(ioctx, name) as image:
                    image.flatten()
            except rbd.Error as exc:
                raise StepError(f"rbd flatten {pool}/{name}: {exc}") from None


def _deferment_over(ioctx: Any, image_id: str) -> None:
    """Refuse an entry whose deferment has not ended (before any snapshot is touched)."""
    import rbd

    end = rbd.RBD().trash_get(ioctx, image_id).get("deferment_end_time")
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)  # librbd's: naive UTC
    if end is None or end > now:
        raise StepError(f"rbd trash rm {image_id}: its deferment ends {end}")


def _purge_snapshots(ioctx: Any, image_id: str) -> None:
    """``rbd snap purge`` of a trash entry: its user snapshots, unprotected first (librbd
    refuses one a clone still uses); those in the trash namespace go with their last clone."""
    import rbd

    with rbd.Image(ioctx, image_id=image_id) as image:
        for snap in list(image.list_snaps()):
            if snap.get("namespace", rbd.RBD_SNAP_NAMESPACE_TYPE_USER) != (
                rbd.RBD_SNAP_NAMESPACE_TYPE_USER
            ):
                continue
            if image.is_protected_snap(snap["name"]):
                image.unprotect_snap(snap["name"])
            image.remove_snap(snap["name"])


def _parent(image: Any) -> str | None:
    import rbd

    try:
        spec = image.get_parent_image_spec()
    except rbd.ImageNotFound:
        return None
    ns = f"{spec['pool_namespace']}/" if spec.get("pool_namespace") else ""
    return f"{spec['pool_name']}/{ns}{spec['image_name']}@{spec['snap_name']}"
