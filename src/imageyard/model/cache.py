"""Glance image cache contents, per glance-api node.

Concepts: each glance-api node with the cache enabled keeps whole image files on local disk.
A ``CacheNode`` is one node (its API URL) with the images cached there and the image ids
queued for caching, as ``GET /v2/cache`` reports them. Timestamps are what Glance reports:
seconds since the epoch, or None when absent.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CachedImage:
    """One image file held in a node's cache."""

    image_id: str
    size: int
    hits: int = 0
    last_accessed: float | None = None
    last_modified: float | None = None


@dataclass(frozen=True)
class CacheNode:
    """One glance-api node's cache."""

    url: str
    entries: tuple[CachedImage, ...] = ()
    queued: tuple[str, ...] = ()

    @property
    def cached_bytes(self) -> int:
        """Total size of the cached image files."""
        return sum(e.size for e in self.entries)

    def holds(self, image_id: str) -> bool:
        """True when ``image_id`` is cached on this node."""
        return any(e.image_id == image_id for e in self.entries)
