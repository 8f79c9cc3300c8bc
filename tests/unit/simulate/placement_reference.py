"""``simulate placement`` restated event by event: the brute-force reference.

Every boot gets its duration from its own layout rule, in trace order (the first boot of
an image at another site is the copy), and the percentiles come from sorting every boot's
duration; nothing is aggregated per image.
"""

from __future__ import annotations

import math
from collections import Counter

from imageyard.simulate.placement.costs import CostModel
from imageyard.simulate.trace import Trace

GiB = 1 << 30


def central(trace: Trace) -> int:
    names = trace.zone_names or ("",)
    counts = Counter(names[z] for z in trace.zones)
    best = sorted(counts, key=lambda n: (-counts[n], n))
    return names.index(best[0]) if best else 0


def sizes(trace: Trace) -> dict[int, int]:
    found: dict[int, int] = {}
    for image, size in zip(trace.images, trace.sizes, strict=True):
        found[image] = max(found.get(image, 0), size)
    return found


def ordering(trace: Trace) -> list[int]:
    boots = Counter(trace.images)
    return sorted(boots, key=lambda i: (-boots[i], trace.image_names[i], i))


def nearest_rank(times: list[float], percent: int) -> float:
    if not times:
        return 0.0
    ordered = sorted(times)
    return ordered[max(1, math.ceil(percent * len(ordered) / 100)) - 1]


def _clone(c: CostModel) -> float:
    return c.clone_seconds


def _download(size: int, c: CostModel) -> float:
    return size / c.ceph.download_bps + size / c.import_bps


def _copy(size: int, c: CostModel) -> float:
    return size / c.ceph.download_bps + size / c.import_bps + c.clone_seconds


def _convert(size: int, c: CostModel) -> float:
    return size / c.cold.download_bps + size / c.convert_bps + size / c.import_bps


def all_ceph(trace: Trace, c: CostModel) -> tuple[list[float], float]:
    home, size = central(trace), sizes(trace)
    times = [
        _clone(c) if zone == home else _download(size[image], c)
        for image, zone in zip(trace.images, trace.zones, strict=True)
    ]
    return times, sum(size.values()) / GiB * c.ceph.gib_month


def hot_cold(trace: Trace, c: CostModel, hot: int) -> tuple[list[float], float]:
    home, size = central(trace), sizes(trace)
    hot_set = set(ordering(trace)[:hot])
    times = []
    for image, zone in zip(trace.images, trace.zones, strict=True):
        if image not in hot_set:
            times.append(_convert(size[image], c))
        else:
            times.append(_clone(c) if zone == home else _download(size[image], c))
    hot_bytes = sum(size[i] for i in hot_set)
    cold_bytes = sum(size.values()) - hot_bytes
    return times, hot_bytes / GiB * c.ceph.gib_month + cold_bytes / GiB * c.cold.gib_month


def site_replicas(trace: Trace, c: CostModel) -> tuple[list[float], float, int]:
    home, size = central(trace), sizes(trace)
    copied: set[tuple[int, int]] = set()
    times = []
    for image, zone in zip(trace.images, trace.zones, strict=True):
        if zone != home and (image, zone) not in copied:
            copied.add((image, zone))
            times.append(_copy(size[image], c))
        else:
            times.append(_clone(c))
    site_bytes = sum(size[i] for i, _ in copied)
    cost = sum(size.values()) / GiB * c.ceph.gib_month + site_bytes / GiB * c.site.gib_month
    return times, cost, len(copied)
