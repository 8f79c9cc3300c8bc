"""Per-image boot path: will this consumer clone the image copy-on-write, and if not, what then.

Concepts: ``boot_path(image, consumer, inv)`` is a pure function returning a ``Verdict``:
the ``BootPath`` (clone, copy-to-store-then-clone, download-convert-import, download, error,
refused, unknown), the ordered ``reasons`` (each a sentence naming the failing condition and the
upstream code it comes from), a ``confidence`` and ``evidence``. It replays the consumer's
own decision in upstream order:

1. the image must be ``active``: the Nova and Cinder APIs refuse any other status before
   any driver code runs (``refused``);
2. Nova only: ``disk_format`` must be raw or iso before any location is looked at
   (nova ``imagebackend.py`` ``Rbd.clone``); a refusal here skips the copy-to-store step;
3. the locations the consumer *sees*: decided from glance-api.conf, not from what the
   collector saw (it may have used the admin locations API). ``show_multiple_locations``
   shows every location, ``show_image_direct_url`` alone only the highest-weight one
   (``direct_url``), neither shows nothing; a Cinder backend using the service-only
   locations API sees every location;
4. per visible location, the ``is_cloneable`` checks in order, then the clone of the first
   cloneable one (``rbd_checks``): a missing pool, missing write caps or a v1 clone of an
   unprotected snapshot raise in the driver and end in ``error``, with no fallback;
5. the fallbacks: Nova's ``images_rbd_glance_store_name`` copy into a store of its own
   cluster (low confidence: Glance's ``copy_image`` policy is admin-only by default, so
   non-admin boots may get 403; an unconfirmed inference), then
   ``never_download_image_if_on_rbd`` (the boot errors), then the download: converted to raw
   when the format is not raw, and imported as a full copy.

Missing inputs (glance-api.conf, the consumer's ceph.conf, locations the collector could not
read) give ``unknown`` with the missing input named, never a guess.

``template(image, consumer, inv)`` makes the same decision with the image's own values as
slots (``trace.Trace``), for every image that takes the same branches to share.
"""

from __future__ import annotations

from imageyard.audit.cow.consumers import Consumer
from imageyard.audit.cow.rbd_checks import check_clone, check_location
from imageyard.audit.cow.trace import BootPath, Trace, Verdict, gib
from imageyard.audit.rules._common import cite, is_true
from imageyard.model.config import GlanceApiConfig
from imageyard.model.finding import Confidence
from imageyard.model.gap import Gap
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.location import Location, RbdLocation
from imageyard.model.store import StoreType

__all__ = ["BootPath", "Verdict", "boot_path", "gib", "sorted_locations"]

NOVA_CLONE = "nova nova/virt/libvirt/imagebackend.py Rbd.clone"
NOVA_SHOW = "nova nova/image/glance.py show"
CINDER_LOCATIONS = "cinder cinder/image/glance.py get_image_locations"
GLANCE_DIRECT_URL = "glance glance/common/utils.py sort_image_locations"
NOVA_COPY = "nova nova/virt/libvirt/imagebackend.py copy_to_store"
NOVA_NEVER_DOWNLOAD = "nova nova/virt/libvirt/driver.py clone_fallback_to_fetch"
NOVA_FETCH = "nova nova/virt/images.py fetch_to_raw"
CINDER_FETCH = "cinder cinder/volume/drivers/rbd.py _copy_image_to_volume"
NOVA_API = "nova nova/compute/api.py _validate_flavor_image: ImageNotActive"
CINDER_API = "cinder cinder/volume/volume_utils.py check_image_metadata: InvalidInput"
GLANCE_SOURCE = "glance"
CLONE_FORMATS = ("raw", "iso")


def boot_path(image: Image, consumer: Consumer, inv: Inventory) -> Verdict:
    """The path ``consumer`` takes to make a disk from ``image`` (see the module docstring)."""
    return _decide(Trace(image, consumer), inv)


def template(image: Image, consumer: Consumer, inv: Inventory) -> Verdict | None:
    """``boot_path`` with ``image``'s own values as slots (None: its text cannot be shared)."""
    t = Trace(image, consumer, slots=True)
    verdict = _decide(t, inv)
    return None if t.unshareable else verdict


