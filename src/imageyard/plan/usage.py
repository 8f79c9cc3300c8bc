"""How much each image is used: the heat that placement by policy sorts images on.

Concepts: ``uses`` are the servers and volumes the inventory records for an image now (a
volume made from it, a server booted from it). ``boots`` are the boots within the window:
with a boot trace (the CSV of ``imageyard simulate``; its image column is an image id, else
a name that only one image has), its events in the trace's last ``window`` days; without
one, the servers whose ``created_at`` (Nova's ``created``, a boot proxy) falls within
``window`` days before the snapshot was collected. ``known`` is False when Nova's or
Cinder's records were not read completely: such an image's users are unknown, and it is
never treated as cold.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from imageyard.model.inventory import Inventory
from imageyard.reclaim.context import parse_time
from imageyard.simulate.trace import Trace

DAY = 86400.0


@dataclass(frozen=True)
class ImageUse:
    """One image's users now and its boots within the window."""

    uses: int = 0
    boots: int = 0
    known: bool = False


def usage_known(inv: Inventory) -> bool:
    """True when both Nova's servers and Cinder's volumes were read completely."""
    for source in ("nova", "cinder"):
        status = inv.source_status(source)
        if status is None or status.detail.startswith("not collected"):
            return False
        if not inv.is_complete(source):
            return False
    return True


def _now(inv: Inventory, now: dt.datetime | None) -> dt.datetime:
    return parse_time(inv.generated_at) or now or dt.datetime.now(dt.UTC)


def created_boots(inv: Inventory, window_days: int, now: dt.datetime | None) -> Counter[str]:
    """Servers per image created within ``window_days`` before the snapshot."""
    since = _now(inv, now) - dt.timedelta(days=window_days)
    boots: Counter[str] = Counter()
    for server in inv.servers:
        created = parse_time(server.created_at)
        if server.image_ref and created is not None and created >= since:
            boots[server.image_ref] += 1
    return boots


def trace_boots(trace: Trace, inv: Inventory, window_days: int) -> Counter[str]:
    """Boots per image id in the trace's last ``window_days`` days."""
    names: Counter[str] = Counter(i.name for i in inv.images if i.name)
    by_name = {i.name: i.id for i in inv.images if i.name and names[i.name] == 1}
    ids = {i.id for i in inv.images}
    since = (trace.times[-1] if trace.times else 0.0) - window_days * DAY
    boots: Counter[str] = Counter()
    for time, code in zip(trace.times, trace.images, strict=True):
        if time < since:
            continue
        name = trace.image_names[code]
        image_id = name if name in ids else by_name.get(name)
        if image_id is not None:
            boots[image_id] += 1
    return boots


def image_usage(
    inv: Inventory,
    window_days: int,
    trace: Trace | None = None,
    now: dt.datetime | None = None,
) -> dict[str, ImageUse]:
    """Every image's ``ImageUse``."""
    known = usage_known(inv)
    boots = (
        trace_boots(trace, inv, window_days)
        if trace is not None
        else created_boots(inv, window_days, now)
    )
    return {
        i.id: ImageUse(
            uses=len(inv.servers_using(i.id)) + len(inv.volumes_from(i.id)),
            boots=boots[i.id],
            known=known,
        )
        for i in inv.images
    }
