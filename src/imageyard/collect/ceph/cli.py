"""The RbdClient over the ``rbd`` and ``ceph`` commands (``--format json``), for hosts without
the Python bindings.

Concepts: the CLI client reads a pool with a fixed number of commands instead of one per
image: ``rbd ls -l`` (sizes, parents and user snapshots with their protected flag) and
``rbd du -p POOL`` (used bytes of the head and of each user snapshot; images without fast-diff
are named in a warning and get ``used`` None, matching the bindings client). ``rbd snap ls
--all`` runs only where the collector asks for it (a clone names a parent snapshot that the
user namespace does not show), ``rbd status`` only when watchers are asked for, and ``rbd
info``/``snap ls --all --image-id`` once per trash entry. ``rbd ls -l`` names neither features
nor op_features, so images read here carry ``features_known`` False. A failing command becomes
a CephError whose errno is the ``(N) Message`` that rbd/ceph print on stderr. The parsers are
pure functions of the JSON text, tested on recorded outputs. The CLI client does not read
image headers (``read_header`` returns None): the rbd command has no small ranged read, and
exporting a whole snapshot to keep 512 bytes would be far too heavy.
"""

from __future__ import annotations

import errno as errno_codes
import json
import os
import re
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from imageyard.collect.ceph.cephx import parse_auth_get, parse_min_compat
from imageyard.collect.ceph.client import CephError, ClusterTarget, Fault, ImageRef, PoolRecord
from imageyard.model.ceph import (
    CephxCaps,
    DetectedFormat,
    RbdImage,
    RbdParentRef,
    Snapshot,
    SnapshotNamespace,
    TrashEntry,
)

_ERRNO = re.compile(r"\((\d+)\) ([^\n]+)")
_CONNECT = ("couldn't connect to the cluster", "error connecting to the cluster", "global_init")
_NO_FAST_DIFF = re.compile(r"fast-diff map is not enabled for (\S+?)\.? operation may be slow")
_CTIME = "%a %b %d %H:%M:%S %Y"


# ------------------------------------------------------------------ parsers (pure)


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text or "null")
    except json.JSONDecodeError as exc:
        raise CephError(f"{what}: not JSON ({exc})") from exc


def error_from_stderr(stderr: str, what: str, returncode: int) -> CephError:
    """A CephError for a failed command: errno from the last ``(N) Message``, connect faults."""
    found = _ERRNO.findall(stderr)
    code = int(found[-1][0]) if found else None
    reason = found[-1][1].strip() if found else (stderr.strip().splitlines() or ["?"])[-1]
    fault = Fault.CONNECT if any(marker in stderr for marker in _CONNECT) else None
    return CephError(f"{what}: {reason} (exit {returncode})", errno=code, fault=fault)


def parse_fsid(text: str) -> str:
    """``ceph fsid --format json``."""
    return str(_json(text, "ceph fsid")["fsid"])


def parse_pools(text: str) -> tuple[PoolRecord, ...]:
    """``ceph osd pool ls detail --format json``."""
    return tuple(
        PoolRecord(
            name=p["pool_name"],
            id=int(p["pool_id"]),
            applications=tuple(sorted(p.get("application_metadata") or {})),
        )
        for p in _json(text, "ceph osd pool ls detail")
    )


