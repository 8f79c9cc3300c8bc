"""Per-image boot path: will this consumer clone the image copy-on-write, and if not, what then.

Concepts: ``boot_path(image, consumer, inv)`` is a pure function returning a ``Verdict``:
the ``BootPath`` (clone, copy-to-store-then-clone, download-convert-import, download, fail,
unknown), the ordered ``reasons`` (each a sentence naming the failing condition and the
upstream code it comes from), a ``confidence`` and ``evidence``. It replays the consumer's
own decision in upstream order:

1. the image must be ``active``;
2. Nova only: ``disk_format`` must be raw or iso before any location is looked at
   (nova ``imagebackend.py`` ``Rbd.clone``); a refusal here skips the copy-to-store step;
3. the locations the consumer *sees*: decided from glance-api.conf, not from what the
   collector saw (it may have used the admin locations API). ``show_multiple_locations``
   shows every location, ``show_image_direct_url`` alone only the highest-weight one
   (``direct_url``), neither shows nothing; a Cinder backend using the service-only
   locations API sees every location;
4. per visible location, the ``is_cloneable`` checks in order: ``rbd://`` prefix, exactly
   four non-empty URL-unquoted parts, the fsid of the consumer's cluster, ``disk_format``
   exactly raw, and the consumer's cephx user able to open ``pool/image@snap``. The
   inventory does not record cephx caps, so that last check lowers confidence to medium;
   when Ceph was collected, a missing image or snapshot makes the location not cloneable;
5. the fallbacks: Nova's ``images_rbd_glance_store_name`` copy into a store of its own
   cluster (low confidence: Glance's ``copy_image`` policy is admin-only by default, so
   non-admin boots may get 403; an unconfirmed inference), then
   ``never_download_image_if_on_rbd`` (the boot fails), then the download: converted to raw
   when the format is not raw, and imported as a full copy.

Missing inputs (glance-api.conf, the consumer's ceph.conf, locations the collector could not
read) give ``unknown`` with the missing input named, never a guess.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from imageyard.audit.cow.consumers import Consumer
from imageyard.audit.rules._common import cite, is_true
from imageyard.model.ceph import Pool
from imageyard.model.config import GlanceApiConfig
from imageyard.model.finding import Confidence, Evidence
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location, RbdLocation
from imageyard.model.store import StoreType

NOVA_CLONE = "nova nova/virt/libvirt/imagebackend.py Rbd.clone"
NOVA_IS_CLONEABLE = "nova nova/storage/rbd_utils.py is_cloneable"
CINDER_IS_CLONEABLE = "cinder cinder/volume/drivers/rbd.py _is_cloneable"
NOVA_SHOW = "nova nova/image/glance.py show"
CINDER_LOCATIONS = "cinder cinder/image/glance.py get_image_locations"
GLANCE_DIRECT_URL = "glance glance/common/utils.py sort_image_locations"
NOVA_COPY = "nova nova/virt/libvirt/imagebackend.py copy_to_store"
NOVA_NEVER_DOWNLOAD = "nova nova/virt/libvirt/driver.py clone_fallback_to_fetch"
NOVA_FETCH = "nova nova/virt/images.py fetch_to_raw"
CINDER_FETCH = "cinder cinder/volume/drivers/rbd.py _copy_image_to_volume"
GLANCE_SOURCE = "glance"
CLONE_FORMATS = ("raw", "iso")
GIB = 1 << 30


class BootPath(enum.StrEnum):
    """What a consumer does with an image when it needs a disk from it."""

    CLONE = "clone"
    COPY_TO_STORE = "copy-to-store-then-clone"
    DOWNLOAD_CONVERT = "download-convert-import"
    DOWNLOAD = "download"
    FAIL = "fail"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    """The boot path of one image on one consumer, with the reasons in decision order.

    ``location`` is the URL cloned from (clone) and ``store`` the copy target
    (copy-to-store-then-clone); ``notes`` are the caveats that lowered ``confidence``.
    """

    image_id: str
    consumer: str
    path: BootPath
    reasons: tuple[str, ...]
    confidence: Confidence
    evidence: tuple[Evidence, ...] = ()
    notes: tuple[str, ...] = ()
    location: str | None = None
    store: str | None = None

    @property
    def first_reason(self) -> str:
        """The first reason (the decisive one for a non-clone path)."""
        return self.reasons[0] if self.reasons else ""


_RANK = {Confidence.LOW: 0, Confidence.MEDIUM: 1, Confidence.HIGH: 2}


@dataclass
class _Trace:
    """What one boot_path call accumulates on its way to a verdict."""

    image: Image
    consumer: Consumer
    reasons: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    confidence: Confidence = Confidence.HIGH

    def lower(self, to: Confidence, note: str) -> None:
        if note not in self.notes:
            self.notes.append(note)
        if _RANK[to] < _RANK[self.confidence]:
            self.confidence = to

    def done(self, path: BootPath, **extra: str | None) -> Verdict:
        return Verdict(
            image_id=self.image.id,
            consumer=self.consumer.name,
            path=path,
            reasons=tuple(self.reasons),
            confidence=self.confidence,
            evidence=tuple(dict.fromkeys(self.consumer.evidence + tuple(self.evidence))),
            notes=tuple(self.notes),
            location=extra.get("location"),
            store=extra.get("store"),
        )

    def unknown(self, reason: str) -> Verdict:
        self.reasons.append(reason)
        return self.done(BootPath.UNKNOWN)


def gib(size: int | None) -> str:
    """Bytes as ``1.50 GiB`` or ``6.0 MiB`` (``an unknown size`` when None)."""
    if size is None:
        return "an unknown size"
    return f"{size / GIB:.2f} GiB" if size >= GIB else f"{size / (1 << 20):.1f} MiB"


def boot_path(image: Image, consumer: Consumer, inv: Inventory) -> Verdict:
    """The path ``consumer`` takes to make a disk from ``image`` (see the module docstring)."""
    t = _Trace(image, consumer)
    if not image.is_active:
        t.reasons.append(
            f"image status is {image.status}, not active: Nova and Cinder only create disks "
            "from active images (nova nova/compute/api.py, cinder "
            "cinder/volume/flows/api/create_volume.py)"
        )
        return t.done(BootPath.FAIL)
    if not consumer.rbd:
        t.reasons.append(
            f"images_type = {consumer.images_type}: this compute has no rbd image backend and "
            f"always downloads the image into its _base cache ({NOVA_FETCH})"
        )
        return _download(t)
    missing = _missing_input(image, consumer, inv)
    if missing:
        return t.unknown(missing)
    if consumer.is_nova and image.disk_format not in CLONE_FORMATS:
        t.reasons.append(
            f"disk_format is {image.disk_format}, not raw or iso: Nova refuses to clone before "
            f"looking at any location ('Image is not raw format', {NOVA_CLONE})"
        )
        return _fallback(t, inv, copy_may_help=False)
    glance = inv.config.glance_api
    assert glance is not None  # checked by _missing_input
    for loc in _visible(t, glance, inv):
        why = _not_cloneable(t, loc, inv)
        if why is None:
            t.reasons.append(f"location {loc.url} is cloneable")
            _note_access(t, loc)
            return t.done(BootPath.CLONE, location=loc.url)
        t.reasons.append(why)
    return _fallback(t, inv, copy_may_help=image.disk_format == "raw")


# ------------------------------------------------------------------ inputs


def _missing_input(image: Image, consumer: Consumer, inv: Inventory) -> str | None:
    if consumer.fsid is None:
        return (
            f"the Ceph cluster of {consumer.name} is unknown ({consumer.why_no_fsid}): "
            "the fsid a location must match cannot be decided"
        )
    if inv.config.glance_api is None:
        return "glance-api.conf was not read: which locations the consumer sees cannot be decided"
    gap = next(
        (
            g
            for g in inv.gaps_for(GLANCE_SOURCE)
            if g.scope in ("image locations", f"image {image.id} locations")
        ),
        None,
    )
    if gap is not None and not image.locations:
        return f"the locations of image {image.id} were not read ({gap.error}): a glance gap"
    if image.stores and not image.locations and image.direct_url is None:
        return f"the locations of image {image.id} were not read (stores {', '.join(image.stores)})"
    return None


# ------------------------------------------------------------------ what the consumer sees


def _weight(inv: Inventory, store: str | None) -> int:
    found = inv.store(store) if store else None
    return found.weight if found is not None and found.weight is not None else 0


def sorted_locations(image: Image, inv: Inventory) -> tuple[Location, ...]:
    """The image's locations by store weight, highest first (stable, unknown store = 0)."""
    if not image.locations and image.direct_url:
        return (Location.from_url(image.direct_url),)
    return tuple(sorted(image.locations, key=lambda loc: -_weight(inv, loc.store)))