def _decide(t: Trace, inv: Inventory) -> Verdict:
    image, consumer = t.image, t.consumer
    if not image.is_active:
        t.add(
            f"image status is {image.status}, not active: the "
            f"{'Nova' if consumer.is_nova else 'Cinder'} API refuses the request before any "
            f"driver code runs ({NOVA_API if consumer.is_nova else CINDER_API})",
            "inactive",
        )
        return t.done(BootPath.REFUSED)
    if not consumer.rbd:
        t.add(
            f"images_type = {consumer.images_type}: this compute has no rbd image backend and "
            f"always downloads the image into its _base cache ({NOVA_FETCH})",
            "no-rbd-backend",
        )
        return _download(t)
    missing = _missing_input(t, inv)
    if missing:
        return t.unknown(missing)
    if consumer.is_nova and image.disk_format not in CLONE_FORMATS:
        t.add(
            f"disk_format is {image.disk_format}, not raw or iso: Nova refuses to clone before "
            f"looking at any location ('Image is not raw format', {NOVA_CLONE})",
            "not-raw",
        )
        return _fallback(t, inv, copy_may_help=False)
    glance = inv.config.glance_api
    assert glance is not None  # checked by _missing_input
    for loc in _visible(t, glance, inv):
        why = check_location(t, loc, inv)
        if isinstance(why, Verdict):
            return why
        if why is None:
            return _clone(t, loc, inv)
        t.add(why.reason, why.cause)
    return _fallback(t, inv, copy_may_help=image.disk_format == "raw")


# ------------------------------------------------------------------ inputs


def _missing_input(t: Trace, inv: Inventory) -> str | None:
    image, consumer = t.image, t.consumer
    if consumer.fsid is None:
        return (
            f"the Ceph cluster of {consumer.name} is unknown ({consumer.why_no_fsid}): "
            "the fsid a location must match cannot be decided"
        )
    if inv.config.glance_api is None:
        return "glance-api.conf was not read: which locations the consumer sees cannot be decided"
    gap = None if image.locations else location_gap(inv, image.id)
    if gap is not None:
        return (
            f"the locations of image {t.image_id_text()} were not read ({gap.error}): a glance gap"
        )
    if image.stores and not image.locations and image.direct_url is None:
        return (
            f"the locations of image {t.image_id_text()} were not read "
            f"(stores {', '.join(image.stores)})"
        )
    return None


def location_gap(inv: Inventory, image_id: str) -> Gap | None:
    """The first glance gap on every image's locations or on this image's, else None."""
    first = inv.derived("cow.location-gaps", lambda: _first_gaps(inv))
    found = [first[s] for s in ("image locations", f"image {image_id} locations") if s in first]
    return min(found, key=lambda pair: pair[0])[1] if found else None


def _first_gaps(inv: Inventory) -> dict[str, tuple[int, Gap]]:
    """The glance gaps by scope: the first of each, with its position (one scan)."""
    first: dict[str, tuple[int, Gap]] = {}
    for position, gap in enumerate(inv.gaps_for(GLANCE_SOURCE)):
        first.setdefault(gap.scope, (position, gap))
    return first


# ------------------------------------------------------------------ what the consumer sees


def _weight(inv: Inventory, store: str | None) -> int:
    found = inv.store(store) if store else None
    return found.weight if found is not None and found.weight is not None else 0


def sorted_locations(image: Image, inv: Inventory) -> tuple[Location, ...]:
    """The image's locations by store weight, highest first (stable, unknown store = 0)."""
    if not image.locations and image.direct_url:
        return (Location.from_url(image.direct_url),)
    if len(image.locations) < 2:
        return image.locations
    return tuple(sorted(image.locations, key=lambda loc: -_weight(inv, loc.store)))


def _note_equal_weights(t: Trace, ordered: tuple[Location, ...], inv: Inventory) -> None:
    """Lower confidence when the order of two same-cluster rbd locations is Glance's DB order."""
    mine = [
        _weight(inv, loc.store)
        for loc in ordered
        if isinstance(loc.parsed, RbdLocation) and loc.parsed.fsid == t.consumer.fsid
    ]
    if len(mine) != len(set(mine)):
        t.lower(
            Confidence.MEDIUM,
            "two locations in the consumer's cluster have the same store weight: Glance returns "
            "them in database order, which can differ between the image list read by collect "
            "and the image GET the consumer makes",
        )


