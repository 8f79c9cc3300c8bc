"""The per-image copy-on-write rule: every active image on every rbd consumer that won't clone.

Concepts: for each rbd consumer (Nova computes with ``images_type = rbd``, Cinder RBD
backends) and each active image, ``audit.cow.boot_path`` decides the boot path. Anything
but ``clone`` is a finding whose severity follows the path: ``error`` is critical,
``download-convert-import`` high, ``download`` medium (low when Cinder's image-volume cache
absorbs repeats), ``copy-to-store-then-clone`` low. An ``unknown`` path is an Unknown.
Non-rbd computes always download by design and are not reported; neither are images that
are not active (they cannot be booted at all). The remediation is the concrete command for
the blocking condition, and the proposed action (``copy-image`` or ``convert-to-raw``)
carries its parameters for the planner.
"""

from __future__ import annotations

from collections.abc import Iterator

from imageyard.audit.cow import BootPath, Consumer, Verdict, verdicts
from imageyard.audit.rule import AuditContext, rule
from imageyard.audit.rules._common import file_unknown, rbd_stores
from imageyard.model.finding import Outcome, ProposedAction, Resource, Severity
from imageyard.model.image import Image
from imageyard.model.inventory import Inventory
from imageyard.model.store import Store

GLANCE_SOURCE = "glance"
_SEVERITY = {
    BootPath.ERROR: Severity.CRITICAL,
    BootPath.DOWNLOAD_CONVERT: Severity.HIGH,
    BootPath.DOWNLOAD: Severity.MEDIUM,
    BootPath.COPY_TO_STORE: Severity.LOW,
}


def images_missing(inv: Inventory) -> str | None:
    """Why the Glance images are not in ``inv`` (None when they were collected)."""
    status = inv.source_status(GLANCE_SOURCE)
    if status is None:
        return "the Glance image list was not read (source glance did not run)"
    if not status.complete and not inv.images:
        return f"the Glance image list was not read ({status.detail or 'incomplete'})"
    return None


def image_resource(image: Image, consumer: Consumer) -> Resource:
    """``image <id>@<consumer>``."""
    return Resource("image", f"{image.id}@{consumer.name}")


def label(image: Image) -> str:
    """``<id> (<name>)``."""
    return f"{image.id} ({image.name or 'unnamed'})"


def store_in_cluster(inv: Inventory, fsid: str | None) -> Store | None:
    """The highest-weight Glance rbd store in cluster ``fsid``, or None."""
    found = [s for s in rbd_stores(inv) if fsid is not None and s.rbd_fsid == fsid]
    return max(found, key=lambda s: s.weight or 0) if found else None


def convert_fix(image: Image, store: str, fmt: str | None = None) -> tuple[str, ProposedAction]:
    """Commands converting ``image`` (data in ``fmt``) to raw and re-uploading it, and the
    planner action."""
    fmt = fmt or image.disk_format or "qcow2"
    text = (
        f"glance image-download --file {image.id}.{fmt} {image.id}; "
        f"qemu-img convert -f {fmt} -O raw {image.id}.{fmt} {image.id}.raw; "
        f"glance image-create --disk-format raw --container-format bare --store {store} "
        f"--file {image.id}.raw --name '{image.name or image.id}' (then retire {image.id}); "
        "or re-import it with the image_conversion plugin enabled "
        "([image_import_opts] image_import_plugins = ['image_conversion'])"
    )
    action = ProposedAction(
        "convert-to-raw", (("image", image.id), ("from", fmt), ("store", store))
    )
    return text, action


_CAUSE_FIXES = {
    "no-read-caps": "Let {user} read the Glance pool: add osd 'profile rbd-read-only "
    "pool=<glance pool>' to its caps (ceph auth caps; keep its other caps).",
    "missing-pool": "Location {loc} names a pool the cluster does not have: remove that "
    "location (glance location-delete) or restore the pool; every boot from it errors.",
    "consumer-pool-missing": "Create the consumer's pool (ceph osd pool create; rbd pool init) "
    "or fix images_rbd_pool / rbd_pool.",
    "unprotected-snap-v1": "Protect the snapshot of {loc} (rbd snap protect POOL/IMAGE@SNAP), or "
    "make clones v2 (ceph osd set-require-min-compat-client mimic).",
    "no-write-caps": "Grant {user} write caps on its own pool (osd 'profile rbd pool=<pool>').",
}


def copy_fix(image: Image, store: str) -> tuple[str, ProposedAction]:
    """The copy-image command into ``store`` and the planner action."""
    text = f"glance image-import --import-method copy-image --stores {store} {image.id}"
    return text, ProposedAction("copy-image", (("image", image.id), ("store", store)))


