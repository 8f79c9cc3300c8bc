"""One rbd location through the consumer's driver: ``is_cloneable``, then the clone itself.

Concepts: ``check_location`` replays nova ``RBDDriver.is_cloneable`` and cinder
``RBDDriver._is_cloneable`` in their order and answers a reason string (not cloneable: the
caller tries the next location), None (cloneable) or a terminal ``Verdict``:

1. ``rbd://`` prefix, then exactly four non-empty URL-unquoted parts;
2. the fsid: reading it connects to the consumer's *own* pool, so a consumer pool the
   cluster does not have raises ``rados.ObjectNotFound`` there (Cinder:
   ``VolumeBackendAPIException``): an error, no fallback;
3. a different fsid, then ``disk_format`` not exactly raw: not cloneable;
4. opening ``pool/image@snap`` read-only: a pool the cluster does not have raises
   ``rados.ObjectNotFound``, which is not an ``rbd.Error``: it escapes, an error; missing read
   caps give ``rbd.PermissionError``, a missing image or snapshot ``rbd.ImageNotFound``:
   both are caught, not cloneable.

``check_clone`` then replays the clone (nova ``RBDDriver.clone``, cinder ``_clone``): without
write caps on the consumer's pool librbd raises ``PermissionError`` (Nova: ``Forbidden``), and
a v1 clone of an unprotected snapshot raises ``InvalidArgument``: both end the boot with an
error, neither is caught by Nova's ``clone_fallback_to_fetch``. Clones are v1 when the
consumer's ``rbd_default_clone_format`` (its ceph.conf: ``[client.<user>]``, ``[client]``,
``[global]``) is 1, or ``auto`` (the default) while the cluster's
``require_min_compat_client`` is below mimic. Facts the inventory lacks (pool list, caps,
protection, the compat level) lower confidence with a note instead of deciding.
"""

from __future__ import annotations

from typing import NamedTuple

from imageyard.audit.cow.caps import Access, pool_access
from imageyard.audit.cow.trace import LocText, Trace, Verdict
from imageyard.collect.config_stores import resolve_ceph
from imageyard.model.ceph import CephCluster, Pool
from imageyard.model.finding import Confidence, Evidence
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location, RbdLocation

NOVA_IS_CLONEABLE = "nova nova/storage/rbd_utils.py is_cloneable"
CINDER_IS_CLONEABLE = "cinder cinder/volume/drivers/rbd.py _is_cloneable"
NOVA_DRIVER_CLONE = "nova nova/storage/rbd_utils.py RBDDriver.clone"
CINDER_DRIVER_CLONE = "cinder cinder/volume/drivers/rbd.py _clone"
NOVA_FALLBACK = (
    "nova nova/virt/libvirt/driver.py clone_fallback_to_fetch catches only ImageUnacceptable"
)
CINDER_CONNECT = "cinder cinder/volume/drivers/rbd.py _connect_to_rados: VolumeBackendAPIException"
V2_SINCE = ("mimic", "nautilus", "octopus", "pacific", "quincy", "reef", "squid", "tentacle")
OLDER = (
    "argonaut", "bobtail", "cuttlefish", "dumpling", "emperor", "firefly", "giant",
    "hammer", "infernalis", "jewel", "kraken", "luminous",
)  # fmt: skip


class Blocked(NamedTuple):
    """A location the consumer skips: the cause slug and the sentence."""

    cause: str
    reason: str


Result = Verdict | Blocked | None


def _source(t: Trace) -> str:
    return NOVA_IS_CLONEABLE if t.consumer.is_nova else CINDER_IS_CLONEABLE


def _escapes(t: Trace) -> str:
    return NOVA_FALLBACK if t.consumer.is_nova else CINDER_CONNECT


def check_location(t: Trace, loc: Location, inv: Inventory) -> Result:
    """Why ``loc`` is not cloneable (Blocked), None when it is, or a terminal Verdict."""
    src, consumer = _source(t), t.consumer
    parsed, text = loc.parsed, t.loc_text(loc)
    if not loc.url.startswith("rbd://"):
        return Blocked(
            "not-in-rbd", f"location {text.url} is not stored in rbd ({src}: 'Not stored in rbd')"
        )
    if not isinstance(parsed, RbdLocation) or not parsed.cloneable_form:
        return Blocked(
            "bad-rbd-url",
            f"location {text.url} does not have exactly 4 non-empty URL-unquoted parts "
            f"fsid/pool/image/snapshot ({src})",
        )
    own = inv.ceph_cluster(consumer.fsid or "")
    if own is not None and consumer.pool and own.has_pool(consumer.pool) is False:
        return t.error(
            f"reading the fsid opens {consumer.name}'s own pool {consumer.pool}, which cluster "
            f"{consumer.fsid} does not have: rados.ObjectNotFound escapes ({src}; {_escapes(t)})",
            text.url,
            "consumer-pool-missing",
        )
    if parsed.fsid != consumer.fsid:
        return Blocked(
            "other-cluster",
            f"location {text.url} is in Ceph cluster {parsed.fsid}, {consumer.name} is in "
            f"{consumer.fsid}: a different cluster is never cloned ({src})",
        )
    if t.image.disk_format != "raw":
        return Blocked(
            "not-raw",
            f"disk_format is {t.image.disk_format}, not exactly raw: location {text.url} is "
            f"never cloned ({src})",
        )
    return _open_check(t, text, parsed, inv.ceph_cluster(parsed.fsid))


def _spec(loc: RbdLocation, text: LocText) -> str:
    """``pool/image@snapshot`` as a reason names it."""
    return f"{loc.pool}/{text.image}@{text.snapshot}"


