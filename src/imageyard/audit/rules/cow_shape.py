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

import dataclasses
from dataclasses import dataclass
from typing import Any, Protocol

from imageyard.audit.cow import BootPath, Consumer, Verdict
from imageyard.audit.cow.trace import (
    Form,
    Parts,
    Reads,
    Text,
    general,
    slot_name,
    split_slots,
)
from imageyard.audit.written import WrittenFinding
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


# NOTE: the parameter names of ``convert_action`` and ``copy_action``, sorted
_CONVERT_NAMES = ("from", "image", "store")
_COPY_NAMES = ("image", "store")
_ISO = "ISO images are never cloned; boot from a volume or accept the download."


def label(image: Image) -> str:
    """``<id> (<name>)``."""
    return f"{image.id} ({image.name or 'unnamed'})"


def convert_fix(image: Image, store: str, fmt: str | None = None) -> tuple[str, ProposedAction]:
    """Commands converting ``image`` (data in ``fmt``) to raw and re-uploading it, and the
    planner action."""
    return convert_text(image, store, fmt), convert_action(image, store, fmt)


def convert_text(image: Image, store: str, fmt: str | None = None) -> str:
    """The commands of ``convert_fix``."""
    return converting(image.id, image.name or image.id, fmt or image.disk_format or "qcow2", store)


def converting(image_id: str, name: str, fmt: str, store: str) -> str:
    """``convert_text`` of the image ``image_id`` named ``name`` (its id when it has no
    name), its data in ``fmt``: each value put in as it is (a ``Pattern``'s text)."""
    return (
        f"glance image-download --file {image_id}.{fmt} {image_id}; "
        f"qemu-img convert -f {fmt} -O raw {image_id}.{fmt} {image_id}.raw; "
        f"glance image-create --disk-format raw --container-format bare --store {store} "
        f"--file {image_id}.raw --name '{name}' (then retire {image_id}); "
        "or re-import it with the image_conversion plugin enabled "
        "([image_import_opts] image_import_plugins = ['image_conversion'])"
    )


def convert_action(image: Image, store: str, fmt: str | None = None) -> ProposedAction:
    """The planner action of ``convert_fix``."""
    fmt = fmt or image.disk_format or "qcow2"
    return ProposedAction("convert-to-raw", (("image", image.id), ("from", fmt), ("store", store)))


def copy_text(image: Image, store: str) -> str:
    """The copy-image command into ``store``."""
    return _copying(image.id, store)


def _copying(image_id: str, store: str) -> str:
    return f"glance image-import --import-method copy-image --stores {store} {image_id}"


def copy_action(image: Image, store: str) -> ProposedAction:
    """The planner action of ``copy_text``."""
    return ProposedAction("copy-image", (("image", image.id), ("store", store)))


@dataclass(frozen=True)
class Fix:
    """The remediation of a shape: ``text`` as it is (``kind`` "text"), a template of the
    verdict's location and the consumer's cephx ``user`` ("location"), or the ``convert``
    or ``copy`` commands into ``store``."""

    kind: str
    text: str = ""
    store: str = ""
    user: str = ""

    def text_of(self, image: Image, location: str | None) -> str:
        """The remediation text for ``image`` (``location``: its verdict's location, read by
        kind "location" only)."""
        return self.text_from(
            image.id, image.name or image.id, image.disk_format or "qcow2", location
        )

    def text_from(self, image_id: str, name: str, fmt: str, location: str | None) -> str:
        """``text_of`` the image ``image_id`` named ``name`` (its id when it has no name),
        of format ``fmt`` ("qcow2" when it has none): each value put in as it is."""
        if self.kind == "convert":
            return converting(image_id, name, fmt, self.store)
        if self.kind == "copy":
            return _copying(image_id, self.store)
        if self.kind == "location":
            return self.text.format(loc=location, user=self.user)
        return self.text

    def action_of(self, image: Image) -> ProposedAction | None:
        """The planner action for ``image`` (None: the text is the whole fix)."""
        if self.kind == "convert":
            return convert_action(image, self.store)
        if self.kind == "copy":
            return copy_action(image, self.store)
        return None

    def action_strings(self, image: Image) -> tuple[tuple[str, ...] | None, list[str]]:
        """``action_of``'s parameter names, sorted, and its kind and parameter values in
        their order, as ``Finding.own_strings`` gives them ((None, []): no action)."""
        # NOTE: written without making the action: the JSON writer reads it once per finding
        return self.action_from(image.id, image.disk_format or "qcow2")

    def action_from(self, image_id: str, fmt: str) -> tuple[tuple[str, ...] | None, list[str]]:
        """``action_strings`` of the image ``image_id`` of format ``fmt`` ("qcow2" when it
        has none): each value put in as it is."""
        if self.kind == "convert":
            return _CONVERT_NAMES, ["convert-to-raw", fmt, image_id, self.store]
        if self.kind == "copy":
            return _COPY_NAMES, ["copy-image", image_id, self.store]
        return None, []


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


