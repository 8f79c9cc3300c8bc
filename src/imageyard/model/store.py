"""Glance stores: the backends an image's data can live in.

Concepts: a ``Store`` is one entry of ``[DEFAULT] enabled_backends`` (``fast:rbd``) or of
``GET /v2/info/stores/detail``. Its ``type`` is the glance_store driver. ``weight`` orders
locations (highest first) when Glance picks ``direct_url`` and download order; None means
the weight is not known (the API hides it from non-admins, old releases lack it).
Driver-specific settings that later stages need are typed fields (rbd pool and fsid, file
data directory, s3 bucket, swift container); every other property is kept as sorted string
pairs. ``source`` says whether the record came from the configuration or from the API.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from imageyard.model.config import StoreType

__all__ = ["Store", "StoreSource", "StoreType"]


class StoreSource(enum.StrEnum):
    """Where a Store record came from."""

    CONFIG = "config"
    API = "api"


@dataclass(frozen=True)
class Store:
    """One Glance store (backend)."""

    id: str
    type: StoreType
    source: StoreSource
    description: str = ""
    weight: int | None = None
    is_default: bool = False
    read_only: bool = False
    properties: tuple[tuple[str, str], ...] = ()
    rbd_pool: str | None = None
    rbd_fsid: str | None = None
    file_data_dir: str | None = None
    s3_host: str | None = None
    s3_bucket: str | None = None
    swift_container: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "properties", tuple(sorted(self.properties)))

    @property
    def is_reserved(self) -> bool:
        """True for Glance's own ``os_glance_*`` stores (staging, tasks)."""
        return self.id.startswith("os_glance_")

    def get_property(self, key: str) -> str | None:
        """The value of one extra property, or None."""
        return next((v for k, v in self.properties if k == key), None)
