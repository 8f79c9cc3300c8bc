"""Ceph clusters as RBD sees them: pools, images, snapshots, clone parents and the trash.

Concepts: a ``CephCluster`` is identified by its fsid (the first part of an rbd location
URL). Each ``Pool`` lists its ``RbdImage`` records and ``TrashEntry`` records. An image that
is a clone has an ``RbdParentRef`` naming ``pool/image@snapshot`` (``in_trash`` when the
parent was moved to the trash while children remain). Snapshots carry their namespace:
``user`` snapshots are the normal ones (Glance's protected ``snap``); a snapshot removed while
v2 clones still use it lives on in the ``trash`` namespace, shown only by ``snap ls --all``.
Sizes are bytes; ``used`` and ``watchers`` are None when they could not be read. A pool whose
images could not be listed has ``complete`` False and an ``error``: its empty image list means
"unknown", never "empty". ``CephCluster.children`` derives clones from their parent refs.
``RbdImage.detected_format`` is what the first bytes of the image (of its ``snap`` snapshot
when it has one) say the data is; None when the header was not read. ``created`` and
``modified`` (ISO 8601 UTC) are when the image was created and last written, None when not
read; they let a reclaim analysis spare images younger than a grace period.

What a clone decision needs beyond the RBD pools read: ``pool_names`` lists *every* pool of
the cluster (not only the rbd ones read; None when the list was not read), since a location
in a pool that does not exist makes the consumer's driver fail rather than fall back;
``require_min_compat_client`` (from the OSD map; None when unread) decides, with the client's
``rbd_default_clone_format``, whether clones are v1 (they need a protected snapshot) or v2;
``cephx`` holds the caps of the consumers' cephx users when the collecting user may read
them (``auth get``; the key is never kept), and an entity missing from it was not read.
"""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass


class SnapshotNamespace(enum.StrEnum):
    """The RBD snapshot namespace."""

    USER = "user"
    TRASH = "trash"
    GROUP = "group"
    MIRROR = "mirror"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Snapshot:
    """One RBD snapshot of an image."""

    name: str
    id: int
    size: int
    protected: bool = False
    namespace: SnapshotNamespace = SnapshotNamespace.USER
    trash_original_name: str | None = None
    used: int | None = None  # bytes written since the previous snapshot (``rbd du``)


@dataclass(frozen=True)
class RbdParentRef:
    """The parent ``pool[/namespace]/image@snapshot`` of a cloned RBD image."""

    pool: str
    image: str
    snapshot: str
    pool_namespace: str = ""
    image_id: str | None = None
    in_trash: bool = False

    @property
    def spec(self) -> str:
        """``pool/image@snapshot`` (with the namespace when there is one)."""
        ns = f"{self.pool_namespace}/" if self.pool_namespace else ""
        return f"{self.pool}/{ns}{self.image}@{self.snapshot}"


@dataclass(frozen=True)
class DetectedFormat:
    """The data format read from an RBD image's first bytes (magic numbers only).

    ``format`` is ``qcow2``, ``vmdk``, ``vhdx``, ``vhd``, ``vdi``, ``iso``, ``raw`` (no
    known magic) or ``unknown`` (nothing could be read). ``snapshot`` names the snapshot
    read (None: the head). qcow2 headers also give their ``version`` and whether they name
    a backing file or (version 3) an external data file.
    """

    format: str
    snapshot: str | None = None
    version: int | None = None
    has_backing_file: bool = False
    has_data_file: bool = False


@dataclass(frozen=True)
class RbdImage:
    """One RBD image in a pool."""

    pool: str
    name: str
    id: str
    size: int
    used: int | None = None
    features: tuple[str, ...] = ()
    op_features: tuple[str, ...] = ()
    parent: RbdParentRef | None = None
    snapshots: tuple[Snapshot, ...] = ()
    watchers: int | None = None
    features_known: bool = True  # False: read without features/op_features (rbd CLI)
    detected_format: DetectedFormat | None = None  # None: the header was not read
    created: str | None = None  # ISO 8601 UTC (librbd's create_timestamp); None: not read
    modified: str | None = None  # ISO 8601 UTC (librbd's modify_timestamp); None: not read

    @property
    def is_clone(self) -> bool:
        """True when the image has a parent."""
        return self.parent is not None

    def snapshot(self, name: str) -> Snapshot | None:
        """The snapshot named ``name``, or None."""
        for snap in self.snapshots:  # NOTE: a loop: asked per location, few snapshots
            if snap.name == name:
                return snap
        return None


@dataclass(frozen=True)
class TrashEntry:
    """One image in a pool's RBD trash."""

    id: str
    name: str
    source: str = "USER"  # USER | MIRRORING | MIGRATION | REMOVING
    deleted_at: str | None = None
    deferment_end: str | None = None
    size: int | None = None
    snapshots: tuple[Snapshot, ...] = ()


@dataclass(frozen=True)
class Pool:
    """One Ceph pool and the RBD images and trash entries in it."""

    name: str
    id: int | None = None
    applications: tuple[str, ...] = ()
    images: tuple[RbdImage, ...] = ()
    trash: tuple[TrashEntry, ...] = ()
    complete: bool = True
    error: str | None = None

    def image(self, name: str) -> RbdImage | None:
        """The RBD image named ``name``, or None."""
        return self._by_name.get(name)

    @functools.cached_property
    def _by_name(self) -> dict[str, RbdImage]:
        # NOTE: built once per Pool; a verdict per image x consumer looks names up here
        by_name: dict[str, RbdImage] = {}
        for image in self.images:
            by_name.setdefault(image.name, image)
        return by_name

    def trash_entry(self, image_id: str) -> TrashEntry | None:
        """The trash entry of image ``image_id``, or None."""
        return next((t for t in self.trash if t.id == image_id), None)


@dataclass(frozen=True)
class CephxCaps:
    """The caps of one cephx entity (``client.nova``), as ``auth get`` shows them."""

    entity: str
    mon: str = ""
    osd: str = ""


@dataclass(frozen=True)
class CephCluster:
    """One Ceph cluster, identified by its fsid."""

    fsid: str
    name: str = "ceph"
    conf_path: str | None = None
    pools: tuple[Pool, ...] = ()
    pool_names: tuple[str, ...] | None = None
    require_min_compat_client: str | None = None
    cephx: tuple[CephxCaps, ...] = ()

    def pool(self, name: str) -> Pool | None:
        """The pool named ``name``, or None."""
        for pool in self.pools:  # NOTE: a loop: asked per location, few pools
            if pool.name == name:
                return pool
        return None

    def has_pool(self, name: str) -> bool | None:
        """Whether the cluster has a pool ``name`` (None: the pool list was not read)."""
        if self.pool(name) is not None:
            return True
        return None if self.pool_names is None else name in self.pool_names

    def caps(self, entity: str) -> CephxCaps | None:
        """The caps of ``entity`` (``client.nova``), or None when they were not read."""
        return next((c for c in self.cephx if c.entity == entity), None)

    def children(self, pool: str, image: str, snapshot: str | None = None) -> tuple[RbdImage, ...]:
        """Clones (in every pool read) whose parent is ``pool/image[@snapshot]``.

        ``image`` matches the parent's name or id. Pools that could not be read
        (``complete`` False) may hold more children.
        """
        return tuple(
            child
            for p in self.pools
            for child in p.images
            if child.parent is not None
            and child.parent.pool == pool
            and image in (child.parent.image, child.parent.image_id)
            and snapshot in (None, child.parent.snapshot)
        )