class SlotValues(Protocol):
    """An image's slot values (``trace.slot_values``; ``reads``: only those, the other
    slots empty)."""

    def __call__(self, image: Image, reads: Reads | None = None, /) -> tuple[str, ...]: ...


@dataclass(frozen=True)
class Shape:
    """The parts of a finding that every image of one form shares on one consumer.

    ``values`` reads an image's slot values, or with a ``Reads`` only those (None: the form
    is one image's own verdict, its texts hold no slots)."""

    consumer: str
    tail: Text  # the message after the image's label, split at its slots
    severity: Severity
    confidence: Confidence
    evidence: tuple[Evidence, ...] | None  # None: it holds slots, filled per image
    cause: str
    fix: Fix
    form: Form
    values: SlotValues | None
    order: int = dataclasses.field(init=False, repr=False, compare=False)  # -severity rank
    # NOTE: the slots ``own_written_from`` reads: the message's, and the location's when the
    # remediation writes it (None: it reads none)
    reads: Reads | None = dataclasses.field(init=False, repr=False, compare=False)
    # NOTE: whether ``own_written_from`` reads slot values at all
    slotted: bool = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "order", -self.severity.rank)
        slotted = self.fix.kind == "location" or not isinstance(self.tail, str)
        object.__setattr__(self, "slotted", self.values is not None and slotted)
        numbers: set[int] = set()
        if isinstance(self.tail, Parts):
            numbers |= self.tail.numbers
        location = self.form.parts[3] if self.fix.kind == "location" else None
        if isinstance(location, Parts):
            numbers |= location.numbers
        object.__setattr__(self, "reads", Reads.of(numbers) if numbers else None)

    def finding(self, image: Image) -> Finding:
        """The finding of ``image`` (one of this shape's images)."""
        return ShapedFinding.made(self, image)

    def verdict(self, image: Image) -> Verdict:
        """``image``'s verdict on this shape's consumer."""
        values = () if self.values is None else self.values(image)
        return Verdict.filled(image.id, self.form, values)

    def message(self, image: Image) -> str:
        """``image <id> (<name>) on <consumer>: <path>; <decisive reason>``."""
        tail = self.tail
        if not isinstance(tail, str):
            tail = tail.fill(self.values(image) if self.values is not None else ())
        return f"image {image.id} ({image.name or 'unnamed'}){tail}"

    def remediation(self, image: Image) -> str:
        """The remediation text for ``image``."""
        location = self.verdict(image).location if self.fix.kind == "location" else None
        return self.fix.text_of(image, location)

    def own_strings(self, image: Image) -> tuple[tuple[str, ...] | None, list[str]]:
        """``image``'s finding's ``Finding.own_strings``, its slot values read once."""
        names, _, strings = self.own_written_from(self.own_values(image))
        return names, strings

    def own_values(self, image: Image) -> tuple[str, ...]:
        """What ``own_written_from`` writes ``image``'s finding from: its id, its name as
        its label shows it and as its file is named, its format ("qcow2" when it has none),
        then its slot values when its texts read them."""
        # NOTE: ``message`` and ``remediation`` each read the values: the JSON writer reads
        # every text of a million findings, so they are read here once per finding
        name = image.name
        own = (image.id, name or "unnamed", name or image.id, image.disk_format or "qcow2")
        if not self.slotted:
            return own
        return own + self.values(image, self.reads)  # type: ignore[misc]

    def own_written_from(
        self, values: tuple[str, ...]
    ) -> tuple[tuple[str, ...] | None, None, list[str]]:
        """``Finding.own_written`` of the finding whose ``own_values`` are ``values``
        (``model.finding.Pattern``: each value put in as it is)."""
        image_id, label, name, fmt = values[:4]
        slots = values[4:]
        fix, tail = self.fix, self.tail
        if not isinstance(tail, str):
            tail = tail.fill(slots)
        location = None
        if fix.kind == "location":
            location = Verdict.filled(image_id, self.form, slots).location
        names, strings = fix.action_from(image_id, fmt)
        strings += (
            f"image {image_id} ({label}){tail}",
            fix.text_from(image_id, name, fmt, location),
            f"image {image_id}@{self.consumer}",
        )
        return names, None, strings