def _fix(
    image: Image, consumer: Consumer, verdict: Verdict, store: Store | None
) -> tuple[str, ProposedAction | None]:
    target = store.id if store is not None else "<rbd store in the consumer's cluster>"
    if verdict.cause in _CAUSE_FIXES:
        return _CAUSE_FIXES[verdict.cause].format(loc=verdict.location, user=consumer.cephx), None
    if image.disk_format not in ("raw", "iso"):
        return convert_fix(image, target)
    if image.disk_format == "iso":
        return "ISO images are never cloned; boot from a volume or accept the download.", None
    if verdict.path is BootPath.COPY_TO_STORE and verdict.store:
        return copy_fix(image, verdict.store)
    if store is not None and store.id not in image.stores:
        return copy_fix(image, store.id)
    if store is None:
        fsid = consumer.fsid or "?"
        return (
            f"Add a Glance rbd store in Ceph cluster {fsid} (enabled_backends) and copy the "
            "image into it with glance image-import --import-method copy-image.",
            None,
        )
    return (
        f"The image is in store {store.id} but the consumer cannot use that location: enable "
        "show_multiple_locations on the (internal) Glance endpoint the consumer uses, or "
        f"raise the weight of store {store.id}, or recreate the missing RBD snapshot.",
        None,
    )


def _decisive(verdict: Verdict) -> str:
    """The error itself for an error path, else the first condition that blocked the clone."""
    return verdict.last_reason if verdict.path is BootPath.ERROR else verdict.first_reason


def _severity(verdict: Verdict, consumer: Consumer) -> Severity:
    if verdict.path is BootPath.DOWNLOAD and consumer.image_cache:
        return Severity.LOW
    return _SEVERITY[verdict.path]


@rule(
    id="cow-not-eligible",
    title="Image not copy-on-write cloneable by an rbd consumer",
    severity="high",
    confidence="medium",
    category="cow",
    remediation="Make the image cloneable for the consumer: copy it into a Glance rbd store "
    "in the consumer's cluster (glance image-import --import-method copy-image --stores "
    "<store> <id>), convert it to raw (qemu-img convert -f qcow2 -O raw) and re-upload, or "
    "expose the locations to the consumer's Glance endpoint.",
    links=(
        "nova nova/storage/rbd_utils.py",
        "nova nova/virt/libvirt/imagebackend.py",
        "cinder cinder/volume/drivers/rbd.py",
    ),
)
def cow_not_eligible(inv: Inventory, ctx: AuditContext) -> Iterator[Outcome]:
    """An active image that an rbd compute or Cinder RBD backend cannot clone copy-on-write.

    One result per image and consumer: the boot path (copy-to-store-then-clone,
    download-convert-import, download or error) and the first condition that blocked the
    clone (for an error, the error itself), as nova/storage/rbd_utils.py is_cloneable and
    cinder/volume/drivers/rbd.py _is_cloneable check it.
    """
    why = images_missing(inv)
    if why is not None:
        yield cow_not_eligible.unknown(Resource("source", GLANCE_SOURCE), why)
    for kind in ("nova", "cinder"):
        if not getattr(inv.config, kind):
            yield file_unknown(cow_not_eligible, inv, kind)
    if inv.config.glance_api is None:
        yield file_unknown(cow_not_eligible, inv, "glance-api")
        return
    if why is not None:
        return
    for consumer in verdicts(inv).rbd_consumers:
        yield from _per_consumer(inv, consumer)


def _per_consumer(inv: Inventory, consumer: Consumer) -> Iterator[Outcome]:
    if consumer.fsid is None:
        yield cow_not_eligible.unknown(
            Resource("consumer", consumer.name),
            f"the Ceph cluster of {consumer.name} is unknown: {consumer.why_no_fsid}",
        )
        return
    table = verdicts(inv)
    store = store_in_cluster(inv, consumer.fsid)  # NOTE: the same for every image
    for image in (i for i in inv.images if i.is_active):
        verdict = table.of(image, consumer)  # NOTE: decided once for audit, paths and design
        if verdict.path is BootPath.CLONE:
            continue
        resource = image_resource(image, consumer)
        if verdict.path is BootPath.UNKNOWN:
            yield cow_not_eligible.unknown(resource, "; ".join(verdict.reasons))
            continue
        text, action = _fix(image, consumer, verdict, store)
        yield cow_not_eligible.finding(
            resource,
            f"image {label(image)} on {consumer.name}: {verdict.path.value}; {_decisive(verdict)}",
            *verdict.evidence,
            severity=_severity(verdict, consumer),
            confidence=verdict.confidence,
            action=action,
            remediation=text,
        )
