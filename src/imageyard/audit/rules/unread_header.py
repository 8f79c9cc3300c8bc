"""Unknowns of rbd data whose header was not read, written when read.

Concepts: where a Ceph pool or the headers of its images were not read, the label and
backing-file rules cannot judge an image and report an unknown for it: at 100,000 images
in such a pool, tens of thousands. ``UnreadHeader`` keeps only its rule, its image and the
header's reading (``format_images.Header``); its resource and reason are written from them
each time they are read (``audit.written``), and its cause is one string per pool, so a
report that groups unknowns by cause (the table) writes no text per image.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from imageyard.audit.written import WrittenUnknown
from imageyard.model.finding import Resource
from imageyard.model.image import Image

if TYPE_CHECKING:
    from imageyard.audit.rules.format_images import Header


class UnreadHeader(WrittenUnknown):
    """The unknown of ``image`` for rule ``rule_id``: its first rbd header, not read."""

    __slots__ = ("_header", "_image", "_rule_id")
    _rule_id: str
    _image: Image
    _header: Header

    @classmethod
    def made(cls, rule_id: str, image: Image, header: Header) -> UnreadHeader:
        """The unknown of ``image`` (``header``: its first rbd header, not read)."""
        unknown = object.__new__(cls)
        object.__setattr__(unknown, "_rule_id", rule_id)
        object.__setattr__(unknown, "_image", image)
        object.__setattr__(unknown, "_header", header)
        return unknown

    @property
    def rule_id(self) -> str:
        return self._rule_id

    @property
    def resource(self) -> Resource:
        return Resource("image", self._image.id)

    @property
    def reason(self) -> str:
        return self._header.unread_reason

    @property
    def cause(self) -> str:
        return self._header.unread_cause

    @property
    def sort_text(self) -> str:
        """The resource's part of ``sort_key`` (written without a Resource)."""
        return f"image {self._image.id}"
