"""The client seam between the Ceph collector and a cluster: one protocol, plain records.

Concepts: an ``RbdClient`` is one open connection to one cluster as one cephx user. It
answers in the model's own records (``RbdImage``, ``Snapshot``, ``TrashEntry``) plus two
small ones defined here (``PoolRecord``, ``ImageRef``), so the bindings client and the CLI
client are interchangeable. Every failure leaves a client as a ``CephError`` carrying an
errno and a ``Fault`` class (connect, permission, not-found, timeout, other); the collector
decides what each fault means for the inventory. A ``ClusterTarget`` names what to connect to:
a ceph.conf, a cephx user (None: the one librados picks, ``client.admin``) and an optional
keyring (None: the ``keyring`` option of the conf). A client that can also read an image's
first bytes implements ``HeaderReader``; the collector asks only such clients.
"""

from __future__ import annotations

import enum
import errno as errno_codes
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple, Protocol, runtime_checkable

from imageyard.model.ceph import DetectedFormat, RbdImage, Snapshot, TrashEntry

DEFAULT_TIMEOUT = 15.0
"""Seconds allowed for connecting and for each cluster operation."""


class Fault(enum.StrEnum):
    """What kind of failure a CephError is."""

    CONNECT = "connect"
    PERMISSION = "permission"
    NOT_FOUND = "not-found"
    TIMEOUT = "timeout"
    OTHER = "other"


_BY_ERRNO = {
    errno_codes.EPERM: Fault.PERMISSION,
    errno_codes.EACCES: Fault.PERMISSION,
    errno_codes.ENOENT: Fault.NOT_FOUND,
    errno_codes.ETIMEDOUT: Fault.TIMEOUT,
}


def fault_of(code: int | None) -> Fault:
    """The fault class of an errno (OTHER when unknown)."""
    return _BY_ERRNO.get(abs(code), Fault.OTHER) if code is not None else Fault.OTHER


class CephError(Exception):
    """A cluster operation failed; ``fault`` says how, ``errno`` is the code when known."""

    def __init__(self, message: str, *, errno: int | None = None, fault: Fault | None = None):
        super().__init__(message)
        self.message = message
        self.errno = errno
        self.fault = fault if fault is not None else fault_of(errno)

    def __str__(self) -> str:
        return self.message


class ClusterTarget(NamedTuple):
    """One cluster to read: its ceph.conf, the cephx user and an optional keyring file."""

    conf: str
    user: str | None = None
    keyring: str | None = None


@dataclass(frozen=True)
class PoolRecord:
    """One pool and the applications enabled on it."""

    name: str
    id: int | None = None
    applications: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImageRef:
    """An image as a pool listing names it."""

    name: str
    id: str = ""


class RbdClient(Protocol):
    """The calls the Ceph collector makes; every method raises only CephError."""

    def fsid(self) -> str:
        """The cluster fsid."""
        ...

    def pools(self) -> tuple[PoolRecord, ...]:
        """Every pool with its applications."""
        ...

    def images(self, pool: str) -> tuple[ImageRef, ...]:
        """The images of ``pool`` (default namespace)."""
        ...

    def image(self, pool: str, ref: ImageRef, *, watchers: bool) -> RbdImage:
        """One image: size, used bytes, features, snapshots, parent (and watchers if asked).

        A ``NOT_FOUND`` CephError means the image vanished after it was listed.
        """
        ...

    def snapshots(self, pool: str, name: str) -> tuple[Snapshot, ...]:
        """Every snapshot of ``pool/name`` in every namespace (``snap ls --all``)."""
        ...

    def trash(self, pool: str) -> tuple[TrashEntry, ...]:
        """The trash entries of ``pool`` with size and snapshots where readable."""
        ...

    def close(self) -> None:
        """Release the connection."""
        ...


@runtime_checkable
class HeaderReader(Protocol):
    """An optional client ability: the format shown by an image's first bytes."""

    def read_header(self, pool: str, name: str, snapshot: str | None) -> DetectedFormat | None:
        """The detected format of ``pool/name[@snapshot]``; None when this client cannot read.

        Raises CephError when the read fails.
        """
        ...


ClientFactory = Callable[[ClusterTarget, float], RbdClient]
"""Opens an RbdClient for a target with a timeout; raises CephError (fault CONNECT) when it
cannot."""


# ------------------------------------------------------------------ feature names


FEATURE_BITS: tuple[tuple[int, str], ...] = (
    (1, "layering"),
    (2, "striping"),
    (4, "exclusive-lock"),
    (8, "object-map"),
    (16, "fast-diff"),
    (32, "deep-flatten"),
    (64, "journaling"),
    (128, "data-pool"),
    (256, "operations"),
    (512, "migrating"),
    (1024, "non-primary"),
)
"""RBD image feature bits and the names ``rbd info`` prints, in ``rbd info`` order."""

OP_FEATURE_BITS: tuple[tuple[int, str], ...] = (
    (1, "clone-parent"),
    (2, "clone-child"),
    (4, "group"),
    (8, "snap-trash"),
)
"""RBD operation-feature bits and their ``rbd info`` names."""


def bit_names(mask: int, table: tuple[tuple[int, str], ...]) -> tuple[str, ...]:
    """The names of the bits set in ``mask`` (unknown bits as ``bit-<n>``)."""
    names = [name for bit, name in table if mask & bit]
    known = sum(bit for bit, _ in table)
    extra = mask & ~known
    names += [f"bit-{n}" for n in range(extra.bit_length()) if extra >> n & 1]
    return tuple(names)
