"""The Glance API image cache, one per API node, pruned to its maximum size by last access.

As glance/image_cache does it: an image GET that misses is written to the node's cache
(``get_caching_iter``); a hit is read from it and updates its last access
(``open_for_read`` -> ``update_hit_count``). Nothing limits the size when writing;
``image_cache_max_size`` only matters when the pruner runs (``glance-cache-pruner``, from
cron, or ``POST /cache/prune``): while the cache is larger than the maximum, it deletes the
least recently accessed image. The pruner here runs every ``prune_interval`` seconds
(at multiples of it, after the events at that time); 0 prunes after every download, the
bound of an eager pruner. Requests reach the nodes round-robin (event ``i`` goes to node
``i mod nodes``).
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

from imageyard.simulate.result import CacheResult
from imageyard.simulate.trace import Trace, size_list

GiB = 1 << 30


@dataclass(frozen=True)
class GlanceCacheSettings:
    """``image_cache_max_size`` (bytes), the pruner's period and the number of API nodes."""

    max_size: int = 10 * GiB
    prune_interval: float = 0.0
    nodes: int = 1


class _Node:
    __slots__ = ("entries", "used")

    def __init__(self) -> None:
        self.entries: OrderedDict[int, int] = OrderedDict()
        self.used = 0

    def prune(self, max_size: int) -> int:
        entries, pruned = self.entries, 0
        while self.used > max_size and entries:
            self.used -= entries.popitem(last=False)[1]
            pruned += 1
        return pruned


def replay(trace: Trace, settings: GlanceCacheSettings) -> CacheResult:
    """Replay ``trace`` against ``settings.nodes`` caches."""
    sizes = size_list(trace)
    nodes = [_Node() for _ in range(max(1, settings.nodes))]
    if settings.prune_interval > 0:
        hits, down, pruned = _periodic(trace, sizes, nodes, settings)
    else:
        hits, down, pruned = _eager(trace, sizes, nodes, settings.max_size)
    return CacheResult("glance", len(trace), hits, down, pruned)


def _eager(trace: Trace, sizes: list[int], nodes: list[_Node], max_size: int) -> tuple[int, ...]:
    hits = down = pruned = 0
    count = len(nodes)
    for i, image in enumerate(trace.images):
        node = nodes[i % count]
        entries = node.entries
        if image in entries:
            entries.move_to_end(image)
            hits += 1
            continue
        size = sizes[image]
        down += size
        entries[image] = size
        node.used += size
        if node.used > max_size:
            pruned += node.prune(max_size)
    return hits, down, pruned


def _periodic(
    trace: Trace, sizes: list[int], nodes: list[_Node], settings: GlanceCacheSettings
) -> tuple[int, ...]:
    hits = down = pruned = 0
    count, period, max_size = len(nodes), settings.prune_interval, settings.max_size
    next_run = -math.inf
    for i, (time, image) in enumerate(zip(trace.times, trace.images, strict=True)):
        if time > next_run:
            if next_run > -math.inf:
                pruned += sum(node.prune(max_size) for node in nodes)
            next_run = math.ceil(time / period) * period
        entries = nodes[i % count].entries
        if image in entries:
            entries.move_to_end(image)
            hits += 1
            continue
        size = sizes[image]
        down += size
        entries[image] = size
        nodes[i % count].used += size
    return hits, down, pruned