def _visible(t: _Trace, glance: GlanceApiConfig, inv: Inventory) -> tuple[Location, ...]:
    ordered = sorted_locations(t.image, inv)
    consumer = t.consumer
    if consumer.service_locations_api and not consumer.is_nova:
        t.lower(
            Confidence.MEDIUM,
            "assumes Cinder 27 (2025.2) or later, which reads every location through "
            f"Glance's service-only locations API with the [glance] auth section "
            f"({CINDER_LOCATIONS}); the inventory does not record Cinder's release",
        )
        return ordered
    t.evidence += cite(glance.show_multiple_locations, glance.show_image_direct_url)
    if is_true(glance.show_multiple_locations):
        return ordered
    if is_true(glance.show_image_direct_url):
        return _direct_url_only(t, ordered, inv)
    t.reasons.append(
        "glance-api.conf sets neither show_multiple_locations nor show_image_direct_url: the "
        f"image GET shows {consumer.name} no location at all ({NOVA_SHOW})"
    )
    return ()


def _direct_url_only(
    t: _Trace, ordered: tuple[Location, ...], inv: Inventory
) -> tuple[Location, ...]:
    if not ordered:
        return ()
    hidden = [loc for loc in ordered[1:] if loc.url.startswith("rbd://")]
    if hidden:
        t.reasons.append(
            f"only show_image_direct_url is on, so {t.consumer.name} sees just the "
            f"highest-weight location {ordered[0].url} ({GLANCE_DIRECT_URL}); "
            f"lower-weight location(s) {', '.join(loc.url for loc in hidden)} stay hidden"
        )
        if any(inv.store(loc.store or "") is None for loc in ordered):
            t.lower(Confidence.MEDIUM, "a location's store weight is unknown")
    return ordered[:1]