def ctime_to_iso(text: str | None) -> str | None:
    """rbd's ``Wed Nov 25 09:22:47 2026`` (local time) as ``2026-11-25T09:22:47Z``."""
    if not text:
        return None
    try:
        local = time.mktime(time.strptime(text.strip(), _CTIME))
    except (ValueError, OverflowError):
        return None
    return datetime.fromtimestamp(local, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parent(raw: dict[str, Any]) -> RbdParentRef:
    image_id = raw.get("id")
    return RbdParentRef(
        pool=raw["pool"],
        image=raw["image"],
        snapshot=raw["snapshot"],
        pool_namespace=raw.get("pool_namespace", ""),
        image_id=str(image_id) if image_id else None,
        in_trash=bool(raw.get("trash", False)),
    )


def _flag(value: object) -> bool:
    return value is True or str(value).lower() == "true"


def parse_ls_long(text: str, pool: str) -> tuple[RbdImage, ...]:
    """``rbd ls -l -p POOL --format json``: one record per image, user snapshots attached."""
    heads: dict[str, RbdImage] = {}
    snaps: dict[str, list[Snapshot]] = {}
    for row in _json(text, f"rbd ls -l {pool}"):
        name = row["image"]
        if "snapshot" in row:
            snaps.setdefault(name, []).append(
                Snapshot(
                    name=row["snapshot"],
                    id=int(row.get("snapshot_id", -1)),
                    size=int(row["size"]),
                    protected=_flag(row.get("protected")),
                )
            )
        else:
            parent = _parent(row["parent"]) if row.get("parent") else None
            heads[name] = RbdImage(
                pool=pool,
                name=name,
                id=str(row.get("id", "")),
                size=int(row["size"]),
                parent=parent,
                features_known=False,
            )
    return tuple(
        replace(image, snapshots=tuple(sorted(snaps.get(name, ()), key=lambda s: s.id)))
        for name, image in heads.items()
    )


@dataclass(frozen=True)
class PoolUsage:
    """``rbd du`` of one pool: used bytes per image head and per (image, snapshot id)."""

    heads: dict[str, int] = field(default_factory=dict)
    snapshots: dict[tuple[str, int], int] = field(default_factory=dict)
    slow: frozenset[str] = frozenset()  # images without fast-diff (stderr warning)

    def image_used(self, image: RbdImage) -> int | None:
        """Head plus user snapshots, as ``rbd du`` sums them; None when unknown."""
        if image.name in self.slow or image.name not in self.heads:
            return None
        snaps = sum(
            self.snapshots.get((image.name, s.id), 0)
            for s in image.snapshots
            if s.namespace is SnapshotNamespace.USER
        )
        return self.heads[image.name] + snaps


def parse_du(text: str, stderr: str = "") -> PoolUsage:
    """``rbd du -p POOL --format json`` and its stderr."""
    heads: dict[str, int] = {}
    snaps: dict[tuple[str, int], int] = {}
    for row in _json(text, "rbd du").get("images", []):
        used = int(row["used_size"])
        if "snapshot" in row:
            snaps[(row["name"], int(row.get("snapshot_id", -1)))] = used
        else:
            heads[row["name"]] = used
    slow = frozenset(_NO_FAST_DIFF.findall(stderr))
    return PoolUsage(heads=heads, snapshots=snaps, slow=slow)


def apply_usage(image: RbdImage, usage: PoolUsage | None) -> RbdImage:
    """``image`` with used bytes of itself and its user snapshots from ``usage``."""
    if usage is None or image.name in usage.slow:
        return image
    snaps = tuple(
        replace(s, used=usage.snapshots.get((image.name, s.id)))
        if s.namespace is SnapshotNamespace.USER
        else s
        for s in image.snapshots
    )
    return replace(image, used=usage.image_used(image), snapshots=snaps)


_NAMESPACE_NAMES = {ns.value: ns for ns in SnapshotNamespace}


def parse_snap_ls_all(text: str) -> tuple[Snapshot, ...]:
    """``rbd snap ls --all --format json``: every namespace, trash names kept."""
    snaps = []
    for row in _json(text, "rbd snap ls --all"):
        ns = row.get("namespace") or {"type": "user"}
        namespace = _NAMESPACE_NAMES.get(ns.get("type", ""), SnapshotNamespace.UNKNOWN)
        snaps.append(
            Snapshot(
                name=row["name"],
                id=int(row["id"]),
                size=int(row["size"]),
                protected=_flag(row.get("protected")),
                namespace=namespace,
                trash_original_name=ns.get("original_name"),
            )
        )
    return tuple(sorted(snaps, key=lambda s: s.id))


def parse_watchers(text: str) -> int:
    """``rbd status --format json``: the number of watchers."""
    return len(_json(text, "rbd status").get("watchers", []))


def parse_info_size(text: str) -> int:
    """``rbd info --format json``: the size in bytes."""
    return int(_json(text, "rbd info")["size"])


def parse_info_times(text: str) -> tuple[str | None, str | None]:
    """``rbd info --format json``: the image's create and modify time (ISO 8601 UTC)."""
    info = _json(text, "rbd info")
    return ctime_to_iso(info.get("create_timestamp")), ctime_to_iso(info.get("modify_timestamp"))


def _deferment(status: str | None) -> str | None:
    for prefix in ("expired at ", "protected until "):
        if status and status.startswith(prefix):
            return ctime_to_iso(status[len(prefix) :])
    return None


def parse_trash_ls_long(text: str) -> tuple[TrashEntry, ...]:
    """``rbd trash ls -l -p POOL --format json``."""
    return tuple(
        TrashEntry(
            id=row["id"],
            name=row["name"],
            source=str(row.get("source", "USER")).upper(),
            deleted_at=ctime_to_iso(row.get("deleted_at")),
            deferment_end=_deferment(row.get("status")),
        )
        for row in _json(text, "rbd trash ls -l")
    )


# ------------------------------------------------------------------ the client


def _base(tool: str, target: ClusterTarget, timeout: float) -> list[str]:
    seconds = str(max(1, int(timeout)))
    args = [tool, "-c", target.conf, "--client_mount_timeout", seconds]
    args += ["--rados_mon_op_timeout", seconds, "--rados_osd_op_timeout", seconds]
    if target.user:
        args += ["--id", target.user]
    if target.keyring:
        args += ["--keyring", target.keyring]
    return args


@dataclass
class _PoolView:
    images: dict[str, RbdImage]


class CliClient:
    """An RbdClient that runs ``rbd``/``ceph`` subprocesses (one target, fixed options)."""

    def __init__(self, target: ClusterTarget, timeout: float) -> None:
        self._target = target
        self._timeout = timeout
        self._views: dict[str, _PoolView] = {}
        self._fsid: str | None = None

    @classmethod
    def connect(cls, target: ClusterTarget, timeout: float) -> CliClient:
        """Check the connection with ``ceph fsid``; CephError(fault CONNECT) when it fails."""
        client = cls(target, timeout)
        try:
            client._fsid = parse_fsid(client._ceph(["fsid"], "ceph fsid"))
        except CephError as exc:
            raise CephError(
                f"cannot connect with {target.conf}: {exc}", errno=exc.errno, fault=Fault.CONNECT
            ) from exc
        return client

    def _run(self, tool: str, args: Sequence[str], what: str) -> tuple[str, str]:
        argv = [*_base(tool, self._target, self._timeout), *args, "--format", "json"]
        env = {**os.environ, "LC_ALL": "C"}
        try:
            done = subprocess.run(
                argv,
                capture_output=True,
                text=True,
                timeout=self._timeout * 4,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise CephError(f"{what}: timed out", errno=errno_codes.ETIMEDOUT) from exc
        except OSError as exc:
            raise CephError(f"{what}: cannot run {tool}: {exc}", fault=Fault.CONNECT) from exc
        if done.returncode != 0:
            raise error_from_stderr(done.stderr, what, done.returncode)
        return done.stdout, done.stderr

    def _rbd(self, args: Sequence[str], what: str) -> tuple[str, str]:
        return self._run("rbd", args, what)

    def _ceph(self, args: Sequence[str], what: str) -> str:
        return self._run("ceph", args, what)[0]

    def fsid(self) -> str:
        if self._fsid is None:
            self._fsid = parse_fsid(self._ceph(["fsid"], "ceph fsid"))
        return self._fsid

    def min_compat_client(self) -> str:
        """``require_min_compat_client`` from ``ceph osd dump``."""
        return parse_min_compat(self._ceph(["osd", "dump"], "osd dump"))

    def cephx_caps(self, entity: str) -> CephxCaps:
        """The caps of ``entity`` from ``ceph auth get`` (the key is dropped at once)."""
        return parse_auth_get(self._ceph(["auth", "get", entity], f"auth get {entity}"), entity)

    def pools(self) -> tuple[PoolRecord, ...]:
        return parse_pools(self._ceph(["osd", "pool", "ls", "detail"], "list pools"))

    def images(self, pool: str) -> tuple[ImageRef, ...]:
        view = self._view(pool)
        return tuple(ImageRef(name=i.name, id=i.id) for i in view.images.values())

    def _view(self, pool: str) -> _PoolView:
        if pool not in self._views:
            listed, _ = self._rbd(["ls", "-l", "-p", pool], f"list images of pool {pool}")
            images = parse_ls_long(listed, pool)
            usage = self._usage(pool)
            self._views[pool] = _PoolView({i.name: apply_usage(i, usage) for i in images})
        return self._views[pool]

    def _usage(self, pool: str) -> PoolUsage | None:
        try:
            out, err = self._rbd(["du", "-p", pool], f"du of pool {pool}")
        except CephError:
            return None  # used bytes stay unknown (None)
        return parse_du(out, err)

    def image(self, pool: str, ref: ImageRef, *, watchers: bool) -> RbdImage:
        found = self._view(pool).images.get(ref.name)
        if found is None:
            raise CephError(f"image {pool}/{ref.name}: not listed", errno=errno_codes.ENOENT)
        found = self._times(pool, found)
        if not watchers:
            return found
        out, _ = self._rbd(["status", f"{pool}/{ref.name}"], f"watchers of {pool}/{ref.name}")
        return replace(found, watchers=parse_watchers(out))

    def _times(self, pool: str, image: RbdImage) -> RbdImage:
        """Create and modify time from ``rbd info`` (one call per image; ``ls -l`` has
        neither); a failure leaves them unknown (None)."""
        try:
            out, _ = self._rbd(["info", f"{pool}/{image.name}"], f"info of {pool}/{image.name}")
            created, modified = parse_info_times(out)
        except CephError:
            return image
        return replace(image, created=created, modified=modified)

    def snapshots(self, pool: str, name: str) -> tuple[Snapshot, ...]:
        out, _ = self._rbd(["snap", "ls", "--all", f"{pool}/{name}"], f"snapshots of {pool}/{name}")
        return parse_snap_ls_all(out)

    def read_header(self, pool: str, name: str, snapshot: str | None) -> DetectedFormat | None:
        """Always None: ``rbd export ... | head -c 512`` would stream the whole image."""
        return None

    def trash(self, pool: str) -> tuple[TrashEntry, ...]:
        out, _ = self._rbd(["trash", "ls", "-l", "-p", pool], f"list trash of pool {pool}")
        return tuple(self._trash_details(pool, e) for e in parse_trash_ls_long(out))

    def _trash_details(self, pool: str, entry: TrashEntry) -> TrashEntry:
        where = ["-p", pool, "--image-id", entry.id]
        try:
            info, _ = self._rbd(["info", *where], f"trash entry {pool}/{entry.id}")
            snaps, _ = self._rbd(["snap", "ls", "--all", *where], f"trash entry {pool}/{entry.id}")
        except CephError:
            return entry  # size None: unknown
        return replace(entry, size=parse_info_size(info), snapshots=parse_snap_ls_all(snaps))

    def close(self) -> None:
        self._views.clear()
