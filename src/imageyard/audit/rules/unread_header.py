"""Unknowns of rbd data whose header was not read, written when read.

Concepts: where a Ceph pool or the headers of its images were not read, the label and
backing-file rules cannot judge an image and report an unknown for it: at 100,000 images
in such a pool, tens of thousands. ``UnreadHeader`` keeps only its rule, its image and the
header's reading (``format_images.Header``); its resource and reason are written from them
each time they are read (``audit.written``). Its rule and cause are those of an
``UnreadPart`` that every unknown of one rule and cause shares (one per pool; ``UnreadParts``
makes them), so a report that groups unknowns by cause (the table) writes no text per image
and finds their group once per part.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from imageyard.audit.written import OfImage, WrittenUnknown
from imageyard.model.image import Image

if TYPE_CHECKING:
    from imageyard.audit.rules.format_images import Header


@dataclass(frozen=True, eq=False)
class UnreadPart:
    """What the unknowns of one rule whose headers were not read for one cause share:
    ``reason`` too when it is every one's (a pool not read), else None (each header's own)."""

    rule_id: str
    cause: str
    reason: str | None = None

    def own_written_from(self, values: tuple[str, ...]) -> tuple[None, None, list[str]]:
        """An unknown's own strings (its reason, its ``sort_text``) from its ``own_values``
        (``model.finding.Pattern``: each value put in as it is)."""
        reason, image_id = values
        return None, None, [reason, f"image {image_id}"]


class UnreadHeader(OfImage, WrittenUnknown):
    """The unknown of ``image`` in ``part``: its first rbd header, not read (its resource,
    cause and sort text read as those of a finding about one image: ``OfImage``)."""

    __slots__ = ("_header", "_image", "_shape")
    _shape: UnreadPart
    _image: Image
    _header: Header

    @classmethod
    def made(cls, part: UnreadPart, image: Image, header: Header) -> UnreadHeader:
        """The unknown of ``image`` (``header``: its first rbd header, not read)."""
        # NOTE: through the slots' own setters (object.__setattr__ costs half as much
        # again): once per image whose header was not read
        unknown = _new(cls)
        _SET_SHAPE(unknown, part)
        _SET_IMAGE(unknown, image)
        _SET_HEADER(unknown, header)
        return unknown

    @property
    def rule_id(self) -> str:
        return self._shape.rule_id

    @property
    def reason(self) -> str:
        return self._header.unread_reason

    @property
    def shared_by(self) -> object | None:  # type: ignore[override]
        """The part: every unknown of it has the same rule and cause."""
        return self._shape

    def own_values(self) -> tuple[UnreadPart, tuple[str, ...]] | None:
        if type(self) is not UnreadHeader:
            return None  # NOTE: a subclass may write its fields otherwise
        # NOTE: a reason its part shares is not written again for each of a pool's images
        part = self._shape
        reason = part.reason
        return part, (self._header.unread_reason if reason is None else reason, self._image.id)


_new = object.__new__
_SET_SHAPE = UnreadHeader.__dict__["_shape"].__set__
_SET_IMAGE = UnreadHeader.__dict__["_image"].__set__
_SET_HEADER = UnreadHeader.__dict__["_header"].__set__


class UnreadParts:
    """The unknowns of one rule's unread headers, one part per cause met."""

    def __init__(self, rule_id: str) -> None:
        self.rule_id = rule_id
        self._parts: dict[str, UnreadPart] = {}

    def unknown(self, image: Image, header: Header) -> UnreadHeader:
        """The unknown of ``image``, whose first rbd header (``header``) was not read."""
        cause = header.unread_cause
        part = self._parts.get(cause)
        if part is None:
            shared = None if header.pool_read else header.unread_reason
            part = self._parts[cause] = UnreadPart(self.rule_id, cause, shared)
        return UnreadHeader.made(part, image, header)