# ------------------------------------------------------------------ is_cloneable


def _source(consumer: Consumer) -> str:
    return NOVA_IS_CLONEABLE if consumer.is_nova else CINDER_IS_CLONEABLE


def _not_cloneable(t: _Trace, loc: Location, inv: Inventory) -> str | None:
    """Why ``loc`` is not cloneable for the consumer, or None when it is."""
    src, consumer = _source(t.consumer), t.consumer
    parsed = loc.parsed
    if not loc.url.startswith("rbd://"):
        return f"location {loc.url} is not stored in rbd ({src}: 'Not stored in rbd')"
    if not isinstance(parsed, RbdLocation) or not parsed.cloneable_form:
        return (
            f"location {loc.url} does not have exactly 4 non-empty URL-unquoted parts "
            f"fsid/pool/image/snapshot ({src})"
        )
    if parsed.fsid != consumer.fsid:
        return (
            f"location {loc.url} is in Ceph cluster {parsed.fsid}, {consumer.name} is in "
            f"{consumer.fsid}: a different cluster is never cloned ({src})"
        )
    if t.image.disk_format != "raw":
        return (
            f"disk_format is {t.image.disk_format}, not exactly raw: location {loc.url} is "
            f"never cloned ({src})"
        )
    return _ceph_data_missing(t, parsed, inv)


def _ceph_data_missing(t: _Trace, loc: RbdLocation, inv: Inventory) -> str | None:
    spec = f"{loc.pool}/{loc.image}@{loc.snapshot}"
    cluster = inv.ceph_cluster(loc.fsid)
    pool = cluster.pool(loc.pool) if cluster is not None else None
    if pool is None or not pool.complete:
        t.lower(
            Confidence.MEDIUM,
            f"Ceph data for pool {loc.pool} of cluster {loc.fsid} was not collected: "
            f"whether {spec} exists is unchecked",
        )
        return None
    return _snapshot_missing(t, pool, loc, spec)


def _snapshot_missing(t: _Trace, pool: Pool, loc: RbdLocation, spec: str) -> str | None:
    src = _source(t.consumer)
    image = pool.image(loc.image)
    if image is None:
        return (
            f"RBD image {loc.pool}/{loc.image} does not exist in Ceph: {spec} cannot be "
            f"opened ({src})"
        )
    if image.snapshot(loc.snapshot) is None:
        return f"snapshot {spec} does not exist in Ceph: it cannot be opened ({src})"
    t.evidence.append(Evidence.fact(f"Ceph {loc.fsid}: {spec} exists"))
    return None


def _note_access(t: _Trace, loc: Location) -> None:
    pool = loc.parsed.pool if isinstance(loc.parsed, RbdLocation) else "?"
    t.lower(
        Confidence.MEDIUM,
        f"whether {t.consumer.cephx} may read pool {pool} is not recorded in the inventory "
        f"(the clone opens pool/image@snap read-only with the consumer's own user, "
        f"{_source(t.consumer)})",
    )


