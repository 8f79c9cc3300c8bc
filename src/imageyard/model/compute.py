"""Consumers of images: Nova servers and Cinder volumes.

Concepts: a ``Server`` booted from an image has ``image_ref``; one booted from a volume has
``image_ref`` None and its image, if any, is found through the ``Volume``'s
``image_id`` (Cinder's ``volume_image_metadata``). ``host`` and ``backend_host`` say which
compute or Cinder backend (``host@backend#pool``) uses the image, which decides whether a
copy-on-write clone was possible. Volume ``size`` is in GiB, as Cinder reports it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from imageyard.model.codec import INTERN


@dataclass(frozen=True, slots=True)
class Server:
    """One Nova server (instance)."""

    id: str
    name: str = ""
    project: str | None = field(default=None, metadata=INTERN)
    image_ref: str | None = None
    host: str | None = field(default=None, metadata=INTERN)
    availability_zone: str | None = field(default=None, metadata=INTERN)
    status: str = field(default="", metadata=INTERN)
    created_at: str | None = None  # Nova's ``created`` (ISO 8601), schema 1.6

    @property
    def boots_from_volume(self) -> bool:
        """True when the server has no image reference (booted from a volume)."""
        return self.image_ref is None


@dataclass(frozen=True, slots=True)
class Volume:
    """One Cinder volume."""

    id: str
    project: str | None = field(default=None, metadata=INTERN)
    bootable: bool = False
    backend_host: str | None = field(default=None, metadata=INTERN)
    size: int = 0
    image_id: str | None = None
    image_name: str | None = None
    status: str = field(default="", metadata=INTERN)
    volume_type: str | None = field(default=None, metadata=INTERN)