def _open_check(t: Trace, text: LocText, loc: RbdLocation, cluster: CephCluster | None) -> Result:
    spec, src, url = _spec(loc, text), _source(t), text.url
    exists = cluster.has_pool(loc.pool) if cluster is not None else None
    if exists is False:
        return t.error(
            f"pool {loc.pool} of location {url} does not exist in cluster {loc.fsid}: opening "
            f"it raises rados.ObjectNotFound, which is not an rbd.Error and escapes "
            f"({src}; {_escapes(t)})",
            url,
            "missing-pool",
        )
    assert cluster is not None or exists is None
    access = _read_access(t, cluster, loc.pool)
    if access is Access.NO:
        return Blocked(
            "no-read-caps",
            f"{t.consumer.cephx} has no read caps on pool {loc.pool}: opening {spec} raises "
            f"rbd.PermissionError, caught as not cloneable ({src})",
        )
    pool = cluster.pool(loc.pool) if cluster is not None else None
    if pool is None or not pool.complete:
        t.lower(
            Confidence.MEDIUM,
            f"Ceph data for pool {loc.pool} of cluster {loc.fsid} was not collected: "
            f"whether {spec} exists is unchecked",
        )
        return None
    return _snapshot_missing(t, pool, loc, text)


def _read_access(t: Trace, cluster: CephCluster | None, pool: str) -> Access:
    caps = cluster.caps(t.consumer.cephx) if cluster is not None else None
    if caps is None:
        t.lower(
            Confidence.MEDIUM,
            f"unknown: caps not read: whether {t.consumer.cephx} may read pool {pool} is not "
            f"recorded (the clone opens pool/image@snap read-only as that user, {_source(t)})",
        )
        return Access.UNSURE
    access = pool_access(caps.osd, pool)
    if access is Access.UNSURE:
        t.lower(Confidence.MEDIUM, f"the osd caps of {caps.entity} ({caps.osd}) are not understood")
    else:
        t.evidence.append(Evidence.fact(f"cephx {caps.entity}: osd caps '{caps.osd}'"))
    return access


def _snapshot_missing(t: Trace, pool: Pool, loc: RbdLocation, text: LocText) -> Blocked | None:
    src, spec = _source(t), _spec(loc, text)
    image = pool.image(loc.image)
    if image is None:
        return Blocked(
            "rbd-image-missing",
            f"RBD image {loc.pool}/{text.image} does not exist in Ceph: {spec} cannot be "
            f"opened ({src})",
        )
    if image.snapshot(loc.snapshot) is None:
        return Blocked(
            "snapshot-missing",
            f"snapshot {spec} does not exist in Ceph: it cannot be opened ({src})",
        )
    t.evidence.append(Evidence.fact(f"Ceph {loc.fsid}: {spec} exists"))
    return None


# ------------------------------------------------------------------ the clone


def check_clone(t: Trace, location: Location, inv: Inventory) -> Verdict | None:
    """A terminal error or unknown Verdict when cloning ``location`` fails, else None."""
    loc, text = location.parsed, t.loc_text(location)
    assert isinstance(loc, RbdLocation)  # check_location checked the form
    cluster = inv.ceph_cluster(loc.fsid)
    src = NOVA_DRIVER_CLONE if t.consumer.is_nova else CINDER_DRIVER_CLONE
    caps = cluster.caps(t.consumer.cephx) if cluster is not None else None
    pool = t.consumer.pool or ""
    if caps is not None and pool_access(caps.osd, pool, write=True) is Access.NO:
        return t.error(
            f"{t.consumer.cephx} may not create images in pool {pool}: the clone raises "
            f"rbd.PermissionError ({src}; Nova reports Forbidden 'no write permission')",
            text.url,
            "no-write-caps",
        )
    return _protection(t, text, loc, inv, src)


def _protection(
    t: Trace, text: LocText, loc: RbdLocation, inv: Inventory, src: str
) -> Verdict | None:
    cluster = inv.ceph_cluster(loc.fsid)
    pool = cluster.pool(loc.pool) if cluster is not None else None
    image = pool.image(loc.image) if pool is not None else None
    snap = image.snapshot(loc.snapshot) if image is not None else None
    if snap is None or snap.protected:
        return None
    version, why = clone_version(t, inv, cluster)
    spec = _spec(loc, text)
    if version is None:
        return t.unknown(f"snapshot {spec} is not protected and {why}", "clone-format-unknown")
    if version == 1:
        return t.error(
            f"snapshot {spec} is not protected and {why}: a v1 clone of an unprotected "
            f"snapshot raises rbd.InvalidArgument ({src}; {_escapes(t)})",
            text.url,
            "unprotected-snap-v1",
        )
    t.reasons.append(f"snapshot {spec} is not protected, but {why}: v2 clones need no protection")
    return None


def clone_version(t: Trace, inv: Inventory, cluster: CephCluster | None) -> tuple[int | None, str]:
    """1 or 2 (None: unknown) and the sentence saying why."""
    ceph = resolve_ceph(inv.config, t.consumer.ceph_conf)
    value = ceph.clone_format(t.consumer.cephx) if ceph is not None else None
    if value is not None:
        t.evidence.append(Evidence.from_config(value))
    chosen = value.value.strip() if value is not None else "auto"
    if value is not None and chosen in ("1", "2"):
        return int(chosen), f"rbd_default_clone_format = {chosen} ({value.where})"
    compat = cluster.require_min_compat_client if cluster is not None else None
    if compat is None:
        return None, "the cluster's require_min_compat_client was not read (v1 or v2 clone?)"
    if compat in V2_SINCE:
        return 2, f"require_min_compat_client is {compat} (librbd auto: v2 clones from mimic)"
    if compat in OLDER:
        return 1, f"require_min_compat_client is {compat} (librbd auto: v1 clones below mimic)"
    return None, f"require_min_compat_client {compat} is not a release this tool knows"