# ------------------------------------------------------------------ fallbacks


def _fallback(t: _Trace, inv: Inventory, *, copy_may_help: bool) -> Verdict:
    consumer = t.consumer
    if consumer.is_nova and consumer.glance_store_name:
        verdict = _copy_to_store(t, inv, consumer.glance_store_name, copy_may_help)
        if verdict is not None:
            return verdict
    if consumer.is_nova and consumer.never_download:
        return _refused(t, inv)
    return _download(t)


def _copy_to_store(t: _Trace, inv: Inventory, name: str, copy_may_help: bool) -> Verdict | None:
    store = inv.store(name)
    why = _copy_blocker(t, inv, name, copy_may_help)
    if why is None and store is not None and store.rbd_fsid is None:
        return t.unknown(f"the fsid of store {name} (images_rbd_glance_store_name) is unknown")
    if why is not None:
        t.reasons.append(why)
        return None
    t.reasons.append(
        f"no visible location is cloneable, so Nova asks Glance to copy the image into store "
        f"{name} (images_rbd_glance_store_name) in its own cluster and clones the copy "
        f"({NOVA_COPY})"
    )
    t.lower(
        Confidence.LOW,
        "Nova sends the copy-image request with the user's token and Glance's copy_image "
        "policy is admin-only by default: non-admin boots may get 403 (inference, unconfirmed)",
    )
    return t.done(BootPath.COPY_TO_STORE, store=name)


def _copy_blocker(t: _Trace, inv: Inventory, name: str, copy_may_help: bool) -> str | None:
    store, image = inv.store(name), t.image
    if not copy_may_help:
        return (
            f"a copy into store {name} cannot help: disk_format {image.disk_format} is never cloned"
        )
    if store is None or store.type is not StoreType.RBD:
        return f"images_rbd_glance_store_name = {name} names no Glance rbd store"
    if store.rbd_fsid is not None and store.rbd_fsid != t.consumer.fsid:
        return (
            f"images_rbd_glance_store_name = {name} is in cluster {store.rbd_fsid}, not the "
            f"compute's {t.consumer.fsid}: the copy would not be cloneable either"
        )
    if name in image.stores or image.location_in(name) is not None:
        return f"the image is already in store {name}, so a copy-image into it cannot help"
    if inv.import_methods and "copy-image" not in inv.import_methods:
        methods = ", ".join(inv.import_methods)
        return f"copy-image is not an enabled import method ({methods}): the copy request fails"
    return None


def _has_rbd_location(image: Image) -> bool:
    urls = [loc.url for loc in image.locations] + [image.direct_url or ""]
    return any(url.startswith("rbd://") for url in urls)


def _refused(t: _Trace, inv: Inventory) -> Verdict:
    t.reasons.append(
        "[workarounds] never_download_image_if_on_rbd = True: Nova refuses the download and "
        f"the boot fails ({NOVA_NEVER_DOWNLOAD})"
    )
    if not _has_rbd_location(t.image):
        t.lower(
            Confidence.MEDIUM,
            "the image has no rbd location; the workaround refuses every fetch on an rbd "
            "compute as read from the driver code, not confirmed for images outside Ceph",
        )
    return t.done(BootPath.FAIL)


def _download(t: _Trace) -> Verdict:
    image, consumer = t.image, t.consumer
    convert = image.disk_format not in CLONE_FORMATS and (
        consumer.force_raw or not consumer.is_nova
    )
    src = NOVA_FETCH if consumer.is_nova else CINDER_FETCH
    target = (
        f"imports a full copy into pool {consumer.pool}" if consumer.rbd else "keeps it in _base"
    )
    step = f"converts it from {image.disk_format} to raw and " if convert else ""
    each = "each first boot on each host" if consumer.is_nova else "each volume created from it"
    t.reasons.append(
        f"{each} downloads {gib(image.size)} from Glance, {step}{target} "
        f"({gib(image.virtual_size or image.size)} written; {src})"
    )
    if consumer.image_cache:
        t.reasons.append(
            "the image-volume cache is on: only the first volume per backend downloads, later "
            "ones clone the cached volume (cinder cinder/volume/flows/manager/create_volume.py)"
        )
    return t.done(BootPath.DOWNLOAD_CONVERT if convert else BootPath.DOWNLOAD)
