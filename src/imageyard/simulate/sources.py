"""Traces derived from what a cloud recorded: Nova's servers in an inventory, and log lines.

* ``from_inventory``: every server booted from an image, at its ``created_at``, on its host
  and zone, with its image's size; servers still exist, so they live forever in the trace.
  Servers without an image, a host or a creation time are counted as skipped.
* ``from_glance_log``: every successful image data download (``GET /v2/images/<id>/file``,
  HTTP 200) in a glance-api access log, the client address as the host. Two line forms: the
  uWSGI request log glance-api writes under uWSGI
  (``[pid: ...] 10.0.0.5 () {...} [Sat Nov 28 12:11:10 2026] GET /v2/images/<id>/file =>
  generated N bytes in M msecs (HTTP/1.1 200) ...``, local time read as UTC) and the
  eventlet/Apache form (``10.0.0.5 - - [28/Nov/2026 12:11:10] "GET ... HTTP/1.1" 200 N ...``).
  The size is the bytes the line reports, else the inventory's.
* ``from_nova_log``: nova-compute's ``[instance: <uuid>] Creating image(s)`` (the libvirt
  driver's ``_create_image``, oslo.log's default format) on one host; the instance's image
  comes from the inventory's servers, as the line does not name it (so an instance deleted
  before the inventory was collected is skipped); ``Terminating instance`` ends its life.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from imageyard.model.inventory import Inventory
from imageyard.simulate.trace import TraceBuilder
from imageyard.simulate.tracefile import parse_time


@dataclass
class ImportCounts:
    """Events taken and lines or records skipped (with the reason as the key)."""

    taken: int = 0
    skipped: dict[str, int] | None = None

    def skip(self, reason: str) -> None:
        """Count one record skipped for ``reason``."""
        if self.skipped is None:
            self.skipped = {}
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def from_inventory(inv: Inventory, builder: TraceBuilder, counts: ImportCounts) -> None:
    """Add a boot per server booted from an image."""
    for server in inv.servers:
        if server.image_ref is None:
            counts.skip("booted from a volume")
            continue
        image = inv.image(server.image_ref)
        if not server.host or not server.created_at or image is None or image.size is None:
            counts.skip("no host, creation time or image size")
            continue
        try:
            time = parse_time(server.created_at)
        except ValueError:
            counts.skip("bad creation time")
            continue
        zone = server.availability_zone or ""
        builder.add(time, server.image_ref, server.host, zone, image.size, math.inf)
        counts.taken += 1


_IMAGE_FILE = r"/v2/images/(?P<image>[0-9a-fA-F-]{36})/file"
_UWSGI = re.compile(
    r"\] (?P<client>\S+) \(\) \{[^}]*\} \[(?P<when>[A-Z][a-z]{2} [A-Z][a-z]{2} +\d+ [\d:]+ \d{4})\]"
    rf" GET {_IMAGE_FILE}(?:\?\S*)? => generated (?P<bytes>\d+) bytes .*?\(HTTP/[\d.]+ "
    r"(?P<status>\d{3})\)"
)
_COMMON = re.compile(
    r"^(?P<client>\S+) \S+ \S+ \[(?P<when>[^\]]+)\] "
    rf'"GET {_IMAGE_FILE}(?:\?\S*)? HTTP/[\d.]+" (?P<status>\d{{3}}) (?P<bytes>\d+|-)'
)
_COMMON_TIMES = ("%d/%b/%Y %H:%M:%S", "%d/%b/%Y:%H:%M:%S %z")


def _glance_time(text: str) -> float:
    for form in ("%a %b %d %H:%M:%S %Y", *_COMMON_TIMES):
        try:
            stamp = datetime.strptime(text, form)
        except ValueError:
            continue
        return (stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)).timestamp()
    raise ValueError(f"not a log time: {text!r}")


def from_glance_log(
    lines: Iterable[str], sizes: Mapping[str, int], builder: TraceBuilder, counts: ImportCounts
) -> None:
    """Add a boot per successful image download in glance-api's access log."""
    for line in lines:
        match = _UWSGI.search(line) or _COMMON.search(line)
        if match is None:
            continue
        if match["status"] != "200":
            counts.skip(f"HTTP {match['status']}")
            continue
        image = match["image"]
        size = int(match["bytes"]) if match["bytes"] not in ("-", "0") else sizes.get(image)
        if size is None:
            counts.skip("no size")
            continue
        try:
            time = _glance_time(match["when"])
        except ValueError:
            counts.skip("bad time")
            continue
        builder.add(time, image, match["client"], "", size, math.inf)
        counts.taken += 1


_NOVA = re.compile(
    r"^(?P<when>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) .*?"
    r"\[instance: (?P<instance>[0-9a-fA-F-]{36})\] "
    r"(?P<what>Creating image\(s\)|Terminating instance)"
)


def _nova_events(lines: Iterable[str]) -> tuple[dict[str, float], dict[str, float]]:
    created: dict[str, float] = {}
    ended: dict[str, float] = {}
    for line in lines:
        match = _NOVA.search(line)
        if match is None:
            continue
        time = parse_time(match["when"].replace(" ", "T"))
        if match["what"].startswith("Creating"):
            created.setdefault(match["instance"], time)
        else:
            ended[match["instance"]] = time
    return created, ended


def from_nova_log(
    lines: Iterable[str], host: str, inv: Inventory, builder: TraceBuilder, counts: ImportCounts
) -> None:
    """Add a boot per ``Creating image(s)`` line of one nova-compute log.

    ``Terminating instance`` (the compute manager's delete) ends the instance's life; an
    instance not seen ending lives forever.
    """
    servers = {s.id: s for s in inv.servers}
    created, ended = _nova_events(lines)
    for instance, time in created.items():
        server = servers.get(instance)
        image = inv.image(server.image_ref) if server and server.image_ref else None
        if server is None or image is None or image.size is None:
            counts.skip("instance or its image not in the inventory")
            continue
        lifetime = max(0.0, ended[instance] - time) if instance in ended else math.inf
        zone = server.availability_zone or ""
        builder.add(time, image.id, host, zone, image.size, lifetime)
        counts.taken += 1
