"""What every ``cow-not-eligible`` finding of one verdict form on one consumer shares.

Concepts: images of one class take the same branches on a consumer and share one verdict
``Form`` (``audit.cow.classes``). Everything a finding says beyond the image's own values
follows from that form and the consumer: the severity, the confidence, the evidence, the
``cause`` (consumer, boot path and decisive reason, with a placeholder such as
``<location>`` where each image has its own value), the message after the image's label,
and the shape of the remediation and the proposed action. A ``Shape`` holds those, decided
once per form and consumer; ``Shape.finding`` adds one image's id, name and slot values.
A form decided image by image (its texts hold that image's values, not slots) gets a shape
of its own, whose cause has the image's values replaced by the same placeholders.
"""

from __future__ import annotations

from dataclasses import dataclass

from imageyard.audit.cow import BootPath, Consumer, Verdict
from imageyard.audit.cow.trace import Text, general, slot_name, split_slots
from imageyard.model.finding import (
    Confidence,
    Evidence,
    Finding,
    ProposedAction,
    Resource,
    Severity,
)
from imageyard.model.image import Image
from imageyard.model.store import Store

RULE_ID = "cow-not-eligible"
_SEVERITY = {
    BootPath.ERROR: Severity.CRITICAL,
    BootPath.DOWNLOAD_CONVERT: Severity.HIGH,
    BootPath.DOWNLOAD: Severity.MEDIUM,
    BootPath.COPY_TO_STORE: Severity.LOW,
}
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


_ISO = "ISO images are never cloned; boot from a volume or accept the download."


def label(image: Image) -> str:
    """``<id> (<name>)``."""
    return f"{image.id} ({image.name or 'unnamed'})"


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


def copy_fix(image: Image, store: str) -> tuple[str, ProposedAction]:
    """The copy-image command into ``store`` and the planner action."""
    text = f"glance image-import --import-method copy-image --stores {store} {image.id}"
    return text, ProposedAction("copy-image", (("image", image.id), ("store", store)))


@dataclass(frozen=True)
class Fix:
    """The remediation of a shape: ``text`` as it is (``kind`` "text"), a template of the
    verdict's location and the consumer's cephx ``user`` ("location"), or the ``convert``
    or ``copy`` commands into ``store``."""

    kind: str
    text: str = ""
    store: str = ""
    user: str = ""

    def of(self, image: Image, verdict: Verdict) -> tuple[str, ProposedAction | None]:
        """The remediation text and planner action for ``image``."""
        if self.kind == "convert":
            return convert_fix(image, self.store)
        if self.kind == "copy":
            return copy_fix(image, self.store)
        if self.kind == "location":
            return self.text.format(loc=verdict.location, user=self.user), None
        return self.text, None


def fix_of(image: Image, consumer: Consumer, verdict: Verdict, store: Store | None) -> Fix:
    """The remediation shape for ``verdict`` (``store``: the consumer cluster's rbd store);
    it reads only what images of one class share (disk_format, stores, the verdict's form)."""
    target = store.id if store is not None else "<rbd store in the consumer's cluster>"
    if verdict.cause in _CAUSE_FIXES:
        text = _CAUSE_FIXES[verdict.cause]
        if "{loc}" in text:
            return Fix("location", text, user=consumer.cephx)
        return Fix("text", text.format(user=consumer.cephx))
    if image.disk_format not in ("raw", "iso"):
        return Fix("convert", store=target)
    if image.disk_format == "iso":
        return Fix("text", _ISO)
    if verdict.path is BootPath.COPY_TO_STORE and verdict.store:
        return Fix("copy", store=verdict.store)
    if store is not None and store.id not in image.stores:
        return Fix("copy", store=store.id)
    if store is None:
        return Fix("text", _no_store(consumer))
    return Fix(
        "text",
        f"The image is in store {store.id} but the consumer cannot use that location: enable "
        "show_multiple_locations on the (internal) Glance endpoint the consumer uses, or "
        f"raise the weight of store {store.id}, or recreate the missing RBD snapshot.",
    )


def _no_store(consumer: Consumer) -> str:
    return (
        f"Add a Glance rbd store in Ceph cluster {consumer.fsid or '?'} (enabled_backends) and "
        "copy the image into it with glance image-import --import-method copy-image."
    )


def _decisive_index(verdict: Verdict) -> int:
    """The error itself for an error path, else the first condition that blocked the clone."""
    return -1 if verdict.path is BootPath.ERROR else 0


def _severity(verdict: Verdict, consumer: Consumer) -> Severity:
    if verdict.path is BootPath.DOWNLOAD and consumer.image_cache:
        return Severity.LOW
    return _SEVERITY[verdict.path]


@dataclass(frozen=True)
class Shape:
    """The parts of a finding that every image of one form shares on one consumer."""

    consumer: str
    tail: Text  # the message after the image's label, split at its slots
    severity: Severity
    confidence: Confidence
    evidence: tuple[Evidence, ...] | None  # None: it holds slots, filled per image
    cause: str
    fix: Fix

    def finding(self, image: Image, verdict: Verdict) -> Finding:
        """The finding of ``image``, whose verdict on this shape's consumer is ``verdict``."""
        tail = self.tail if isinstance(self.tail, str) else self.tail.fill(verdict.values)
        text, action = self.fix.of(image, verdict)
        return Finding(
            RULE_ID,
            Resource("image", f"{image.id}@{self.consumer}"),
            f"image {image.id} ({image.name or 'unnamed'}){tail}",
            self.severity,
            self.confidence,
            verdict.evidence if self.evidence is None else self.evidence,
            text,
            action,
            cause=self.cause,
        )


def shape_of(
    image: Image,
    consumer: Consumer,
    verdict: Verdict,
    store: Store | None,
    values: tuple[str, ...],
) -> Shape:
    """The shape of ``verdict``'s form on ``consumer``, made from one of its images
    (``values``: that image's slot values, used when the form has none of its own)."""
    form = verdict.form
    decisive = form.reasons[_decisive_index(verdict)] if form.reasons else ""
    head = f" on {consumer.name}: {verdict.path.value}; "
    shared = bool(verdict.values)
    slotless = all(isinstance(p, str) for p in form.parts[2])
    evidence = form.evidence if not shared or slotless else None
    return Shape(
        consumer=consumer.name,
        tail=split_slots(head + decisive) if shared else head + decisive,
        severity=_severity(verdict, consumer),
        confidence=verdict.confidence,
        evidence=evidence,
        cause=f"{consumer.name}: {verdict.path.value}; "
        + (general(decisive) if shared else _placeheld(decisive, values)),
        fix=fix_of(image, consumer, verdict, store),
    )


def _placeheld(text: str, values: tuple[str, ...]) -> str:
    """``text`` with each of an image's slot values (longest first) replaced by the
    placeholder of its slot."""
    named = sorted(((v, slot_name(n)) for n, v in enumerate(values) if v), key=lambda p: -len(p[0]))
    for value, name in named:
        text = text.replace(value, name)
    return text