def _visible(t: Trace, glance: GlanceApiConfig, inv: Inventory) -> tuple[Location, ...]:
    ordered = t.ordered = sorted_locations(t.image, inv)
    _note_equal_weights(t, ordered, inv)
    consumer = t.consumer
    if consumer.service_locations_api and not consumer.is_nova:
        t.lower(
            Confidence.MEDIUM,
            "assumes Cinder 27 (2025.2) or later, which reads every location through "
            f"Glance's service-only locations API with the [glance] auth section "
            f"({CINDER_LOCATIONS}); the inventory does not record Cinder's release",
        )
        return ordered
    t.evidence += inv.derived(
        "cow.visibility-evidence",
        lambda: cite(glance.show_multiple_locations, glance.show_image_direct_url),
    )
    if is_true(glance.show_multiple_locations):
        return ordered
    if is_true(glance.show_image_direct_url):
        return _direct_url_only(t, ordered, inv)
    t.add(
        "glance-api.conf sets neither show_multiple_locations nor show_image_direct_url: the "
        f"image GET shows {consumer.name} no location at all ({NOVA_SHOW})",
        "locations-hidden",
    )
    return ()


def _direct_url_only(
    t: Trace, ordered: tuple[Location, ...], inv: Inventory
) -> tuple[Location, ...]:
    if not ordered:
        return ()
    hidden = [loc for loc in ordered[1:] if loc.url.startswith("rbd://")]
    if hidden:
        t.reasons.append(
            f"only show_image_direct_url is on, so {t.consumer.name} sees just the "
            f"highest-weight location {t.loc_text(ordered[0]).url} ({GLANCE_DIRECT_URL}); "
            f"lower-weight location(s) {', '.join(t.loc_text(loc).url for loc in hidden)} "
            "stay hidden"
        )
        if any(inv.store(loc.store or "") is None for loc in ordered):
            t.lower(Confidence.MEDIUM, "a location's store weight is unknown")
    return ordered[:1]


# ------------------------------------------------------------------ the clone


def _clone(t: Trace, loc: Location, inv: Inventory) -> Verdict:
    url = t.loc_text(loc).url
    t.reasons.append(f"location {url} is cloneable")
    assert isinstance(loc.parsed, RbdLocation)  # check_location checked the form
    failed = check_clone(t, loc, inv)
    if failed is not None:
        return failed
    return t.done(BootPath.CLONE, location=url, cause="cloneable")


# ------------------------------------------------------------------ fallbacks


def _fallback(t: Trace, inv: Inventory, *, copy_may_help: bool) -> Verdict:
    consumer = t.consumer
    if consumer.is_nova and consumer.glance_store_name:
        verdict = _copy_to_store(t, inv, consumer.glance_store_name, copy_may_help)
        if verdict is not None:
            return verdict
    if consumer.is_nova and consumer.never_download:
        return _refused(t, inv)
    return _download(t)


def _copy_to_store(t: Trace, inv: Inventory, name: str, copy_may_help: bool) -> Verdict | None:
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
    return t.done(BootPath.COPY_TO_STORE, store=name, cause=t.cause or "copy-to-store")


def _copy_blocker(t: Trace, inv: Inventory, name: str, copy_may_help: bool) -> str | None:
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


def _refused(t: Trace, inv: Inventory) -> Verdict:
    t.add(
        "[workarounds] never_download_image_if_on_rbd = True: Nova re-raises ImageUnacceptable "
        f"instead of downloading and the boot errors ({NOVA_NEVER_DOWNLOAD})",
        "never-download",
    )
    if not _has_rbd_location(t.image):
        t.lower(
            Confidence.MEDIUM,
            "the image has no rbd location; the workaround refuses every fetch on an rbd "
            "compute as read from the driver code, not confirmed for images outside Ceph",
        )
    return t.done(BootPath.ERROR, cause="never-download")


def _download(t: Trace) -> Verdict:
    image, consumer = t.image, t.consumer
    t.cause = t.cause or "no-location"
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
        f"{each} downloads {t.size_text()} from Glance, {step}{target} "
        f"({t.virtual_size_text()} written; {src})"
    )
    if consumer.image_cache:
        t.reasons.append(
            "the image-volume cache is on: only the first volume per backend downloads, later "
            "ones clone the cached volume (cinder cinder/volume/flows/manager/create_volume.py)"
        )
    return t.done(BootPath.DOWNLOAD_CONVERT if convert else BootPath.DOWNLOAD)
