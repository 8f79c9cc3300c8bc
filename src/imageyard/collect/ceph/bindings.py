"""The RbdClient over Ceph's Python bindings (``rados``, ``rbd``): one connection per cluster.

Concepts: ``BindingsClient.connect`` opens librados with the target's conffile, cephx user and
optional keyring, bounding the connect and every monitor and OSD operation by ``timeout``.
Each image is opened once, read-only, and everything about it is read through that handle:
size, features, op_features, snapshots of every namespace (``list_snaps`` reports the trash
namespace that ``rbd snap ls`` hides), parent spec and id, and used bytes. Used bytes follow
``rbd du``: with fast-diff on and valid, ``diff_iterate(whole_object=True)`` from each user
snapshot to the next and then to the head, summed; without fast-diff they are None (unknown)
rather than a slow full scan. Every ``rados.Error``/``rbd.Error`` leaves as a ``CephError``.
``read_header`` opens one image (at a snapshot) read-only and reads its first 512 bytes (and
5 bytes at 0x8001 when no magic matched) for ``header.detect_format``.
Importing this module needs the bindings; the collector falls back to the CLI client when
it cannot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import rados
import rbd

from imageyard.collect.ceph.cephx import parse_auth_get, parse_min_compat
from imageyard.collect.ceph.client import (
    FEATURE_BITS,
    OP_FEATURE_BITS,
    CephError,
    ClusterTarget,
    Fault,
    ImageRef,
    PoolRecord,
    bit_names,
)
from imageyard.collect.ceph.header import HEADER_BYTES, ISO_MAGIC_LEN, ISO_OFFSET, detect_format
from imageyard.model.ceph import (
    CephxCaps,
    DetectedFormat,
    RbdImage,
    RbdParentRef,
    Snapshot,
    SnapshotNamespace,
    TrashEntry,
)

_NAMESPACES = {
    rbd.RBD_SNAP_NAMESPACE_TYPE_USER: SnapshotNamespace.USER,
    rbd.RBD_SNAP_NAMESPACE_TYPE_GROUP: SnapshotNamespace.GROUP,
    rbd.RBD_SNAP_NAMESPACE_TYPE_TRASH: SnapshotNamespace.TRASH,
    rbd.RBD_SNAP_NAMESPACE_TYPE_MIRROR: SnapshotNamespace.MIRROR,
}


def translate(exc: BaseException, what: str, fault: Fault | None = None) -> CephError:
    """A CephError for a bindings exception, keeping its errno."""
    code = getattr(exc, "errno", None)
    return CephError(f"{what}: {exc}", errno=code if isinstance(code, int) else None, fault=fault)


@contextmanager
def _op(what: str) -> Iterator[None]:
    try:
        yield
    except (rados.Error, rbd.Error) as exc:
        raise translate(exc, what) from exc


def _iso(stamp: datetime | None) -> str | None:
    """A naive UTC datetime (as the bindings return them) as ``YYYY-MM-DDTHH:MM:SSZ``."""
    if stamp is None:
        return None
    aware = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _timeouts(timeout: float) -> dict[str, str]:
    seconds = str(max(1, int(timeout)))
    return {
        "client_mount_timeout": seconds,
        "rados_mon_op_timeout": seconds,
        "rados_osd_op_timeout": seconds,
    }


class BindingsClient:
    """An RbdClient over one librados connection."""

    def __init__(self, cluster: Any) -> None:
        self._cluster = cluster
        self._ioctxs: dict[str, Any] = {}

    @classmethod
    def connect(cls, target: ClusterTarget, timeout: float) -> BindingsClient:
        """Connect as ``target.user``; CephError(fault CONNECT) when that fails."""
        conf = _timeouts(timeout)
        # NOTE: librados would print its own errors on stderr; every failure reaches the
        # caller as an exception and becomes one gap, so its log lines are not wanted.
        # (set before the file is read too, so its parse warnings stay quiet as well)
        quiet = {"log_to_stderr": "false", "err_to_stderr": "false"}
        conf.update(quiet)
        if target.keyring:
            conf["keyring"] = target.keyring
        try:
            cluster = rados.Rados(
                conffile=target.conf, rados_id=target.user, conf_defaults=quiet, conf=conf
            )
        except rados.Error as exc:
            raise translate(exc, f"cannot read {target.conf}", Fault.CONNECT) from exc
        try:
            cluster.connect(timeout=max(1, int(timeout)))
        except rados.Error as exc:
            cluster.shutdown()
            raise translate(exc, f"cannot connect with {target.conf}", Fault.CONNECT) from exc
        return cls(cluster)

    def _ioctx(self, pool: str) -> Any:
        if pool not in self._ioctxs:
            self._ioctxs[pool] = self._cluster.open_ioctx(pool)
        return self._ioctxs[pool]

    def fsid(self) -> str:
        with _op("fsid"):
            return str(self._cluster.get_fsid())

    def pools(self) -> tuple[PoolRecord, ...]:
        with _op("list pools"):
            return tuple(self._pool(name) for name in self._cluster.list_pools())

    def _pool(self, name: str) -> PoolRecord:
        apps = tuple(sorted(self._ioctx(name).application_list()))
        return PoolRecord(name=name, id=int(self._cluster.pool_lookup(name)), applications=apps)

    def images(self, pool: str) -> tuple[ImageRef, ...]:
        with _op(f"list images of pool {pool}"):
            listed = rbd.RBD().list2(self._ioctx(pool))
            return tuple(ImageRef(name=i["name"], id=i["id"]) for i in listed)

    def image(self, pool: str, ref: ImageRef, *, watchers: bool) -> RbdImage:
        with _op(f"image {pool}/{ref.name}"), self._open(pool, name=ref.name) as im:
            return _read_image(pool, ref.name, im, watchers)

    def snapshots(self, pool: str, name: str) -> tuple[Snapshot, ...]:
        with _op(f"snapshots of {pool}/{name}"), self._open(pool, name=name) as im:
            return _snapshots(im)

    def read_header(self, pool: str, name: str, snapshot: str | None) -> DetectedFormat | None:
        """The format the first bytes of ``pool/name[@snapshot]`` show (read-only open)."""
        spec = f"{pool}/{name}" + (f"@{snapshot}" if snapshot else "")
        with _op(f"header of {spec}"):
            image = rbd.Image(self._ioctx(pool), name=name, snapshot=snapshot, read_only=True)
            try:
                size = int(image.size())
                head = bytes(image.read(0, min(HEADER_BYTES, size))) if size else b""
                probe = b""
                if size >= ISO_OFFSET + ISO_MAGIC_LEN and detect_format(head).format == "raw":
                    probe = bytes(image.read(ISO_OFFSET, ISO_MAGIC_LEN))
            finally:
                image.close()
        return detect_format(head, probe, snapshot)

    def _mon(self, command: dict[str, str], what: str) -> bytes:
        with _op(what):
            code, out, status = self._cluster.mon_command(json.dumps(command), b"")
        if code != 0:
            raise CephError(f"{what}: {status or code}", errno=code)
        return bytes(out)

    def min_compat_client(self) -> str:
        """``require_min_compat_client`` from the OSD map (``osd dump``)."""
        return parse_min_compat(self._mon({"prefix": "osd dump", "format": "json"}, "osd dump"))

    def cephx_caps(self, entity: str) -> CephxCaps:
        """The caps of ``entity`` (``auth get``; the key in the answer is dropped)."""
        command = {"prefix": "auth get", "entity": entity, "format": "json"}
        return parse_auth_get(self._mon(command, f"auth get {entity}"), entity)

    def trash(self, pool: str) -> tuple[TrashEntry, ...]:
        with _op(f"list trash of pool {pool}"):
            listed = list(rbd.RBD().trash_list(self._ioctx(pool)))
        return tuple(self._trash_entry(pool, e) for e in listed)

    def _trash_entry(self, pool: str, entry: dict[str, Any]) -> TrashEntry:
        size: int | None = None
        snaps: tuple[Snapshot, ...] = ()
        with suppress(rbd.Error), self._open(pool, image_id=entry["id"]) as im:
            size, snaps = int(im.size()), _snapshots(im)
        return TrashEntry(
            id=entry["id"],
            name=entry["name"],
            source=str(entry.get("source", "USER")).upper(),
            deleted_at=_iso(entry.get("deletion_time")),
            deferment_end=_iso(entry.get("deferment_end_time")),
            size=size,
            snapshots=snaps,
        )

    @contextmanager
    def _open(self, pool: str, *, name: str | None = None, image_id: str | None = None) -> Any:
        image = rbd.Image(self._ioctx(pool), name=name, image_id=image_id, read_only=True)
        try:
            yield image
        finally:
            image.close()

    def close(self) -> None:
        for ioctx in self._ioctxs.values():
            with suppress(rados.Error):
                ioctx.close()
        self._ioctxs.clear()
        self._cluster.shutdown()


# ------------------------------------------------------------------ one open image


def _read_image(pool: str, name: str, im: Any, watchers: bool) -> RbdImage:
    features, flags = int(im.features()), int(im.flags())
    snaps = _snapshots(im)
    used, snaps = _usage(im, features, flags, snaps)
    return RbdImage(
        pool=pool,
        name=name,
        id=str(im.id()),
        size=int(im.size()),
        used=used,
        features=bit_names(features, FEATURE_BITS),
        op_features=bit_names(int(im.op_features()), OP_FEATURE_BITS),
        parent=_parent(im),
        snapshots=snaps,
        watchers=len(list(im.watchers_list())) if watchers else None,
        created=_stamp(im, "create_timestamp"),
        modified=_stamp(im, "modify_timestamp"),
    )


def _stamp(im: Any, method: str) -> str | None:
    """One of librbd's image timestamps as ISO 8601 UTC; None when this librbd lacks it."""
    read = getattr(im, method, None)
    if read is None:
        return None
    try:
        return _iso(read())
    except (rbd.Error, ValueError):
        return None


