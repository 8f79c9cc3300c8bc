"""A convert-to-raw source read where it lies: the image's RBD snapshot, opened by qemu.

Concepts: an image in a Glance RBD store has a location ``rbd://<fsid>/<pool>/<image>/<snap>``
(four URL-quoted parts, as glance_store's ``StoreLocation.get_uri`` writes them). When
apply can reach that cluster (``--ceph-conf``, whose fsid must be the location's), qemu's
rbd block driver reads the snapshot in place (``rbd:<pool>/<image>@<snap>:conf=...:id=...``,
Debian's ``qemu-block-extra``), so the source is never downloaded. Before that the
snapshot is read once through librbd and its size and hash must equal the image's
``size`` and ``os_hash_value`` (the check the download path makes). ``choose`` answers the
location to read, or why the download path is taken instead: no cluster given, no rbd
location of that cluster, an rbd location without cluster, pool and snapshot (the legacy
``rbd://<image>`` form).

NOTE: qemu 7.2's rbd driver opens the image with a watch on its header even for a
read-only export, which a cephx user with ``profile rbd-read-only`` may not set (``error
reading header ... Operation not permitted``, seen on the lab): such a user makes apply
fall back to the download path.
"""

from __future__ import annotations

from typing import Protocol

from imageyard.apply.glance import ImageDoc, StepError, location_urls
from imageyard.model.location import RbdLocation, parse_location


class CephSource(Protocol):
    """The cluster apply can read image snapshots from."""

    def fsid(self) -> str:
        """The cluster's fsid."""
        ...

    def snapshot_digest(self, loc: RbdLocation, algo: str) -> tuple[int, str]:
        """The size and ``algo`` hex digest of the snapshot ``loc`` names."""
        ...

    def qemu_source(self, loc: RbdLocation) -> str:
        """The name qemu opens the snapshot by."""
        ...


_IN_NAME, _IN_OPTION = "\\:@/", "\\:"


def _escape(part: str, special: str = _IN_NAME) -> str:
    """A part of a qemu ``rbd:`` filename, with a backslash before each ``special`` char."""
    return "".join("\\" + c if c in special else c for c in part)


def qemu_rbd_name(loc: RbdLocation, conf: str, user: str | None) -> str:
    """``rbd:pool/image@snap:conf=CONF[:id=USER]`` (the key comes from the conf's keyring)."""
    name = f"rbd:{_escape(loc.pool)}/{_escape(loc.image)}@{_escape(loc.snapshot)}"
    name += ":conf=" + _escape(conf, _IN_OPTION)
    return name + (":id=" + _escape(user, _IN_OPTION) if user else "")


def rbd_locations(doc: ImageDoc) -> list[tuple[str, RbdLocation]]:
    """The image's rbd locations (URL, parsed) from ``locations`` and ``direct_url``."""
    found: list[tuple[str, RbdLocation]] = []
    for url in location_urls(doc):
        parsed = parse_location(url)
        if isinstance(parsed, RbdLocation):
            found.append((url, parsed))
    return found


def choose(doc: ImageDoc, ceph: CephSource | None) -> tuple[str, RbdLocation | None]:
    """The rbd location to read in place (its URL), or why there is none (and None)."""
    if ceph is None:
        return "no --ceph-conf to read RBD with", None
    found = rbd_locations(doc)
    if not found:
        return "no rbd location", None
    full = [(url, loc) for url, loc in found if loc.cloneable_form]
    if not full:
        return "its rbd location names no cluster, pool and snapshot", None
    fsid = ceph.fsid()
    usable = [(url, loc) for url, loc in full if loc.fsid == fsid]
    if not usable:
        return f"no rbd location in the cluster of --ceph-conf (fsid {fsid})", None
    return usable[0]


def check_snapshot(doc: ImageDoc, size: int, digest: str) -> None:
    """Raise ``StepError`` unless a snapshot's ``size`` and ``digest`` are the image's."""
    if doc.get("size") is not None and size != doc.get("size"):
        raise StepError(f"the rbd snapshot holds {size} bytes, the image {doc.get('size')}")
    want = doc.get("os_hash_value")
    if want and digest != want:
        raise StepError("the rbd snapshot does not match the image's os_hash_value")