class ShapedFinding(WrittenFinding):
    """A ``cow-not-eligible`` finding that keeps only its shape and its image: its message,
    evidence, remediation and action are written from them each time they are read, so a
    million findings hold no text of their own. Read like any Finding; copied with
    ``dataclasses.replace`` (a mute) it becomes a plain Finding with every field as read."""

    __slots__ = ("_image", "_shape")
    _shape: Shape
    _image: Image

    @classmethod
    def made(cls, shape: Shape, image: Image) -> ShapedFinding:
        """The finding of ``image`` in ``shape``."""
        # NOTE: through the slots' own setters (object.__setattr__ costs half as much
        # again): once per image and consumer
        finding = _new(cls)
        _SET_SHAPE(finding, shape)
        _SET_IMAGE(finding, image)
        return finding

    @property
    def rule_id(self) -> str:
        return RULE_ID

    @property
    def resource(self) -> Resource:
        return Resource("image", f"{self._image.id}@{self._shape.consumer}")

    @property
    def message(self) -> str:
        return self._shape.message(self._image)

    @property
    def severity(self) -> Severity:
        return self._shape.severity

    @property
    def confidence(self) -> Confidence:
        return self._shape.confidence

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        shared = self._shape.evidence
        return shared if shared is not None else self._shape.verdict(self._image).evidence

    @property
    def remediation(self) -> str:
        return self._shape.remediation(self._image)

    @property
    def action(self) -> ProposedAction | None:
        return self._shape.fix.action_of(self._image)

    @property
    def cause(self) -> str:
        return self._shape.cause

    @property
    def shared_by(self) -> object | None:  # type: ignore[override]
        """The shape: every finding of it has the same rule, severity, confidence and cause."""
        return self._shape

    @property
    def sort_key(self) -> tuple[int, str, str, str]:
        """Worst first, then by rule and resource (as a Finding's)."""
        # NOTE: without the message, so a million messages are not written at once just to
        # sort them: this rule has one finding per image and consumer, and image ids are
        # unique, so its findings tie only for two consumers of one name, which then keep
        # the order the rule yields them in (consumer order: still deterministic)
        shape = self._shape
        return (shape.order, RULE_ID, f"image {self._image.id}@{shape.consumer}", "")

    @property
    def sort_text(self) -> str:
        """The resource's part of ``sort_key`` (written without a Resource)."""
        return f"image {self._image.id}@{self._shape.consumer}"

    def own_strings(self) -> tuple[tuple[str, ...] | None, list[Any]]:
        return self._shape.own_strings(self._image)

    def own_values(self) -> tuple[Shape, tuple[str, ...]] | None:
        if type(self) is not ShapedFinding:
            return None  # NOTE: a subclass may write its fields otherwise
        shape = self._shape
        if shape.evidence is None:
            return None  # NOTE: its evidence holds its image's values: written field by field
        return shape, shape.own_values(self._image)


_new = object.__new__
_SET_SHAPE = ShapedFinding.__dict__["_shape"].__set__
_SET_IMAGE = ShapedFinding.__dict__["_image"].__set__


def shape_of(
    image: Image,
    consumer: Consumer,
    verdict: Verdict,
    store: Store | None,
    values: SlotValues,
) -> Shape:
    """The shape of ``verdict``'s form on ``consumer``, made from one of its images
    (``values``: how to read an image's slot values)."""
    form = verdict.form
    decisive = form.reasons[_decisive_index(verdict)] if form.reasons else ""
    head = f" on {consumer.name}: {verdict.path.value}; "
    shared = verdict.shared
    slotless = not shared or all(isinstance(p, str) for p in form.parts[2])
    return Shape(
        consumer=consumer.name,
        tail=split_slots(head + decisive) if shared else head + decisive,
        severity=_severity(verdict, consumer),
        confidence=verdict.confidence,
        evidence=form.evidence if not shared or slotless else None,
        cause=f"{consumer.name}: {verdict.path.value}; "
        + (general(decisive) if shared else _placeheld(decisive, values(image))),
        fix=fix_of(image, consumer, verdict, store),
        form=form,
        values=values if shared else None,
    )


def _placeheld(text: str, values: tuple[str, ...]) -> str:
    """``text`` with each of an image's slot values (longest first) replaced by the
    placeholder of its slot."""
    named = sorted(((v, slot_name(n)) for n, v in enumerate(values) if v), key=lambda p: -len(p[0]))
    for value, name in named:
        text = text.replace(value, name)
    return text
