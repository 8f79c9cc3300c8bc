"""The Cinder collector: which volumes were created from which image, on which backend.

Concepts: one admin listing, ``GET /volumes/detail?all_tenants=1&limit=1000`` on the v3
endpoint, paged by marker. A volume created from an image carries
``volume_image_metadata`` with ``image_id`` and ``image_name``; ``bootable`` is the string
``"true"`` or ``"false"``; ``os-vol-host-attr:host`` (admin-only) is ``host@backend#pool``
and ``size`` is in GiB. Cinder ignores ``all_tenants`` for a non-admin and lists only the
caller's project, so an answer without the admin attributes is a gap too. A missing
block-storage endpoint, 401/403, 5xx after retries or a timeout become gaps of source
``cinder`` and an incomplete status; what was read before is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from imageyard.collect.base import Progress
from imageyard.collect.openstack.http import JsonHttp
from imageyard.collect.usage.common import Entry, finish, flag, integer, run_listing, text
from imageyard.collect.usage.paging import DEFAULT_LIMIT, Listing
from imageyard.model.compute import Volume
from imageyard.model.inventory import Inventory

SOURCE = "cinder"
PATH = "/volumes/detail"
HOST_KEY = "os-vol-host-attr:host"
PROJECT_KEY = "os-vol-tenant-attr:tenant_id"


def image_metadata(entry: Entry) -> tuple[str | None, str | None]:
    """``(image_id, image_name)`` from ``volume_image_metadata`` (None, None when absent)."""
    meta = entry.get("volume_image_metadata")
    if not isinstance(meta, dict):
        return None, None
    return text(meta, "image_id"), text(meta, "image_name")


def volume_from(entry: Entry) -> Volume:
    """A model ``Volume`` from one ``/volumes/detail`` entry (which has a string id)."""
    image_id, image_name = image_metadata(entry)
    return Volume(
        id=str(entry["id"]),
        project=text(entry, PROJECT_KEY),
        bootable=flag(entry, "bootable"),
        backend_host=text(entry, HOST_KEY),
        size=integer(entry, "size"),
        image_id=image_id,
        image_name=image_name,
        status=text(entry, "status") or "",
        volume_type=text(entry, "volume_type"),
    )


def volumes_listing(limit: int = DEFAULT_LIMIT) -> Listing:
    """The paged admin listing of every project's volumes."""
    return Listing(SOURCE, PATH, "volumes", {"all_tenants": 1}, limit)


@dataclass(frozen=True)
class CinderCollector:
    """Reads every volume through ``http`` (the block-storage v3 endpoint)."""

    http: JsonHttp
    limit: int = DEFAULT_LIMIT
    name: str = SOURCE

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        """Add the volumes, the ``cinder`` status and its gaps to ``inventory``."""
        listing = replace(volumes_listing(self.limit), source=self.name)
        run = run_listing(self.http, listing, progress, HOST_KEY)
        volumes = tuple(volume_from(e) for e in run.entries)

        def add(inv: Inventory) -> Inventory:
            return replace(inv, volumes=inv.volumes + volumes)

        return finish(inventory, progress, run, len(volumes), add)