def _snapshots(im: Any) -> tuple[Snapshot, ...]:
    snaps = [_snapshot(im, s) for s in im.list_snaps()]
    return tuple(sorted(snaps, key=lambda s: s.id))


def _snapshot(im: Any, info: dict[str, Any]) -> Snapshot:
    namespace = _NAMESPACES.get(info.get("namespace", 0), SnapshotNamespace.UNKNOWN)
    user = namespace is SnapshotNamespace.USER
    trash = info.get("trash") or {}
    return Snapshot(
        name=info["name"],
        id=int(info["id"]),
        size=int(info["size"]),
        protected=bool(im.is_protected_snap(info["name"])) if user else False,
        namespace=namespace,
        trash_original_name=trash.get("original_name"),
    )


def _parent(im: Any) -> RbdParentRef | None:
    try:
        spec = im.get_parent_image_spec()
    except rbd.ImageNotFound:
        return None  # not a clone
    return RbdParentRef(
        pool=spec["pool_name"],
        image=spec["image_name"],
        snapshot=spec["snap_name"],
        pool_namespace=spec.get("pool_namespace", ""),
        image_id=str(im.parent_id()),
    )


def _usage(
    im: Any, features: int, flags: int, snaps: tuple[Snapshot, ...]
) -> tuple[int | None, tuple[Snapshot, ...]]:
    """Used bytes of the image and of each user snapshot, the way ``rbd du`` counts them."""
    fast = features & rbd.RBD_FEATURE_FAST_DIFF and not flags & rbd.RBD_FLAG_FAST_DIFF_INVALID
    if not fast:
        return None, snaps
    used: dict[int, int] = {}
    previous: str | None = None
    for snap in (s for s in snaps if s.namespace is SnapshotNamespace.USER):
        im.set_snap(snap.name)
        used[snap.id] = _extents(im, snap.size, previous)
        previous = snap.name
    im.set_snap(None)
    head = _extents(im, int(im.size()), previous)
    with_used = tuple(replace(s, used=used[s.id]) if s.id in used else s for s in snaps)
    return head + sum(used.values()), with_used


def _extents(im: Any, length: int, since: str | None) -> int:
    total = 0

    def count(_offset: int, size: int, exists: bool) -> int:
        nonlocal total
        if exists:
            total += size
        return 0

    im.diff_iterate(0, length, since, count, include_parent=False, whole_object=True)
    return total
