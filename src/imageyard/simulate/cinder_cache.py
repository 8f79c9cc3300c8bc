"""The Cinder image-volume cache of each backend: at most a size (GB) and a count, LRU.

As cinder/image/cache.py does it: a hit (``get_entry``) updates the entry's last use; on a
miss the volume is made from the downloaded image and ``ensure_space`` makes room for a new
entry of the volume's size: with both limits 0 there is no limit; a volume larger than
``image_volume_cache_max_size_gb`` is not cached (nothing is evicted); otherwise the least
recently used entries are deleted while the size or the count would exceed its limit. The
cache is per backend host (the trace's host column). Sizes are whole GB, rounded up from
the image's bytes (a volume is at least as large as its image).
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass

from imageyard.simulate.result import CacheResult
from imageyard.simulate.trace import Trace, size_list

GB = 1 << 30


@dataclass(frozen=True)
class CinderCacheSettings:
    """``image_volume_cache_max_size_gb`` and ``image_volume_cache_max_count`` (0: no limit)."""

    max_size_gb: int = 0
    max_count: int = 0


def volume_gb(size: int) -> int:
    """A volume's size in GB for an image of ``size`` bytes (at least 1)."""
    return max(1, -(-size // GB))


def replay(trace: Trace, settings: CinderCacheSettings) -> CacheResult:
    """Replay ``trace`` against every backend's image-volume cache."""
    sizes = size_list(trace)
    gbs = [volume_gb(s) for s in sizes]
    max_gb, max_count = settings.max_size_gb, settings.max_count
    hosts = max(trace.hosts, default=-1) + 1
    caches: list[OrderedDict[int, int]] = [OrderedDict() for _ in range(hosts)]
    used = [0] * hosts
    hits = down = evicted = 0
    for image, host in zip(trace.images, trace.hosts, strict=True):
        entries = caches[host]
        if image in entries:
            entries.move_to_end(image)
            hits += 1
            continue
        down += sizes[image]
        gb = gbs[image]
        if max_gb and gb > max_gb:
            continue
        current = used[host]
        while entries and (
            (max_gb and current + gb > max_gb) or (max_count and len(entries) + 1 > max_count)
        ):
            current -= entries.popitem(last=False)[1]
            evicted += 1
        entries[image] = gb
        used[host] = current + gb
    return CacheResult("cinder", len(trace), hits, down, evicted)
