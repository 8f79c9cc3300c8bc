"""The Nova collector: which servers run from which image, on which compute host.

Concepts: one admin listing, ``GET /servers/detail?all_tenants=1&limit=1000``, paged by
marker. A server booted from an image shows ``image: {"id": ...}``; one booted from a volume
shows ``image: ""`` and gets ``image_ref`` None (its image, if any, is on the Cinder volume).
``OS-EXT-SRV-ATTR:host`` is admin-only; ``OS-EXT-AZ:availability_zone`` is the zone. A
forbidden ``all_tenants`` (403), a missing compute endpoint, 5xx after retries or a timeout
become gaps of source ``nova`` and an incomplete status; what was read before is kept.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from imageyard.collect.base import Progress
from imageyard.collect.openstack.http import JsonHttp
from imageyard.collect.usage.common import Entry, finish, run_listing, text
from imageyard.collect.usage.paging import DEFAULT_LIMIT, Listing
from imageyard.model.compute import Server
from imageyard.model.inventory import Inventory

SOURCE = "nova"
PATH = "/servers/detail"
HOST_KEY = "OS-EXT-SRV-ATTR:host"
ZONE_KEY = "OS-EXT-AZ:availability_zone"


def image_ref(entry: Entry) -> str | None:
    """The image id of a server, None when it was booted from a volume (``image: ""``)."""
    image = entry.get("image")
    if isinstance(image, dict):
        image_id = image.get("id")
        return image_id if isinstance(image_id, str) and image_id else None
    return None


def server_from(entry: Entry) -> Server:
    """A model ``Server`` from one ``/servers/detail`` entry (which has a string id)."""
    return Server(
        id=str(entry["id"]),
        name=text(entry, "name") or "",
        project=text(entry, "tenant_id"),
        image_ref=image_ref(entry),
        host=text(entry, HOST_KEY),
        availability_zone=text(entry, ZONE_KEY),
        status=text(entry, "status") or "",
        created_at=text(entry, "created"),
    )


def servers_listing(limit: int = DEFAULT_LIMIT) -> Listing:
    """The paged admin listing of every project's servers."""
    return Listing(SOURCE, PATH, "servers", {"all_tenants": 1}, limit)


@dataclass(frozen=True)
class NovaCollector:
    """Reads every server through ``http`` (the compute endpoint)."""

    http: JsonHttp
    limit: int = DEFAULT_LIMIT
    name: str = SOURCE

    def collect(self, inventory: Inventory, progress: Progress) -> Inventory:
        """Add the servers, the ``nova`` status and its gaps to ``inventory``."""
        listing = replace(servers_listing(self.limit), source=self.name)
        run = run_listing(self.http, listing, progress, HOST_KEY)
        servers = tuple(server_from(e) for e in run.entries)

        def add(inv: Inventory) -> Inventory:
            return replace(inv, servers=inv.servers + servers)

        return finish(inventory, progress, run, len(servers), add)
