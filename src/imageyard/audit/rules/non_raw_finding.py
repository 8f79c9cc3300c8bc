"""``non-raw-in-rbd`` findings, written when read.

Concepts: the rule reports every image neither raw nor iso held in an rbd store; at
100,000 images, tens of thousands. Images of one disk_format in one list of rbd stores
share the finding's rule, severity, confidence and cause, and the store its fix converts
into (a ``NonRawShape``, made once each). A ``NonRawFinding`` keeps only its shape and its
image; its resource, message, evidence, remediation and action are written from them each
time they are read (``audit.written``), so a report that groups findings by cause (the
table) writes no text per image.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imageyard.audit.cow.trace import gib
from imageyard.audit.rule import RuleMeta
from imageyard.audit.rules.cow_shape import convert_action, convert_text, converting
from imageyard.audit.written import Cited, ImageFinding, facts, own_facts
from imageyard.model.finding import Evidence, ProposedAction
from imageyard.model.image import Image

_CITED = facts(2)  # NOTE: for a writer: the citations' texts are each image's own


@dataclass(frozen=True, eq=False)
class NonRawShape:
    """What the findings of one disk_format in one list of rbd stores share."""

    meta: RuleMeta
    disk_format: str
    where: str  # the rbd stores, or "rbd" (an rbd location outside any rbd store)
    store: str  # the store the fix converts into
    cause: str

    @classmethod
    def of(cls, meta: RuleMeta, disk_format: str, stores: tuple[str, ...]) -> NonRawShape:
        """The shape of images of ``disk_format`` in rbd stores ``stores`` (may be none)."""
        where = ", ".join(stores) or "rbd"
        cause = (
            f"{disk_format} image in rbd store(s) {where}: never cloned; the first boot on "
            "each rbd host downloads, converts and imports it"
        )
        return cls(meta, disk_format, where, stores[0] if stores else "<rbd store>", cause)

    def own_written_from(self, values: tuple[str, ...]) -> tuple[tuple[str, ...], Cited, list[Any]]:
        """``Finding.own_written`` of the finding whose ``own_values`` are ``values``
        (``model.finding.Pattern``: each value put in as it is)."""
        image_id, label, name, disk_format, fmt, size, virtual, stores = values
        return (
            _CONVERT_NAMES,
            _CITED,
            [
                "convert-to-raw",
                fmt,
                image_id,
                self.store,
                *_evidence_texts(image_id, disk_format, stores),
                _message(image_id, label, disk_format, self.where, size, virtual),
                converting(image_id, name, fmt, self.store),
                f"image {image_id}",
            ],
        )


# NOTE: ``convert_action``'s parameter names, sorted
_CONVERT_NAMES = ("from", "image", "store")


def _message(
    image_id: str, label: str, disk_format: str, where: str, size: str, virtual: str
) -> str:
    return (
        f"image {image_id} ({label}) is {disk_format} in rbd store(s) {where}: "
        f"never cloned; the first boot on each rbd host downloads {size}, "
        f"converts it and imports {virtual} of raw data"
    )


def _evidence_texts(image_id: str, disk_format: str, stores: str) -> tuple[str, str]:
    return (
        f"image {image_id}: disk_format = {disk_format}",
        f"image {image_id}: stores = {stores}",
    )


class NonRawFinding(ImageFinding[NonRawShape]):
    """The finding of ``image`` (one of ``shape``'s images)."""

    __slots__ = ()

    @classmethod
    def made(cls, shape: NonRawShape, image: Image) -> NonRawFinding:
        """The finding of ``image`` in ``shape``."""
        finding = object.__new__(cls)
        finding._fill(shape, image)
        return finding

    @property
    def message(self) -> str:
        image = self._image
        return _message(
            image.id,
            image.name or "unnamed",
            f"{image.disk_format}",
            self._shape.where,
            gib(image.size),
            gib(image.virtual_size or image.size),
        )

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        image = self._image
        texts = _evidence_texts(image.id, f"{image.disk_format}", ", ".join(image.stores))
        return tuple(map(Evidence.fact, texts))

    @property
    def remediation(self) -> str:
        return convert_text(self._image, self._shape.store)

    def own_written(self) -> tuple[tuple[str, ...] | None, Cited | None, list[Any]]:
        return own_facts(self, _CITED)

    def own_values(self) -> tuple[NonRawShape, tuple[str, ...]] | None:
        if type(self) is not NonRawFinding:
            return None  # NOTE: a subclass may write its fields otherwise
        image = self._image
        name, disk_format = image.name, image.disk_format
        return self._shape, (
            image.id,
            name or "unnamed",
            name or image.id,
            f"{disk_format}",
            disk_format or "qcow2",
            gib(image.size),
            gib(image.virtual_size or image.size),
            ", ".join(image.stores),
        )

    @property
    def action(self) -> ProposedAction | None:
        return convert_action(self._image, self._shape.store)
